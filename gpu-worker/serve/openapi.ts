import { z } from "zod";
import { embeddingsRequest, encodeRequest, feedbackRequest, scoreRequest } from "./schemas";

/**
 * OpenAPI 3.1 description of the serving API, built from the same zod schemas the handlers validate with (served
 * at GET /openapi.json; the platform's docs page can render it).
 */
const body = (schema: z.ZodType) => ({
  required: true,
  content: { "application/json": { schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) } },
});
const error = { $ref: "#/components/responses/Error" };
// 502/503 also come from the platform's router (no reachable or live replica; a deployment awaiting Go live).
// 404 model_not_found: `model` names another model (model-names.ts); 413: too many inputs, tokens or bytes.
const errors = { "400": error, "401": error, "404": error, "413": error, "429": error, "502": error, "503": error };
// Only meaningful on a traffic split's URL: keeps a user on one variant (else the API key does).
const xUser = { name: "X-User", in: "header", required: false, schema: { type: "string" }, description: "Sticky A/B assignment key on a traffic split's URL" };

const modelSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    object: { const: "model" },
    created: { type: "integer", description: "Unix seconds when the serving process loaded the model" },
    owned_by: { type: "string" },
    aliases: { type: "array", items: { type: "string" }, description: "Other accepted `model` names (extension)" },
  },
  required: ["id", "object", "created", "owned_by"],
};
const modelListSchema = { type: "object", properties: { object: { const: "list" }, data: { type: "array", items: modelSchema } }, required: ["object", "data"] };

export function openApiDocument(modelName: string): Record<string, unknown> {
  const post = (summary: string, schema: z.ZodType, ok: string) => ({
    post: { summary, security: [{ bearer: [] }], parameters: [xUser], requestBody: body(schema), responses: { "200": { description: ok }, ...errors } },
  });
  return {
    openapi: "3.1.0",
    info: { title: `M3 Studio embedding API (${modelName})`, version: "1" },
    // The same routes answer on a replica directly and behind the web app's router (deploy/README.md): it forwards
    // /v1/* and /openapi.json (which it re-points at the deployment's URL), answers /health itself, and keeps
    // /metrics per replica.
    servers: [
      { url: "/", description: "this replica" },
      { url: "{web}/api/deployments/{deploymentId}", description: "the deployment, balanced across its healthy replicas", variables: { web: { default: "http://localhost:3000" }, deploymentId: { default: "DEPLOYMENT_ID" } } },
      { url: "{web}/api/splits/{splitId}", description: "an A/B traffic split between two deployments (response header x-m3-variant)", variables: { web: { default: "http://localhost:3000" }, splitId: { default: "SPLIT_ID" } } },
    ],
    paths: {
      "/v1/embeddings": post("OpenAI-compatible embeddings (dense)", embeddingsRequest, "{object:list, data:[{object:embedding, index, embedding}], model, usage, truncated}"),
      "/v1/encode": post("Dense, sparse (token → weight, id → weight or {indices, values}) and ColBERT (float or int8, optionally cut) outputs", encodeRequest, "{object:list, data:[{index, dense?, sparse?, sparse_ids?, colbert?, colbert_scales?}], usage, truncated}"),
      "/v1/score": post("FlagEmbedding compute_score for query–passage pairs", scoreRequest, "{data:[{dense, sparse, colbert, 'sparse+dense', 'colbert+sparse+dense'}], weights}"),
      "/v1/feedback": {
        post: { summary: "Report a RAG query, its retrieved documents and the helpful ones", security: [{ bearer: [] }], requestBody: body(feedbackRequest), responses: { "202": { description: "accepted" }, ...errors } },
      },
      "/v1/models": {
        get: {
          summary: "The served model (OpenAI's list shape); `aliases` are the other accepted `model` names",
          security: [{ bearer: [] }],
          responses: { "200": { description: "{object:list, data:[{id, object:model, created, owned_by, aliases}]}", content: { "application/json": { schema: modelListSchema } } }, "401": error },
        },
      },
      "/v1/models/{model}": {
        get: {
          summary: "One model by any accepted name (404 model_not_found otherwise)",
          security: [{ bearer: [] }],
          parameters: [{ name: "model", in: "path", required: true, schema: { type: "string" }, description: "URL-encoded; BAAI%2Fbge-m3 or BAAI/bge-m3" }],
          responses: { "200": { description: "{id, object:model, created, owned_by, aliases}", content: { "application/json": { schema: modelSchema } } }, "401": error, "404": error },
        },
      },
      "/health": {
        get: {
          summary: "Model and backend health, and where it runs (device cpu/cuda, provider cpu/cuda/torch, precision fp32/int8/fp16). Through the deployment URL without a key: only {status} (ok / unavailable), answered by the router; with the key: a replica's full answer plus replicas",
          responses: { "200": { description: "ok" }, "503": error },
        },
      },
      "/metrics": { get: { summary: "Prometheus metrics", responses: { "200": { description: "text/plain" } } } },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      responses: {
        Error: {
          description: "OpenAI-style error",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: { error: { type: "object", properties: { message: { type: "string" }, type: { type: "string" }, code: { type: "string" }, param: { type: ["string", "null"] } } } },
              },
            },
          },
        },
      },
    },
  };
}
