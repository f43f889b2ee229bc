/** A small SVG bar chart; labels are text nodes. */
export function Histogram({ title, bins, note }: { title: string; bins: { label: string; count: number }[]; note?: string }) {
  const max = Math.max(1, ...bins.map((b) => b.count));
  const width = 360;
  const height = 120;
  const barWidth = width / Math.max(1, bins.length);
  return (
    <figure className="rounded border border-slate-100 p-3">
      <figcaption className="mb-2 text-xs font-medium text-slate-600">{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 16}`} className="w-full" role="img" aria-label={title}>
        {bins.map((b, i) => {
          const h = (b.count / max) * height;
          return (
            <g key={b.label}>
              <rect x={i * barWidth + 1} y={height - h} width={barWidth - 2} height={h} className="fill-brand-500">
                <title>{`${b.label}: ${b.count}`}</title>
              </rect>
              {i % Math.ceil(bins.length / 6) === 0 ? <text x={i * barWidth} y={height + 12} className="fill-slate-500 text-[9px]">{b.label}</text> : null}
            </g>
          );
        })}
      </svg>
      {note ? <p className="mt-1 text-xs text-slate-500">{note}</p> : null}
    </figure>
  );
}
