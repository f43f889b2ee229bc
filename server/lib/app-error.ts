/**
 * The one error type services throw on purpose. `message` is safe to show a user;
 * the tRPC layer maps `code` to an HTTP-ish status. Anything else is an internal error.
 */
export type AppErrorCode = "NOT_FOUND" | "FORBIDDEN" | "UNAUTHORIZED" | "BAD_REQUEST" | "CONFLICT" | "TOO_MANY_REQUESTS";

export class AppError extends Error {
  constructor(
    public readonly code: AppErrorCode,
    message: string,
    public readonly field?: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}
