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
const errors = { "400": error, "401": error, "413": error, "429": error, "502": error, "503": error };
// Only meaningful on a traffic split's URL: keeps a user on one variant (else the API key does).
const xUser = { name: "X-User", in: "header", required: false, schema: { type: "string" }, description: "Sticky A/B assignment key on a traffic split's URL" };

export function openApiDocument(modelName: string): Record<string, unknown> {
  const post = (summary: string, schema: z.ZodType, ok: string) => ({
    post: { summary, security: [{ bearer: [] }], parameters: [xUser], requestBody: body(schema), responses: { "200": { description: ok }, ...errors } },
  });
  return {
    openapi: "3.1.0",
    info: { title: `M3 Studio embedding API (${modelName})`, version: "1" },
    // The same /v1 routes answer on a replica directly and behind the web app's router (deploy/README.md);
    // the router forwards POST /v1/* only (health and metrics are per replica).
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
        post: { summary: "Report a RAG query, its retrieved documents and the helpful ones", security: [{ bearer: [] }], requestBody: body(feedbackRequest), responses: { "202": { description: "accepted" }, "404": error, ...errors } },
      },
      "/health": { get: { summary: "Model and backend health", responses: { "200": { description: "ok" }, "503": error } } },
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
