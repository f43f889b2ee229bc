import { readFileSync } from "node:fs";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Fails when prisma/schema.prisma and the database built by the committed migrations
 * disagree: models ↔ tables, fields ↔ columns (type, nullability, list), enums, and every
 * id/unique/index (columns in order). Migrations are written by hand offline, so this is
 * the check that they say what the schema says.
 */
interface DmmfField { name: string; kind: string; type: string; isList: boolean; isRequired: boolean; nativeType?: [string, unknown[]] | null; dbName?: string | null }
interface DmmfModel { name: string; dbName: string | null; fields: DmmfField[] }
interface DmmfIndex { model: string; type: "id" | "unique" | "normal" | "fulltext"; fields: { name: string }[] }

const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: readFileSync("prisma/schema.prisma", "utf8") }))) as {
  datamodel: { models: DmmfModel[]; enums: { name: string; values: { name: string }[] }[]; indexes: DmmfIndex[] };
};

/** Prisma scalar (+ native type) → PostgreSQL udt_name, as Prisma's migrations create them. */
function expectedUdt(field: DmmfField, enums: Set<string>): string {
  if (field.kind === "enum") return field.type;
  const native = field.nativeType?.[0];
  if (native === "Uuid") return "uuid";
  const base: Record<string, string> = {
    String: "text", Int: "int4", BigInt: "int8", Float: "float8", Boolean: "bool", DateTime: "timestamp", Json: "jsonb", Decimal: "numeric", Bytes: "bytea",
  };
  const udt = base[field.type];
  if (!udt) throw new Error(`No mapping for ${field.type}${enums.has(field.type) ? " (enum)" : ""}`);
  return udt;
}

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});
afterAll(async () => client.end());

describe("schema.prisma ↔ migrated database", () => {
  it("has exactly the tables of the models", async () => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    const tables = rows.map((r) => r.table_name).sort();
    expect(tables).toEqual(dmmf.datamodel.models.map((m) => m.dbName ?? m.name).sort());
  });

  it("has the enums with the same values", async () => {
    const { rows } = await client.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    const actual = Object.fromEntries(rows.map((r) => [r.typname, r.labels]));
    const expected = Object.fromEntries(dmmf.datamodel.enums.map((e) => [e.name, e.values.map((v) => v.name)]));
    expect(actual).toEqual(expected);
  });

  for (const model of dmmf.datamodel.models) {
    it(`model ${model.name}: columns, types and nullability match`, async () => {
      const table = model.dbName ?? model.name;
      const { rows } = await client.query<{ column_name: string; udt_name: string; is_nullable: string; data_type: string }>(
        `SELECT column_name, udt_name, is_nullable, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [table],
      );
      const enums = new Set(dmmf.datamodel.enums.map((e) => e.name));
      const actual = Object.fromEntries(
        rows.map((r) => [r.column_name, { type: r.data_type === "ARRAY" ? `${r.udt_name.replace(/^_/, "")}[]` : r.udt_name, nullable: r.is_nullable === "YES" }]),
      );
      const expected = Object.fromEntries(
        model.fields
          .filter((f) => f.kind === "scalar" || f.kind === "enum")
          .map((f) => {
            const udt = expectedUdt(f, enums);
            // Prisma creates scalar lists as nullable arrays.
            return [f.dbName ?? f.name, { type: f.isList ? `${udt}[]` : udt, nullable: f.isList ? true : !f.isRequired }];
          }),
      );
      expect(actual).toEqual(expected);
    });
  }

  it("has every id, unique and index of the schema, and no others", async () => {
    const { rows } = await client.query<{ table: string; unique: boolean; primary: boolean; columns: string[] }>(
      `SELECT t.relname AS table, ix.indisunique AS unique, ix.indisprimary AS primary,
              array_agg(a.attname ORDER BY k.ord)::text[] AS columns
       FROM pg_index ix
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
       JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
       WHERE t.relname <> '_prisma_migrations'
       GROUP BY ix.indexrelid, t.relname, ix.indisunique, ix.indisprimary`,
    );
    const describeIndex = (table: string, kind: string, columns: string[]) => `${table} ${kind} (${columns.join(", ")})`;
    const actual = rows.map((r) => describeIndex(r.table, r.primary ? "id" : r.unique ? "unique" : "normal", r.columns)).sort();
    const dbName = new Map(dmmf.datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
    const expected = dmmf.datamodel.indexes
      .map((i) => describeIndex(dbName.get(i.model) ?? i.model, i.type, i.fields.map((f) => f.name)))
      .sort();
    expect(actual).toEqual(expected);
  });
});
