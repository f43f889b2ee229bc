import type { ColbertChoice } from "./types";
import { quantizeInt8 } from "./vector-formats";

/**
 * Shortest decimal text that reads back as the same float32 (what the model produced), e.g. 0.1 instead of
 * 0.10000000149011612: smaller files, and a store that parses float4 gets exactly the encoder's value.
 */
export function float32Text(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) throw new Error(`non-finite vector component ${x}`);
  for (let p = 6; p < 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return String(s);
  }
  return String(Number(f.toPrecision(9)));
}

/** A JSON array of float32 values, as text. */
export function float32Json(v: ArrayLike<number>): string {
  let s = "[";
  for (let i = 0; i < v.length; i++) s += (i ? "," : "") + float32Text(v[i]!);
  return s + "]";
}

/** Rows × dim as a JSON array of arrays, as text. */
export function rowsJson(flat: ArrayLike<number>, dim: number, asText: (x: number) => string = float32Text): string {
  const rows: string[] = [];
  for (let r = 0; r * dim < flat.length; r++) {
    let s = "[";
    for (let j = 0; j < dim; j++) s += (j ? "," : "") + asText(flat[r * dim + j]!);
    rows.push(s + "]");
  }
  return `[${rows.join(",")}]`;
}

/** ColBERT rows as the JSON stores (Qdrant, Elasticsearch) take them: float32 text, or the int8 integers. */
export function colbertRowsJson(rows: Float32Array, colbert: ColbertChoice): string {
  const d = colbert.dimensions;
  return colbert.format === "int8" ? rowsJson(quantizeInt8(rows, d).values, d, String) : rowsJson(rows, d);
}
