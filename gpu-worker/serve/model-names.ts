import { ApiError } from "./errors";

/**
 * Which `model` names a server answers to, and its GET /v1/models list. A request naming another model is refused
 * with OpenAI's 404 `model_not_found` rather than silently served by this one (a client pointed at the wrong URL
 * finds out at once). Accepted, compared case-insensitively: the served name (the deployment's name), its aliases
 * (the platform adds the deployment's id), and BGE-M3's own names: every model served here is BGE-M3 or a
 * fine-tune of it, and clients written for a stock BGE-M3 endpoint (TEI, vLLM, Ollama, LangChain/LlamaIndex
 * configs) send "BAAI/bge-m3" or "bge-m3" — they work by changing only the base URL. No `model` at all is
 * accepted too (OpenAI requires it; being lenient costs nothing here).
 */
export const M3_FAMILY_NAMES = ["BAAI/bge-m3", "bge-m3"] as const;

export interface ModelNames {
  /** The served name: `model` in every response, the id in GET /v1/models. */
  name: string;
  /** Other accepted names (listed as `aliases` in GET /v1/models). */
  aliases: string[];
}

export function modelNames(name: string, extraAliases: readonly string[] = []): ModelNames {
  const seen = new Set([name.toLowerCase()]);
  const aliases: string[] = [];
  for (const a of [...extraAliases, ...M3_FAMILY_NAMES]) {
    const key = a.trim().toLowerCase();
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    aliases.push(a.trim());
  }
  return { name, aliases };
}

export function acceptsModel(names: ModelNames, requested: string): boolean {
  const r = requested.trim().toLowerCase();
  return r === names.name.toLowerCase() || names.aliases.some((a) => a.toLowerCase() === r);
}

export function modelNotFound(names: ModelNames, requested: string): ApiError {
  const accepted = [names.name, ...names.aliases].map((n) => JSON.stringify(n)).join(", ");
  return new ApiError(
    404,
    "invalid_request_error",
    "model_not_found",
    `model: ${JSON.stringify(requested)} is not served here; this deployment answers to ${accepted} (GET /v1/models lists it)`,
    {},
    "model",
  );
}

/** Throws 404 model_not_found unless `requested` is absent or one of the accepted names. */
export function checkModel(names: ModelNames, requested: string | undefined): void {
  if (requested !== undefined && !acceptsModel(names, requested)) throw modelNotFound(names, requested);
}

/** OpenAI's model object; `aliases` is an extension (OpenAI clients ignore unknown fields). */
export function modelObject(names: ModelNames, createdSeconds: number) {
  return { id: names.name, object: "model", created: createdSeconds, owned_by: "m3-studio", aliases: names.aliases };
}

export function modelList(names: ModelNames, createdSeconds: number) {
  return { object: "list", data: [modelObject(names, createdSeconds)] };
}
