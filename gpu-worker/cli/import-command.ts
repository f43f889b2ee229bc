import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

/**
 * `m3 import FILE [FILE...] --kind train|eval|docs|raglog [--map query=COL,positive=COL,...]
 *  [--workspace SLUG] [--name DATASET]` — the browser's import path (runImport) from a shell,
 * against DATABASE_URL. Prints a JSON summary; on bad input prints `file:line: field: reason`
 * lines, exits 1, and leaves nothing behind (no version, no upload row, no stored file).
 * With --kind eval: one pairs file (positives become relevant documents) or three BEIR files
 * in the order corpus, queries, qrels.
 */
const KINDS = { train: "TRAINING", eval: "EVALUATION", docs: "DOCUMENTS", raglog: "RAG_LOG" } as const;

function parseMapping(spec: string | undefined) {
  if (!spec) return undefined;
  const mapping: Record<string, string | string[]> = {};
  for (const part of spec.split(",")) {
    const [key, column] = part.split("=").map((s) => s.trim());
    if (!key || !column) throw new Error(`--map: expected role=COLUMN pairs, got "${part}"`);
    if (key === "negative") mapping.negative = [...((mapping.negative as string[] | undefined) ?? []), column];
    else mapping[key] = column;
  }
  return mapping;
}

export async function importCommand(argv: string[]): Promise<{ code: number; output: unknown }> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { kind: { type: "string" }, map: { type: "string" }, workspace: { type: "string" }, name: { type: "string" } },
  });
  const kind = KINDS[values.kind as keyof typeof KINDS];
  if (!kind || positionals.length === 0) throw new Error("usage: m3 import FILE [FILE...] --kind train|eval|docs|raglog [--map query=COL,...] [--workspace SLUG] [--name NAME]");
  // Imports need no sessions; the web app's secret is not required here.
  process.env.AUTH_SECRET ??= randomBytes(32).toString("hex");
  const { db } = await import("../../server/db");
  const { resolveArtifact } = await import("../../server/storage/artifacts");
  const { storeLocalFile } = await import("../../server/services/datasets/uploads");
  const { runImport } = await import("../../server/services/datasets/import/run-import");
  const { ImportError, formatIssue } = await import("../../server/lib/parsing");

  const workspaces = await db.workspace.findMany({ where: values.workspace ? { slug: values.workspace } : {}, include: { memberships: { where: { role: "OWNER" }, take: 1 } } });
  if (workspaces.length === 0) throw new Error(values.workspace ? `no workspace with slug "${values.workspace}"` : "no workspace yet: create one in the web app first");
  if (workspaces.length > 1) throw new Error("several workspaces exist: pass --workspace SLUG");
  const workspace = workspaces[0]!;
  const userId = workspace.memberships[0]?.userId;
  if (!userId) throw new Error(`workspace ${workspace.slug} has no owner`);

  const roles = kind === "EVALUATION" ? (positionals.length === 1 ? ["pairs"] : ["corpus", "queries", "qrels"]) : [{ TRAINING: "pairs", DOCUMENTS: "docs", RAG_LOG: "logs" }[kind]];
  if (roles.length !== positionals.length) throw new Error(`--kind ${values.kind} takes ${roles.length} file(s), got ${positionals.length}`);
  const mapping = parseMapping(values.map);
  const uploads = [];
  for (const file of positionals) {
    uploads.push(await storeLocalFile({ workspaceId: workspace.id, userId, file }));
  }
  try {
    const result = await runImport({
      workspaceId: workspace.id, userId, kind, pairsAsEvaluation: kind === "EVALUATION" && roles[0] === "pairs",
      datasetName: values.name ?? path.basename(positionals[0]!).replace(/\.[^.]+$/, ""),
      files: uploads.map((u, i) => ({ uploadId: u.id, role: roles[i] as "pairs", ...(mapping && (roles[i] === "pairs" || roles[i] === "docs" || roles[i] === "corpus") ? { mapping } : {}) })),
    }, { progress: async () => undefined, signal: new AbortController().signal });
    return { code: 0, output: { workspace: workspace.slug, datasetId: result.datasetId, versionId: result.versionId, version: result.number, rows: result.rows, counts: result.counts } };
  } catch (error) {
    // Nothing may remain from a refused import: drop the upload rows and files it created.
    for (const u of uploads) {
      await db.upload.delete({ where: { id: u.id } });
      const shared = await db.upload.count({ where: { storagePath: u.storagePath } });
      if (shared === 0) await rm(resolveArtifact(u.storagePath), { force: true });
    }
    if (error instanceof ImportError) {
      process.stderr.write(error.issues.map(formatIssue).join("\n") + "\n");
      return { code: 1, output: null };
    }
    throw error;
  } finally {
    await db.$disconnect();
  }
}
