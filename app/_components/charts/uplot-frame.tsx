"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/**
 * One uPlot canvas that follows its container's width. `options` (minus width) are applied when `optionsKey`
 * changes — a new series list, the log toggle — by rebuilding the plot; new data alone goes through setData, so a
 * live chart refreshing every few seconds keeps the user's zoom (drag to zoom, double-click resets it).
 */
export function UPlotFrame({ options, optionsKey, data, height, onCursor }: {
  options: Omit<uPlot.Options, "width" | "height">;
  optionsKey: string;
  data: uPlot.AlignedData;
  height: number;
  onCursor?: (idx: number | null) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomed = useRef(false);
  const latest = useRef({ data, onCursor });
  latest.current = { data, onCursor };

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    zoomed.current = false;
    const u = new uPlot({
      ...options,
      width: Math.max(el.clientWidth, 120),
      height,
      hooks: {
        ...options.hooks,
        setSelect: [...(options.hooks?.setSelect ?? []), (self) => { if (self.select.width > 0) zoomed.current = true; }],
        setCursor: [...(options.hooks?.setCursor ?? []), (self) => latest.current.onCursor?.(self.cursor.idx ?? null)],
      },
    }, latest.current.data, el);
    plot.current = u;
    const unzoom = () => { zoomed.current = false; };
    u.over.addEventListener("dblclick", unzoom);
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(el.clientWidth, 120), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.over.removeEventListener("dblclick", unzoom);
      u.destroy();
      plot.current = null;
    };
    // `options` is rebuilt on every render by its callers; `optionsKey` says when it really changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [optionsKey, height]);

  useEffect(() => {
    plot.current?.setData(data, !zoomed.current);
  }, [data]);

  return <div ref={box} className="w-full" />;
}
