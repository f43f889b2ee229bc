/**
 * /v1/encode output formats through the real HTTP server with the demo model: sparse as ids, token strings or
 * {indices, values}; ColBERT cut to fewer dimensions and as int8 with per-vector scales; bad options get a 400
 * naming the field. The reference is M3Encoder on the same model copy.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { maxDiff, post, TEXTS, useModelCopies, useServer } from "./testing/server-fixture";

const m = useModelCopies();

describe("/v1/encode output formats", () => {
  const served = useServer(m);
  let url: string;
  beforeAll(() => void (url = `${served.url}/v1/encode`));

  const reference = () => m.encoder.encode(TEXTS, { maxLength: m.maxLength, outputs: ["dense", "sparse", "colbert"] });

  it("sparse_format ids: token id → weight only, no token strings", async () => {
    const { status, json } = await post(url, { input: TEXTS, return_dense: false, return_sparse: true, sparse_format: "ids" });
    expect(status).toBe(200);
    const ref = await reference();
    json.data.forEach((d: Record<string, any>, i: number) => {
      expect(d.sparse_ids).toBeUndefined();
      expect(d.dense).toBeUndefined();
      const w = ref.sparse![i]!;
      expect(Object.keys(d.sparse).sort()).toEqual([...w.keys()].map(String).sort());
      for (const [id, weight] of w) expect(Math.abs(d.sparse[String(id)] - weight)).toBeLessThanOrEqual(1e-5);
    });
  });

  it("sparse_format tokens: token string → weight (convert_id_to_token), no sparse_ids", async () => {
    const { json } = await post(url, { input: TEXTS, return_sparse: true, sparse_format: "tokens" });
    const ref = await reference();
    json.data.forEach((d: Record<string, any>, i: number) => {
      expect(d.sparse_ids).toBeUndefined();
      const expected: Record<string, number> = {};
      for (const [id, w] of ref.sparse![i]!) {
        const tok = m.encoder.tokenizer.decode([id]);
        expected[tok] = Math.max(expected[tok] ?? 0, w);
      }
      expect(Object.keys(d.sparse).sort()).toEqual(Object.keys(expected).sort());
      for (const [tok, w] of Object.entries(expected)) expect(Math.abs(d.sparse[tok] - w)).toBeLessThanOrEqual(1e-5);
    });
  });

  it("sparse_format indices_values: ascending ids with their weights", async () => {
    const { json } = await post(url, { input: TEXTS, return_sparse: true, sparse_format: "indices_values" });
    const ref = await reference();
    json.data.forEach((d: Record<string, any>, i: number) => {
      const { indices, values } = d.sparse as { indices: number[]; values: number[] };
      expect(indices).toEqual([...ref.sparse![i]!.keys()].sort((a, b) => a - b));
      expect(values).toHaveLength(indices.length);
      indices.forEach((id, k) => expect(Math.abs(values[k]! - ref.sparse![i]!.get(id)!)).toBeLessThanOrEqual(1e-5));
    });
  });

  it("the default stays sparse tokens plus sparse_ids", async () => {
    const { json } = await post(url, { input: TEXTS[0], return_sparse: true });
    expect(typeof json.data[0].sparse).toBe("object");
    expect(Object.keys(json.data[0].sparse_ids).every((k) => /^\d+$/.test(k))).toBe(true);
  });

  it("colbert_dimensions: the first N components of each vector, re-normalised", async () => {
    const { status, json } = await post(url, { input: TEXTS, return_dense: false, return_colbert: true, colbert_dimensions: 32 });
    expect(status).toBe(200);
    const ref = await reference();
    json.data.forEach((d: Record<string, any>, i: number) => {
      const rows = d.colbert as number[][];
      expect(rows).toHaveLength(ref.lengths[i]! - 1);
      rows.forEach((row, r) => {
        expect(row).toHaveLength(32);
        const full = Array.from(ref.colbert![i]!.subarray(r * 128, r * 128 + 32));
        const n = Math.hypot(...full);
        expect(maxDiff(row, full.map((x) => x / n))).toBeLessThanOrEqual(1e-5);
      });
    });
  });

  it("colbert_format int8: integers in [-127, 127] with one scale per vector, q · scale ≈ x", async () => {
    const { json } = await post(url, { input: TEXTS, return_dense: false, return_colbert: true, colbert_format: "int8", colbert_dimensions: 64 });
    const flt = await post(url, { input: TEXTS, return_dense: false, return_colbert: true, colbert_dimensions: 64 });
    json.data.forEach((d: Record<string, any>, i: number) => {
      const rows = d.colbert as number[][];
      const scales = d.colbert_scales as number[];
      expect(scales).toHaveLength(rows.length);
      rows.forEach((row, r) => {
        expect(row).toHaveLength(64);
        expect(row.every((q) => Number.isInteger(q) && q >= -127 && q <= 127)).toBe(true);
        expect(Math.max(...row.map(Math.abs))).toBe(127); // the largest component uses the full range
        const x = flt.json.data[i].colbert[r] as number[];
        expect(maxDiff(row.map((q) => q * scales[r]!), x)).toBeLessThanOrEqual(scales[r]! / 2 + 1e-6);
      });
    });
  });

  it("bad options get a 400 that names the field", async () => {
    const fmt = await post(url, { input: "x", return_sparse: true, sparse_format: "dict" });
    expect(fmt.status).toBe(400);
    expect(fmt.json.error.message).toMatch(/^sparse_format/);
    const dims = await post(url, { input: "x", return_colbert: true, colbert_dimensions: 4096 });
    expect(dims.status).toBe(400);
    expect(dims.json.error).toMatchObject({ param: "colbert_dimensions" });
    expect(dims.json.error.message).toMatch(/colbert_dimensions: 4096 is larger than the model's 128/);
    const q = await post(url, { input: "x", return_colbert: true, colbert_format: "int4" });
    expect(q.status).toBe(400);
    expect(q.json.error.message).toMatch(/^colbert_format/);
  });

  it("GET /openapi.json lists the new options", async () => {
    const doc = (await (await fetch(`${served.url}/openapi.json`)).json()) as { paths: Record<string, any> };
    const schema = doc.paths["/v1/encode"].post.requestBody.content["application/json"].schema;
    expect(schema.properties.sparse_format.enum).toEqual(["tokens_and_ids", "tokens", "ids", "indices_values"]);
    expect(schema.properties.colbert_format.enum).toEqual(["float", "int8"]);
    expect(schema.properties.colbert_dimensions.type).toBe("integer");
  });
});
