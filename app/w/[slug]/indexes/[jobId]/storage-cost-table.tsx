"use client";

import { useTranslations } from "next-intl";
import type { StorageCost } from "~/gpu-worker/indexing/storage-cost";

/**
 * Bytes per document of each output as the export holds it (no index overhead), from the manifest. The ColBERT
 * rows compare float and int8 at the chosen and the cut dimensions, so the choice can be revisited.
 */
export function StorageCostTable({ cost, chosen }: { cost: StorageCost; chosen: { dimensions: number; format: string } | null }) {
  const t = useTranslations("indexes.cost");
  const bytes = (n: number) => t("bytes", { bytes: n });
  return (
    <table className="w-full text-left text-sm" data-testid="storage-cost">
      <thead className="text-xs uppercase text-slate-500">
        <tr><th className="py-2">{t("output")}</th><th>{t("detail")}</th><th className="text-right">{t("perDocument")}</th></tr>
      </thead>
      <tbody>
        <tr className="border-t border-slate-100"><td className="py-1">{t("dense")}</td><td className="text-xs text-slate-500">float32</td><td className="text-right font-mono">{bytes(cost.denseBytes)}</td></tr>
        {cost.sparseBytes !== null ? (
          <tr className="border-t border-slate-100">
            <td className="py-1">{t("sparse")}</td>
            <td className="text-xs text-slate-500">{t("sparseDetail", { nonzeros: Math.round(cost.sparseNonzeros ?? 0) })}</td>
            <td className="text-right font-mono">{bytes(cost.sparseBytes)}</td>
          </tr>
        ) : null}
        {cost.colbert.map((c) => {
          const isChosen = chosen?.dimensions === c.dimensions && chosen.format === c.format;
          return (
            <tr key={`${c.dimensions}-${c.format}`} className={`border-t border-slate-100 ${isChosen ? "font-medium" : ""}`} data-testid={`cost-colbert-${c.dimensions}-${c.format}`}>
              <td className="py-1">{t("colbert")}</td>
              <td className="text-xs text-slate-500">
                {t("colbertDetail", { dimensions: c.dimensions, format: c.format, vectors: Math.round(cost.colbertVectors ?? 0) })}{isChosen ? ` · ${t("chosen")}` : ""}
              </td>
              <td className="text-right font-mono">{bytes(c.bytes)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
