import { open } from "node:fs/promises";
import path from "node:path";
import type { ColumnMapping } from "../../server/jobs/definitions/import-dataset";
import { detectEncoding } from "../../server/lib/parsing/encoding";
import { UsageError } from "./args";

/** The column names of a CSV/TSV header or of a JSONL file's first object; null for other formats. */
export async function fileColumns(file: string): Promise<string[] | null> {
  const ext = path.extname(file).toLowerCase();
  if (![".csv", ".tsv", ".jsonl", ".json"].includes(ext)) return null;
  const handle = await open(file);
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    const text = new TextDecoder(detectEncoding(head, file)).decode(head).replace(/^\uFEFF/, "");
    const first = text.split(/\r?\n/).find((l) => l.trim()) ?? "";
    if (ext === ".csv" || ext === ".tsv") return first.split(ext === ".tsv" ? "\t" : ",").map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
    try {
      const o = JSON.parse(first) as unknown;
      return o && typeof o === "object" && !Array.isArray(o) ? Object.keys(o) : null;
    } catch {
      return null; // not one object per line: the import reports it with its line
    }
  }
  finally {
    await handle.close();
  }
}

/**
 * Before anything is uploaded: every column a pairs file's mapping names (or, without a mapping, FlagEmbedding's
 * `query` and `pos`) must be in the file, else ONE line naming the file's columns and the flag that maps them —
 * instead of the import's "query: missing" on every row.
 */
export async function checkPairsColumns(file: string, mapping: ColumnMapping | undefined, flag: "--map" | "--eval-map"): Promise<void> {
  const columns = await fileColumns(file);
  if (!columns) return;
  const wanted: [string, string][] = mapping
    ? Object.entries(mapping).flatMap(([role, col]) => (Array.isArray(col) ? col : [col]).filter((c): c is string => typeof c === "string").map((c) => [role, c] as [string, string]))
    : path.extname(file).toLowerCase().startsWith(".json") ? [["query", "query"], ["positive", "pos"]] : [];
  const absent = wanted.filter(([, col]) => !columns.includes(col));
  if (absent.length) {
    throw new UsageError(`${file}: no column ${absent.map(([role, col]) => `"${col}" (${role})`).join(", ")}; its columns are ${columns.map((c) => `"${c}"`).join(", ")}: map them with ${flag} query=COLUMN,positive=COLUMN`);
  }
}
