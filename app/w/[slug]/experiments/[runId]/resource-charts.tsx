"use client";

import { useTranslations } from "next-intl";
import { gpuIndices, gpuSeries, isSystemSeries, SYSTEM } from "~/server/services/experiments/system-series";
import { LineChart, type ChartSeries } from "../../../../_components/charts/line-chart";

/**
 * The run's resource charts (sampled by the worker while the trainer runs, x = seconds since the run
 * started): the trainer's CPU and memory, the host's memory, and each GPU where nvidia-smi answered.
 * Fed from the run page's metric query, so they update live with the other charts.
 */
export function ResourceCharts({ series }: { series: Map<string, Array<[number, number]>> }) {
  const t = useTranslations("experiments.resources");
  if (![...series.keys()].some(isSystemSeries)) return null;
  const pick = (pairs: Array<[string, string]>): ChartSeries[] => pairs.filter(([name]) => series.has(name)).map(([name, label]) => ({ label, points: series.get(name)! }));
  const gpus = gpuIndices(series.keys());
  return (
    <section className="my-4" data-testid="resource-charts">
      <h2 className="mb-2 text-sm font-semibold text-slate-700">{t("title")}</h2>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3">
        <LineChart title={t("cpu")} xUnit=" s" series={pick([[SYSTEM.cpuPercent, t("trainerCpu")]])} testId="chart-cpu" />
        <LineChart title={t("trainerMemory")} xUnit=" s" series={pick([[SYSTEM.rssMb, t("trainerRss")]])} testId="chart-trainer-memory" />
        <LineChart title={t("hostMemory")} xUnit=" s" series={pick([[SYSTEM.memUsedMb, t("hostUsed")], [SYSTEM.memTotalMb, t("hostTotal")]])} testId="chart-host-memory" />
        {gpus.length ? (
          <>
            <LineChart title={t("gpuUtil")} xUnit=" s" series={pick(gpus.map((i) => [gpuSeries(i).utilPercent, t("gpu", { index: i })]))} testId="chart-gpu-util" />
            <LineChart
              title={t("gpuMemory")} xUnit=" s" testId="chart-gpu-memory"
              series={pick(gpus.flatMap((i): Array<[string, string]> => [[gpuSeries(i).memUsedMb, t("gpuUsed", { index: i })], [gpuSeries(i).memTotalMb, t("gpuTotal", { index: i })]]))}
            />
          </>
        ) : (
          <p className="self-center rounded border border-dashed border-slate-300 p-3 text-sm text-slate-500" data-testid="no-gpu">{t("noGpu")}</p>
        )}
      </div>
    </section>
  );
}
