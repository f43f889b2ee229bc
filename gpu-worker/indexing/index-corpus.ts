import { createHash } from "node:crypto";
import path from "node:path";
import { writeFileAtomic } from "../inference/atomic-write";
import type { OutputKind } from "../inference/backend";
import type { M3Encoder } from "../inference/encoder";
import { measureColbertRecall, type ColbertRecallInput } from "./colbert-recall";
import { PartStore } from "./parts";
import { StorageCostCounter, type ColbertRecallCost, type StorageCost } from "./storage-cost";
import type { ExportedStore, IndexedDocument, IndexLayout, IndexSettings, IndexStore } from "./types";
import { cutColbert } from "./vector-formats";
import { createIndexWriters } from "./writers";

/**
 * Indexing a corpus: documents are encoded in fixed-size batches, each batch stored as an atomic part file
 * (parts.ts), then every part is streamed through the chosen stores' writers (writers.ts) into `outDir/<store>/`,
 * and `outDir/manifest.json` is written last. A run that stopped (crash, lost lease, shutdown) and is started
 * again with the same options continues after its last written batch and produces the same files.
 */
export interface CorpusSource {
  total: number;
  /** Documents [offset, offset + limit) in a fixed order. */
  page(offset: number, limit: number): Promise<Array<{ id: string; text: string }>>;
}

export interface IndexCorpusOptions extends IndexSettings {
  encoder: M3Encoder;
  source: CorpusSource;
  outDir: string;
  stores: readonly IndexStore[];
  vocabSize: number;
  maxLength: number;
  batchSize: number;
  signal?: AbortSignal;
  progress?: (fraction: number, message: string) => Promise<void> | void;
  /** An evaluation set on which the recall cost of each ColBERT option is measured (with ColBERT only). */
  evaluation?: Pick<ColbertRecallInput, "label" | "data"> | null;
  /** Called after each batch is on disk (tests stop a run here). */
  afterBatch?: (batch: number) => Promise<void> | void;
}

export interface IndexManifest extends IndexSettings {
  documents: number;
  dim: number;
  maxLength: number;
  stores: ExportedStore[];
  storage: StorageCost;
  /** recall@10 / nDCG@10 of each ColBERT option of `storage` on the chosen evaluation set; null without one. */
  colbertRecall: ColbertRecallCost | null;
  /** Batches encoded by this run (fewer than the total when it resumed). */
  encodedBatches: number;
  totalBatches: number;
}

export const MANIFEST = "manifest.json";

/** Options that change the encoded parts: a different plan starts over. */
function planKey(o: IndexCorpusOptions): string {
  const plan = { model: o.model, total: o.source.total, maxLength: o.maxLength, sparse: o.sparse, colbert: o.colbert, batchSize: o.batchSize };
  return createHash("sha256").update(JSON.stringify(plan)).digest("hex").slice(0, 16);
}

export async function indexCorpus(o: IndexCorpusOptions): Promise<IndexManifest> {
  const dim = o.encoder.dim;
  if (o.colbert && (o.colbert.dimensions < 1 || o.colbert.dimensions > dim)) throw new Error(`colbert.dimensions: ${o.colbert.dimensions} is outside 1…${dim}`);
  if (o.source.total === 0) throw new Error("the corpus holds no documents");
  const partsRoot = path.join(o.outDir, ".parts");
  const key = planKey(o);
  PartStore.removeOthers(partsRoot, key);
  const parts = new PartStore(path.join(partsRoot, key));
  const totalBatches = Math.ceil(o.source.total / o.batchSize);
  const outputs: OutputKind[] = ["dense", ...(o.sparse ? (["sparse"] as const) : []), ...(o.colbert ? (["colbert"] as const) : [])];
  const start = Math.min(parts.completed(), totalBatches);
  if (start > 0) await o.progress?.((0.9 * start) / totalBatches, `resuming after batch ${start} of ${totalBatches}`);

  for (let b = start; b < totalBatches; b++) {
    if (o.signal?.aborted) throw o.signal.reason ?? new Error("aborted");
    const docs = await o.source.page(b * o.batchSize, o.batchSize);
    const enc = await o.encoder.encode(docs.map((d) => d.text), { maxLength: o.maxLength, outputs, signal: o.signal });
    const encoded: IndexedDocument[] = docs.map((d, i) => ({
      id: d.id,
      text: d.text,
      dense: enc.dense.slice(i * dim, (i + 1) * dim),
      sparse: enc.sparse?.[i],
      colbert: o.colbert ? cutColbert(enc.colbert![i]!, dim, o.colbert.dimensions) : undefined,
    }));
    parts.write(b, encoded);
    await o.afterBatch?.(b);
    await o.progress?.((0.9 * (b + 1)) / totalBatches, `encoded ${Math.min((b + 1) * o.batchSize, o.source.total)} of ${o.source.total} documents`);
  }

  await o.progress?.(0.9, `writing ${o.stores.join(", ")} files`);
  const settings: IndexSettings = { name: o.name, model: o.model, sparse: o.sparse, colbert: o.colbert, weights: o.weights };
  const layout: IndexLayout = { ...settings, dim, vocabSize: o.vocabSize, tokenString: (id) => o.encoder.tokenizer.decode([id]) };
  const writers = createIndexWriters(o.outDir, o.stores, layout);
  const cost = new StorageCostCounter(dim, o.sparse, o.colbert?.dimensions ?? null);
  let count = 0;
  try {
    for await (const doc of parts.documents(totalBatches)) {
      await writers.add(doc);
      cost.add(doc.sparse?.size ?? 0, doc.colbert ? doc.colbert.length / o.colbert!.dimensions : 0);
      count++;
    }
  } catch (e) {
    await writers.abort();
    throw e;
  }
  const stores = await writers.finish();
  const storage = cost.result();
  let colbertRecall: ColbertRecallCost | null = null;
  if (o.colbert && o.evaluation) {
    await o.progress?.(0.95, `measuring the recall of each ColBERT option on ${o.evaluation.label}`);
    colbertRecall = await measureColbertRecall({ encoder: o.encoder, ...o.evaluation, options: storage.colbert, passageMaxLength: o.maxLength, signal: o.signal });
  }
  const manifest: IndexManifest = {
    ...settings, documents: count, dim, maxLength: o.maxLength, stores, storage, colbertRecall, encodedBatches: totalBatches - start, totalBatches,
  };
  writeFileAtomic(path.join(o.outDir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
  parts.remove();
  await o.progress?.(1, `indexed ${count} documents`);
  return manifest;
}
