import { importError } from "./issues";

/** File formats the importer reads, decided by extension. */
export type FileFormat = "jsonl" | "csv" | "tsv" | "txt" | "md";

const EXTENSIONS: Record<string, FileFormat> = {
  jsonl: "jsonl",
  ndjson: "jsonl",
  json: "jsonl",
  csv: "csv",
  tsv: "tsv",
  txt: "txt",
  text: "txt",
  md: "md",
  markdown: "md",
};

const ARCHIVE_EXTENSIONS = ["zip", "gz", "tgz", "tar", "bz2", "xz", "7z", "rar", "zst", "lz4", "xlsx", "xls", "docx", "jar"];

const MAGIC: Array<{ name: string; at: number; bytes: number[] }> = [
  { name: "a ZIP archive (xlsx/docx are ZIPs too)", at: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: "a ZIP archive", at: 0, bytes: [0x50, 0x4b, 0x05, 0x06] },
  { name: "a ZIP archive", at: 0, bytes: [0x50, 0x4b, 0x07, 0x08] },
  { name: "a gzip file", at: 0, bytes: [0x1f, 0x8b] },
  { name: "a bzip2 file", at: 0, bytes: [0x42, 0x5a, 0x68] },
  { name: "an xz file", at: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: "a 7-Zip archive", at: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: "a RAR archive", at: 0, bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { name: "a Zstandard file", at: 0, bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: "a tar archive", at: 257, bytes: [0x75, 0x73, 0x74, 0x61, 0x72] },
  { name: "an old Excel/Word file", at: 0, bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] },
  { name: "a PDF", at: 0, bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

const REFUSAL = "archives and binary files are not accepted (no decompression, so no zip bombs); upload the plain file";

/**
 * Checks an upload before reading it: by name (extension) and by its first bytes (magic numbers, NUL bytes).
 * Archives and compressed files are refused outright, whatever their name, which is the platform's answer to zip
 * bombs: nothing is ever decompressed. Returns the format implied by the extension (`.json`/`.ndjson` → jsonl).
 * Throws an ImportError (line null) with a reason a user can act on.
 */
export function assertSupportedFile(name: string, head: Uint8Array): FileFormat {
  const ctx = { file: name, line: null };
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? "";
  if (ARCHIVE_EXTENSIONS.includes(ext)) throw importError(ctx, null, `.${ext}: ${REFUSAL}`);
  for (const m of MAGIC) {
    if (head.length >= m.at + m.bytes.length && m.bytes.every((b, i) => head[m.at + i] === b))
      throw importError(ctx, null, `the content is ${m.name}: ${REFUSAL}`);
  }
  const format = EXTENSIONS[ext];
  if (!format)
    throw importError(ctx, null, `unsupported file type ".${ext}"; accepted: ${Object.keys(EXTENSIONS).map((e) => "." + e).join(" ")}`);
  const nul = head.indexOf(0);
  if (nul >= 0) {
    const utf16 = head.length > 1 && (head[0] === 0xff || head[0] === 0xfe || head[1] === 0 || head[0] === 0);
    throw importError(
      ctx,
      null,
      utf16 ? "the file looks like UTF-16 text; re-save it as UTF-8" : `the file holds binary data (NUL byte at offset ${nul})`,
    );
  }
  return format;
}
