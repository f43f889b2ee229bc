import { TRPCClientError } from "@trpc/client";

/** Field → first message, from a tRPC error carrying zod issues or an AppError field. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof TRPCClientError)) return {};
  const data = error.data as { zodError?: { fieldErrors?: Record<string, string[]> } | null; field?: string | null } | undefined;
  const out: Record<string, string> = {};
  for (const [field, messages] of Object.entries(data?.zodError?.fieldErrors ?? {})) {
    if (messages?.[0]) out[field] = messages[0];
  }
  if (data?.field && !out[data.field]) out[data.field] = error.message;
  return out;
}

export function errorMessage(error: unknown): string | null {
  if (!error) return null;
  if (error instanceof TRPCClientError && (error.data as { zodError?: unknown })?.zodError) return null;
  return error instanceof Error ? error.message : String(error);
}
