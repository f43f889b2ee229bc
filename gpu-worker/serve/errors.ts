/**
 * Typed HTTP errors of the embedding server, rendered as OpenAI-style JSON:
 * `{"error": {"message", "type", "code", "param"}}`. Handlers throw; the router renders. Anything else that escapes
 * a handler becomes a 500 with a generic message (the detail goes to the log, not to the client).
 */
export type ApiErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "not_found_error"
  | "rate_limit_error"
  | "server_error"
  | "unavailable_error";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly param: string | null = null,
  ) {
    super(message);
  }

  toJSON() {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

export const badRequest = (code: string, message: string, param: string | null = null) =>
  new ApiError(400, "invalid_request_error", code, message, {}, param);

export const unauthorized = (code: "missing_api_key" | "invalid_api_key", message: string) =>
  new ApiError(401, "authentication_error", code, message, { "WWW-Authenticate": 'Bearer realm="m3-serve"' });

export const tooLarge = (code: string, message: string) => new ApiError(413, "invalid_request_error", code, message);

export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError(429, "rate_limit_error", "server_overloaded", message, { "Retry-After": String(retryAfterSeconds) });

export const unavailable = (code: string, message: string) =>
  new ApiError(503, "unavailable_error", code, message, { "Retry-After": "1" });
