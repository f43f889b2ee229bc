import type { z } from "zod";
import { colbertScore } from "~/server/lib/retrieval/colbert";
import { lexicalScore } from "~/server/lib/retrieval/sparse";
import type { OutputKind } from "../inference/backend";
import { cutColbert, quantizeInt8, sparseById, sparseByToken, sparseIndicesValues, toRows } from "../indexing/vector-formats";
import { ApiError, badRequest } from "./errors";
import { float32Base64 } from "./http-util";
import type { EncodedInput, Input, ModelSlot } from "./model-slot";
import { embeddingsRequest, encodeRequest, feedbackRequest, scoreRequest, type FeedbackBody } from "./schemas";

/**
 * Thin endpoint handlers: validate the body (zod), turn it into inputs, encode through the current model slot
 * (cache + cross-request batcher), shape the response. No HTTP, auth or admission here (server.ts does that).
 */
export interface ServeLimits {
  maxConcurrentRequests: number;
  /** Requests allowed to wait for a slot beyond maxConcurrentRequests (default: maxConcurrentRequests). */
  maxQueuedRequests?: number;
  maxBodyBytes: number;
  maxInputsPerRequest: number;
  maxBatchTokens: number;
  queueTimeoutMs: number;
}

export interface HandlerContext {
  body: unknown;
  slot: ModelSlot;
  limits: ServeLimits;
  modelName: string;
  keyId: string | null;
  onFeedback?: (body: FeedbackBody, meta: { keyId: string | null }) => Promise<void>;
  onTruncated: (count: number) => void;
}

export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const TRUNCATED_HEADER = "X-M3-Truncated-Inputs";

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  const where = first.path.length ? first.path.join(".") : "body";
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more issue(s))` : "";
  throw badRequest("invalid_request", `${where}: ${first.message}${more}`, first.path.length ? String(first.path[0]) : null);
}

function toInputs(input: string | string[] | number[] | number[][], ctx: HandlerContext): Input[] {
  let inputs: Input[];
  if (typeof input === "string") inputs = [{ text: input }];
  else if (input.length === 0) throw badRequest("invalid_request", "input: must not be empty", "input");
  else if (typeof input[0] === "number") inputs = [{ ids: input as number[] }];
  else if (typeof input[0] === "string") inputs = (input as string[]).map((text) => ({ text }));
  else inputs = (input as number[][]).map((ids) => ({ ids }));
  const max = ctx.limits.maxInputsPerRequest;
  if (inputs.length > max)
    throw new ApiError(413, "invalid_request_error", "too_many_inputs", `input: ${inputs.length} inputs in one request; the limit is ${max} (split the request)`, {}, "input");
  inputs.forEach((inp, i) => {
    if ("ids" in inp) {
      const bad = inp.ids.find((id) => id >= ctx.slot.vocabSize);
      if (bad !== undefined) throw badRequest("invalid_request", `input[${i}]: token id ${bad} is outside the vocabulary (size ${ctx.slot.vocabSize})`, "input");
    }
  });
  return inputs;
}

function maxLengthOf(requested: number | undefined, ctx: HandlerContext): number {
  return Math.min(requested ?? ctx.slot.maxLength, ctx.slot.maxLength);
}

async function encode(ctx: HandlerContext, inputs: Input[], outputs: OutputKind[], maxLength: number, truncate: boolean): Promise<EncodedInput[]> {
  const enc = await ctx.slot.encode(inputs, outputs, maxLength);
  const cut = enc.flatMap((e, i) => (e.truncated ? [i] : []));
  if (cut.length > 0 && !truncate) {
    const i = cut[0]!;
    throw badRequest("context_length_exceeded", `input[${i}] has ${enc[i]!.fullLength} tokens; the maximum is ${maxLength} (send truncate: true to truncate)`, "input");
  }
  ctx.onTruncated(cut.length);
  return enc;
}

function truncation(enc: EncodedInput[]): { truncated: number[]; headers: Record<string, string> } {
  const truncated = enc.flatMap((e, i) => (e.truncated ? [i] : []));
  return { truncated, headers: { [TRUNCATED_HEADER]: String(truncated.length) } };
}

function checkDimensions(dimensions: number | undefined, dim: number): number {
  if (dimensions === undefined) return dim;
  if (dimensions > dim) throw badRequest("invalid_request", `dimensions: ${dimensions} is larger than the model's ${dim}`, "dimensions");
  return dimensions;
}

/** First `dims` components, re-normalised to unit length (Matryoshka-style truncation). */
function shorten(v: Float32Array, dims: number): Float32Array {
  if (dims === v.length) return v;
  const out = v.slice(0, dims);
  let n = 0;
  for (const x of out) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i]! /= n;
  return out;
}

const usage = (enc: EncodedInput[]) => {
  const tokens = enc.reduce((s, e) => s + e.length, 0);
  return { prompt_tokens: tokens, total_tokens: tokens };
};

/** POST /v1/embeddings (OpenAI-compatible). */
export async function embeddings(ctx: HandlerContext): Promise<Reply> {
  const req = parse(embeddingsRequest, ctx.body);
  const inputs = toInputs(req.input, ctx);
  const dims = checkDimensions(req.dimensions, ctx.slot.dim);
  const enc = await encode(ctx, inputs, ["dense"], ctx.slot.maxLength, req.truncate);
  const { truncated, headers } = truncation(enc);
  const data = enc.map((e, index) => {
    const v = shorten(e.dense!, dims);
    return { object: "embedding", index, embedding: req.encoding_format === "base64" ? float32Base64(v) : Array.from(v) };
  });
  return { body: { object: "list", data, model: ctx.modelName, usage: usage(enc), truncated }, headers };
}

