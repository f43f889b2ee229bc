import type { z } from "zod";
import { colbertScore } from "~/server/lib/retrieval/colbert";
import { lexicalScore } from "~/server/lib/retrieval/sparse";
import type { OutputKind } from "../inference/backend";
import { cutColbert, quantizeInt8, sparseById, sparseByToken, sparseIndicesValues, toRows } from "../indexing/vector-formats";
import { ApiError, badRequest } from "./errors";
import { float32Base64 } from "./http-util";
import { checkModel, type ModelNames } from "./model-names";
import type { EncodedInput, Input, ModelSlot, TokenizedInput } from "./model-slot";
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
  /** Inputs (or score pairs) in one request; OpenAI's limit is 2,048. */
  maxInputsPerRequest: number;
  /**
   * Tokens (after truncation, special tokens included) summed over one request's inputs; OpenAI's is 300,000.
   * With the body limit it bounds what one request queues; the micro-batcher still runs it in batches of
   * maxBatchTokens.
   */
  maxTokensPerRequest: number;
  /** The same for requests that return ColBERT vectors (one vector per token in the response). */
  maxColbertTokensPerRequest: number;
  maxBatchTokens: number;
  queueTimeoutMs: number;
}

export interface HandlerContext {
  body: unknown;
  slot: ModelSlot;
  limits: ServeLimits;
  modelName: string;
  /** The names this server answers to (model-names.ts). */
  models: ModelNames;
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

function tooManyInputs(what: string, count: number, max: number): ApiError {
  return new ApiError(413, "invalid_request_error", "too_many_inputs", `${what}: ${count} ${what === "pairs" ? "pairs" : "inputs"} in one request; the limit is ${max} (split the request)`, {}, what);
}

function toInputs(input: string | string[] | number[] | number[][], ctx: HandlerContext): Input[] {
  let inputs: Input[];
  if (typeof input === "string") inputs = [{ text: input }];
  else if (input.length === 0) throw badRequest("invalid_request", "input: must not be empty", "input");
  else if (typeof input[0] === "number") inputs = [{ ids: input as number[] }];
  else if (typeof input[0] === "string") inputs = (input as string[]).map((text) => ({ text }));
  else inputs = (input as number[][]).map((ids) => ({ ids }));
  const max = ctx.limits.maxInputsPerRequest;
  if (inputs.length > max) throw tooManyInputs("input", inputs.length, max);
  inputs.forEach((inp, i) => {
    // OpenAI refuses empty strings (400); an empty input has no meaning to embed.
    if ("text" in inp && inp.text === "") throw badRequest("empty_input", `${typeof input === "string" ? "input" : `input[${i}]`}: must not be an empty string`, "input");
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

/**
 * Encodes through the slot after two checks on the tokenized inputs, made before anything is queued for the
 * model: an input over maxLength with truncate:false (400), and the request's token budget (413).
 * `label(i)` names input i in messages.
 */
async function encode(
  ctx: HandlerContext,
  inputs: Input[],
  outputs: OutputKind[],
  maxLength: number,
  truncate: boolean,
  { param = "input", label = (i: number) => `input[${i}]`, budget: fixedBudget }: { param?: string; label?: (i: number) => string; budget?: number } = {},
): Promise<EncodedInput[]> {
  // ColBERT vectors in a JSON reply cost ~20 bytes per number (dim numbers per token): their own, smaller budget.
  const colbertInReply = fixedBudget === undefined && outputs.includes("colbert");
  const budget = fixedBudget ?? (colbertInReply ? ctx.limits.maxColbertTokensPerRequest : ctx.limits.maxTokensPerRequest);
  const check = (tokens: readonly TokenizedInput[]) => {
    const cut = tokens.findIndex((t) => t.truncated);
    if (cut >= 0 && !truncate) throw badRequest("context_length_exceeded", `${label(cut)} has ${tokens[cut]!.fullLength} tokens; the maximum is ${maxLength} (send truncate: true to truncate)`, param);
    const total = tokens.reduce((s, t) => s + t.length, 0);
    if (total > budget) {
      const what = colbertInReply ? "tokens with ColBERT vectors in the reply" : "tokens";
      throw new ApiError(413, "invalid_request_error", "too_many_tokens", `${param}: ${total} ${what} in one request; the limit is ${budget} (split the request)`, {}, param);
    }
  };
  const enc = await ctx.slot.encode(inputs, outputs, maxLength, check);
  ctx.onTruncated(enc.filter((e) => e.truncated).length);
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
  checkModel(ctx.models, req.model);
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
  checkModel(ctx.models, req.model);
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
  checkModel(ctx.models, req.model);
  const pairs = typeof req.pairs[0] === "string" ? [req.pairs as [string, string]] : (req.pairs as Array<[string, string]>);
  if (pairs.length > ctx.limits.maxInputsPerRequest) throw tooManyInputs("pairs", pairs.length, ctx.limits.maxInputsPerRequest);
  pairs.forEach(([q, p], i) => {
    if (q === "" || p === "") throw badRequest("empty_input", `pairs[${i}][${q === "" ? 0 : 1}]: must not be an empty string`, "pairs");
  });
  const [wd, ws, wc] = req.weights;
  if (wd + ws + wc <= 0) throw badRequest("invalid_request", "weights: at least one weight must be positive", "weights");
  const outputs: OutputKind[] = ["dense", "sparse", "colbert"];
  // Queries and passages share the request's token budget (their ColBERT vectors stay inside the server).
  const half = Math.floor(ctx.limits.maxTokensPerRequest / 2);
  const [qs, ps] = await Promise.all([
    encode(ctx, pairs.map(([q]) => ({ text: q })), outputs, maxLengthOf(req.max_query_length, ctx), req.truncate, { param: "pairs", label: (i) => `pairs[${i}][0]`, budget: half }),
    encode(ctx, pairs.map(([, p]) => ({ text: p })), outputs, maxLengthOf(req.max_passage_length, ctx), req.truncate, { param: "pairs", label: (i) => `pairs[${i}][1]`, budget: half }),
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
