import { createHash } from "node:crypto";
import type { Tx } from "../../../db";

export interface RecordInput {
  type: "pair" | "query" | "doc" | "qrel";
  key?: string | null;
  groupKey?: string | null;
  text: string;
  data: Record<string, unknown>;
}

const BATCH = 1000;

/**
 * Buffers records and writes them in batches inside the import's transaction, hashing the
 * canonical content as it goes (the version's content hash). Memory: one batch.
 */
export class RecordWriter {
  private batch: (RecordInput & { ordinal: number })[] = [];
  private readonly ordinals = new Map<string, number>();
  private readonly hash = createHash("sha256");
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly tx: Tx,
    private readonly versionId: string,
  ) {}

  async add(record: RecordInput): Promise<void> {
    const ordinal = this.ordinals.get(record.type) ?? 0;
    this.ordinals.set(record.type, ordinal + 1);
    this.counts[record.type] = (this.counts[record.type] ?? 0) + 1;
    this.hash.update(`${record.type}\t${JSON.stringify(record.data)}\n`);
    this.batch.push({ ...record, ordinal });
    if (this.batch.length >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const rows = this.batch;
    this.batch = [];
    // One JSON parameter per batch, expanded by PostgreSQL: far less per-row work (and memory)
    // than an ORM bulk insert of a thousand objects.
    const payload = JSON.stringify(rows.map((r) => ({
      versionId: this.versionId, ordinal: r.ordinal, type: r.type, key: r.key ?? null, groupKey: r.groupKey ?? null, text: r.text, data: r.data,
    })));
    await this.tx.$executeRawUnsafe(
      `INSERT INTO "DatasetRecord" ("versionId", ordinal, type, key, "groupKey", text, data)
       SELECT "versionId", ordinal, type, key, "groupKey", text, data FROM json_populate_recordset(NULL::"DatasetRecord", $1::json)`,
      payload,
    );
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}
