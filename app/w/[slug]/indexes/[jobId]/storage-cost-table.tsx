"use client";

import { useTranslations } from "next-intl";
import type { ColbertRecallCost, StorageCost } from "~/gpu-worker/indexing/storage-cost";

const metric = (v: number) => v.toFixed(3);
const delta = (d: number) => (d > 0 ? `+${d.toFixed(3)}` : d < 0 ? `−${(-d).toFixed(3)}` : "±0");

/**
 * Bytes per document of each output as the export holds it (no index overhead), from the manifest. The ColBERT
 * rows compare float and int8 at the chosen and the cut dimensions, so the choice can be revisited; with an
 * evaluation set picked, each row also shows what it costs in recall@10 / nDCG@10 against full float vectors.
 */
export function StorageCostTable({ cost, chosen, recall }: { cost: StorageCost; chosen: { dimensions: number; format: string } | null; recall: ColbertRecallCost | null }) {
  const t = useTranslations("indexes.cost");
  const bytes = (n: number) => t("bytes", { bytes: n });
  const withRecall = recall !== null && cost.colbert.length > 0;
  const recallOf = (c: { dimensions: number; format: string }) => recall?.options.find((o) => o.dimensions === c.dimensions && o.format === c.format);
  const blank = withRecall ? <><td /><td /></> : null;
  return (
    <>
      <table className="w-full text-left text-sm" data-testid="storage-cost">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th className="py-2">{t("output")}</th><th>{t("detail")}</th><th className="text-right">{t("perDocument")}</th>
            {withRecall ? <><th className="text-right normal-case">{t("recall", { k: recall.k })}</th><th className="text-right normal-case">{t("ndcg", { k: recall.k })}</th></> : null}
          </tr>
        </thead>
        <tbody>
          <tr className="border-t border-slate-100"><td className="py-1">{t("dense")}</td><td className="text-xs text-slate-500">float32</td><td className="text-right font-mono">{bytes(cost.denseBytes)}</td>{blank}</tr>
          {cost.sparseBytes !== null ? (
            <tr className="border-t border-slate-100">
              <td className="py-1">{t("sparse")}</td>
              <td className="text-xs text-slate-500">{t("sparseDetail", { nonzeros: Math.round(cost.sparseNonzeros ?? 0) })}</td>
              <td className="text-right font-mono">{bytes(cost.sparseBytes)}</td>
              {blank}
            </tr>
          ) : null}
          {cost.colbert.map((c) => {
            const isChosen = chosen?.dimensions === c.dimensions && chosen.format === c.format;
            const r = recallOf(c);
            return (
              <tr key={`${c.dimensions}-${c.format}`} className={`border-t border-slate-100 ${isChosen ? "font-medium" : ""}`} data-testid={`cost-colbert-${c.dimensions}-${c.format}`}>
                <td className="py-1">{t("colbert")}</td>
                <td className="text-xs text-slate-500">
                  {t("colbertDetail", { dimensions: c.dimensions, format: c.format, vectors: Math.round(cost.colbertVectors ?? 0) })}{isChosen ? ` · ${t("chosen")}` : ""}
                </td>
                <td className="text-right font-mono">{bytes(c.bytes)}</td>
                {withRecall ? (
                  <>
                    <td className="text-right font-mono" data-testid={`recall-colbert-${c.dimensions}-${c.format}`}>{r ? `${metric(r.recall)} (${delta(r.recallDelta)})` : "—"}</td>
                    <td className="text-right font-mono" data-testid={`ndcg-colbert-${c.dimensions}-${c.format}`}>{r ? `${metric(r.ndcg)} (${delta(r.ndcgDelta)})` : "—"}</td>
                  </>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
      {withRecall ? (
        <p className="mt-2 text-xs text-slate-500" data-testid="recall-explain">
          {t("recallExplain", {
            evaluation: recall.evaluation, queries: recall.queries, candidates: recall.candidates, corpus: recall.corpus, k: recall.k,
            dimensions: recall.baseline.dimensions, recall: metric(recall.baseline.recall), ndcg: metric(recall.baseline.ndcg),
          })}
        </p>
      ) : null}
    </>
  );
}
