import { BarChart, type Bin } from "../../../../../../_components/charts/bar-chart";

/** A quality-report histogram: the bins as bars, with the report's note under them. */
export function Histogram({ title, bins, note }: { title: string; bins: Bin[]; note?: string }) {
  return (
    <div>
      <BarChart title={title} bins={bins} />
      {note ? <p className="mt-1 text-xs text-slate-500">{note}</p> : null}
    </div>
  );
}