/** POST /v1/encode: dense / sparse (token → weight and id → weight) / ColBERT vectors. */
export async function encodeTexts(ctx: HandlerContext): Promise<Reply> {
  const req = parse(encodeRequest, ctx.body);
  const inputs = toInputs(req.input, ctx);
  const outputs: OutputKind[] = [];
  if (req.return_dense) outputs.push("dense");
  if (req.return_sparse) outputs.push("sparse");
  if (req.return_colbert) outputs.push("colbert");
  if (outputs.length === 0) throw badRequest("invalid_request", "nothing to return: set return_dense, return_sparse or return_colbert");
  const dims = checkDimensions(req.dimensions, ctx.slot.dim);
  const dim = ctx.slot.dim;
  if (req.colbert_dimensions !== undefined && req.colbert_dimensions > dim)
    throw badRequest("invalid_request", `colbert_dimensions: ${req.colbert_dimensions} is larger than the model's ${dim}`, "colbert_dimensions");
  const colbertDims = req.colbert_dimensions ?? dim;
  const maxLength = maxLengthOf(req.max_length, ctx);
  const enc = await encode(ctx, inputs, outputs, maxLength, req.truncate);
  const { truncated, headers } = truncation(enc);
  const tokenString = (id: number) => ctx.slot.tokenString(id);
  const data = enc.map((e, index) => {
    const item: Record<string, unknown> = { object: "encoding", index, tokens: e.length };
    if (e.dense) item.dense = Array.from(shorten(e.dense, dims));
    if (e.sparse) {
      if (req.sparse_format === "tokens_and_ids") {
        item.sparse = sparseByToken(e.sparse, tokenString);
        item.sparse_ids = sparseById(e.sparse);
      } else if (req.sparse_format === "tokens") item.sparse = sparseByToken(e.sparse, tokenString);
      else if (req.sparse_format === "ids") item.sparse = sparseById(e.sparse);
      else item.sparse = sparseIndicesValues(e.sparse);
    }
    if (e.colbert) {
      const rows = cutColbert(e.colbert, dim, colbertDims);
      if (req.colbert_format === "int8") {
        const q = quantizeInt8(rows, colbertDims);
        item.colbert = toRows(q.values, colbertDims);
        item.colbert_scales = Array.from(q.scales);
      } else item.colbert = toRows(rows, colbertDims);
    }
    return item;
  });
  return { body: { object: "list", data, model: ctx.modelName, dim: dims, usage: usage(enc), truncated }, headers };
}

/** POST /v1/score: FlagEmbedding compute_score for query–passage pairs. */
export async function score(ctx: HandlerContext): Promise<Reply> {
  const req = parse(scoreRequest, ctx.body);
  const pairs = typeof req.pairs[0] === "string" ? [req.pairs as [string, string]] : (req.pairs as Array<[string, string]>);
  if (pairs.length > ctx.limits.maxInputsPerRequest)
    throw new ApiError(413, "invalid_request_error", "too_many_inputs", `pairs: ${pairs.length} pairs in one request; the limit is ${ctx.limits.maxInputsPerRequest}`, {}, "pairs");
  const [wd, ws, wc] = req.weights;
  if (wd + ws + wc <= 0) throw badRequest("invalid_request", "weights: at least one weight must be positive", "weights");
  const outputs: OutputKind[] = ["dense", "sparse", "colbert"];
  const [qs, ps] = await Promise.all([
    encode(ctx, pairs.map(([q]) => ({ text: q })), outputs, maxLengthOf(req.max_query_length, ctx), req.truncate),
    encode(ctx, pairs.map(([, p]) => ({ text: p })), outputs, maxLengthOf(req.max_passage_length, ctx), req.truncate),
  ]);
  const dim = ctx.slot.dim;
  const data = pairs.map((_, index) => {
    const q = qs[index]!;
    const p = ps[index]!;
    let dense = 0;
    for (let i = 0; i < dim; i++) dense += q.dense![i]! * p.dense![i]!;
    const sparse = lexicalScore(q.sparse!, p.sparse!);
    const colbert = colbertScore(q.colbert!, p.colbert!, dim);
    const sd = ws + wd > 0 ? (ws * sparse + wd * dense) / (ws + wd) : 0;
    const all = (wd * dense + ws * sparse + wc * colbert) / (wd + ws + wc);
    return { index, dense, sparse, colbert, "sparse+dense": sd, "colbert+sparse+dense": all };
  });
  const truncatedQ = qs.flatMap((e, i) => (e.truncated ? [i] : []));
  const truncatedP = ps.flatMap((e, i) => (e.truncated ? [i] : []));
  const tokens = usage(qs).prompt_tokens + usage(ps).prompt_tokens;
  return {
    body: {
      object: "list",
      data,
      model: ctx.modelName,
      weights: req.weights,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
      truncated: { queries: truncatedQ, passages: truncatedP },
    },
    headers: { [TRUNCATED_HEADER]: String(truncatedQ.length + truncatedP.length) },
  };
}

/** POST /v1/feedback: a validated RAG-log line handed to the platform (404 when the deployment has none). */
export async function feedback(ctx: HandlerContext): Promise<Reply> {
  if (!ctx.onFeedback) throw new ApiError(404, "not_found_error", "feedback_disabled", "feedback is not enabled for this deployment");
  const body = parse(feedbackRequest, ctx.body);
  await ctx.onFeedback(body, { keyId: ctx.keyId });
  return { status: 202, body: { object: "feedback", accepted: true } };
}
