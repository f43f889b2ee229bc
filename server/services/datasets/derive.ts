import { createHash } from "node:crypto";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { ensureDataset, getVersionOrThrow } from "./datasets";
import { nextVersionNumber } from "./versions";
import { writeAudit } from "../workspaces/audit";

/**
 * What keeps records together across a split: the import's group column when mapped; for an
 * evaluation set the query id (so a query and its judgements stay together; documents are
 * shared by every split); for training pairs the first positive passage.
 */
const GROUP_OF_RECORD = `CASE WHEN type IN ('query', 'qrel') THEN COALESCE("groupKey", key) ELSE COALESCE("groupKey", data->'pos'->>0, text) END`;

export interface SplitRatios {
  train: number;
  validation: number;
  test: number;
}

/**
 * A new version with every record assigned to train / validation / test by a hash of its
 * group key (the import's group column, else the positive passage, else the text), so all
 * records of one group — say, every question about one answer or one MedQuAD focus — land
 * on the same side. Deterministic for a given seed.
 */
export async function splitVersion({ workspaceId, versionId, ratios, seed, userId }: {
  workspaceId: string; versionId: string; ratios: SplitRatios; seed: string; userId: string;
}) {
  const total = ratios.train + ratios.validation + ratios.test;
  if (total <= 0) throw new AppError("BAD_REQUEST", "Split ratios must add up to more than zero", "ratios");
  const trainCut = Math.round((ratios.train / total) * 10_000);
  const validationCut = trainCut + Math.round((ratios.validation / total) * 10_000);
  const source = await getVersionOrThrow(workspaceId, versionId);
  return db.$transaction(async (tx) => {
    const number = await nextVersionNumber(tx, source.datasetId);
    const version = await tx.datasetVersion.create({
      data: {
        workspaceId, datasetId: source.datasetId, number, contentHash: "", rowCount: source.rowCount, counts: source.counts ?? {},
        source: { kind: "split", from: versionId, ratios: { ...ratios }, seed }, createdById: userId,
      },
    });
    // The bucket is computed in SQL so a million-row version never passes through Node.
    await tx.$executeRawUnsafe(
      `INSERT INTO "DatasetRecord" ("versionId", ordinal, type, key, split, "groupKey", text, data)
       SELECT $1, ordinal, type, key,
         CASE WHEN type = 'doc' THEN NULL WHEN bucket < $3 THEN 'train' WHEN bucket < $4 THEN 'validation' ELSE 'test' END,
         "groupKey", text, data
       FROM (
         SELECT *, ('x' || substr(md5($5 || ${GROUP_OF_RECORD}), 1, 8))::bit(32)::bigint % 10000 AS bucket
         FROM "DatasetRecord" WHERE "versionId" = $2
       ) r`,
      version.id, versionId, trainCut, validationCut, seed,
    );
    const hash = createHash("sha256").update(`${source.contentHash}:split:${seed}:${trainCut}:${validationCut}`).digest("hex");
    return tx.datasetVersion.update({ where: { id: version.id }, data: { contentHash: hash } });
  }, { timeout: 600_000 });
}

/**
 * A new version holding only the records of one split (e.g. the held-out test queries), plus
 * the records every split shares (an evaluation set's documents).
 */
export async function filterVersion({ workspaceId, versionId, split, userId }: { workspaceId: string; versionId: string; split: string; userId: string }) {
  const source = await getVersionOrThrow(workspaceId, versionId);
  return db.$transaction(async (tx) => {
    const count = await tx.datasetRecord.count({ where: { versionId, OR: [{ split }, { split: null }] } });
    if (count === 0) throw new AppError("BAD_REQUEST", `Version ${source.number} has no records in split "${split}"`, "split");
    const number = await nextVersionNumber(tx, source.datasetId);
    const version = await tx.datasetVersion.create({
      data: {
        workspaceId, datasetId: source.datasetId, number, rowCount: count, counts: { records: count },
        contentHash: createHash("sha256").update(`${source.contentHash}:filter:${split}`).digest("hex"),
        source: { kind: "filter", from: versionId, split }, createdById: userId,
      },
    });
    await tx.$executeRawUnsafe(
      `INSERT INTO "DatasetRecord" ("versionId", ordinal, type, key, split, "groupKey", text, data)
       SELECT $1, ordinal, type, key, split, "groupKey", text, data FROM "DatasetRecord"
       WHERE "versionId" = $2 AND (split = $3 OR split IS NULL)`,
      version.id, versionId, split,
    );
    return version;
  }, { timeout: 600_000 });
}

/**
 * A new training version holding the pairs of several versions (training, RAG-log or review
 * exports), in order; with `dedupe`, a pair whose query and first positive already appeared is
 * dropped. Splits are not carried over: split the merged version again.
 */
export async function mergeVersions({ workspaceId, versionIds, datasetName, dedupe, userId }: {
  workspaceId: string; versionIds: string[]; datasetName: string; dedupe: boolean; userId: string;
}) {
  const sources = await Promise.all(versionIds.map((id) => getVersionOrThrow(workspaceId, id)));
  const notPairs = sources.find((v) => v.dataset.kind !== "TRAINING" && v.dataset.kind !== "RAG_LOG");
  if (notPairs) throw new AppError("BAD_REQUEST", `${notPairs.dataset.name} v${notPairs.number} holds no training pairs`, "versionIds");
  return db.$transaction(async (tx) => {
    const dataset = await ensureDataset(tx, { workspaceId, name: datasetName, kind: "TRAINING", userId });
    const number = await nextVersionNumber(tx, dataset.id);
    const version = await tx.datasetVersion.create({
      data: { workspaceId, datasetId: dataset.id, number, contentHash: "", rowCount: 0, createdById: userId, source: { kind: "merge", from: versionIds, dedupe } },
    });
    const ordered = `SELECT r.*, array_position($2::text[], r."versionId") AS source_order FROM "DatasetRecord" r
                     WHERE r."versionId" = ANY($2::text[]) AND r.type = 'pair'`;
    const kept = dedupe
      ? `SELECT DISTINCT ON (data->>'query', data->'pos'->>0) * FROM (${ordered}) o ORDER BY data->>'query', data->'pos'->>0, source_order, ordinal`
      : ordered;
    const rows = await tx.$executeRawUnsafe(
      `INSERT INTO "DatasetRecord" ("versionId", ordinal, type, key, split, "groupKey", text, data)
       SELECT $1, (ROW_NUMBER() OVER (ORDER BY source_order, ordinal))::int - 1, type, key, NULL, "groupKey", text, data FROM (${kept}) k`,
      version.id, versionIds,
    );
    const hash = createHash("sha256").update(`merge:${dedupe}:${sources.map((s) => s.contentHash).join(",")}`).digest("hex");
    await writeAudit(tx, { workspaceId, actorId: userId, action: "dataset.merged", details: { datasetId: dataset.id, name: datasetName, versionId: version.id, number, from: versionIds, rows } });
    return tx.datasetVersion.update({ where: { id: version.id }, data: { rowCount: rows, counts: { pair: rows }, contentHash: hash } });
  }, { timeout: 600_000 });
}
