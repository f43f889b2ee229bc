import { open } from "node:fs/promises";
import { assertSupportedFile } from "../../lib/parsing/files";
import { isImportError, formatIssue } from "../../lib/parsing/issues";
import { readLines } from "../../lib/parsing/lines";
import { readRecords } from "../../lib/parsing/records";
import { AppError } from "../../lib/app-error";
import { resolveArtifact } from "../../storage/artifacts";
import { getUpload } from "./uploads";

/** Rows the preview reads and the mapping step shows (the UI says this number and shows these rows). */
export const PREVIEW_ROWS = 20;

export interface UploadPreview {
  fileName: string;
  format: string;
  columns: string[];
  rows: Record<string, unknown>[];
  /** FlagEmbedding JSONL needs no mapping; anything else is mapped column by column. */
  native: boolean;
  suggested: { query?: string; positive?: string; negative?: string[]; group?: string; text?: string; title?: string; id?: string };
}

/** Column names we recognise, in order of preference (the article's and the shared data's). */
const GUESS: Record<string, string[]> = {
  query: ["query", "question", "title", "ask", "q"],
  positive: ["positive", "pos", "answer", "passage", "content", "doc"],
  negative: ["negative", "neg", "hard_negative"],
  // A split keeps a group's rows on one side. Only per-question keys are guessed: a coarse column such as
  // `department` or `source` would put whole departments on one side of the split (#20 item 7).
  group: ["group", "query_id", "qid", "question_id", "focus"],
  text: ["text", "content", "body", "answer", "passage"],
  title: ["title"],
  id: ["_id", "id", "doc_id"],
};

function suggest(columns: string[]): UploadPreview["suggested"] {
  const find = (key: string) => GUESS[key]!.find((name) => columns.includes(name));
  const negative = columns.filter((c) => GUESS.negative!.some((n) => c === n || c.startsWith(`${n}_`)));
  return {
    query: find("query"), positive: find("positive"), negative: negative.length ? negative : undefined,
    group: find("group"), text: find("text"), title: find("title"), id: find("id"),
  };
}

/** The first rows of an upload, for the column-mapping step. Reads only the head of the file. */
export async function previewUpload({ workspaceId, uploadId }: { workspaceId: string; uploadId: string }): Promise<UploadPreview> {
  const upload = await getUpload({ workspaceId, uploadId });
  const path = resolveArtifact(upload.storagePath);
  const handle = await open(path);
  const head = new Uint8Array(4096);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  await handle.close();
  try {
    const format = assertSupportedFile(upload.fileName, head.subarray(0, bytesRead));
    const rows: Record<string, unknown>[] = [];
    if (format === "txt" || format === "md") {
      for await (const line of readLines(path, { file: upload.fileName })) {
        if (line.text.trim()) rows.push({ line: line.line, text: line.text });
        if (rows.length >= PREVIEW_ROWS) break;
      }
      return { fileName: upload.fileName, format, columns: ["text"], rows, native: true, suggested: { text: "text" } };
    }
    let columns: string[] = [];
    for await (const { record } of readRecords(path, { format, file: upload.fileName, onHeader: (c) => (columns = c), onIssue: () => undefined })) {
      rows.push(record);
      if (rows.length >= PREVIEW_ROWS) break;
    }
    if (format === "jsonl") columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const native = format === "jsonl" && rows.length > 0 && rows.every((r) => typeof r.query === "string" && Array.isArray(r.pos));
    return { fileName: upload.fileName, format, columns, rows, native, suggested: suggest(columns) };
  } catch (error) {
    if (isImportError(error)) throw new AppError("BAD_REQUEST", error.issues.map(formatIssue).join("\n"), "file");
    throw error;
  }
}
