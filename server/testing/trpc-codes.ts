import { TRPCError } from "@trpc/server";

/** The tRPC error code a call ends with ("OK" when it succeeds): what authorisation tests compare. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : `non-tRPC error: ${String(error)}`;
  }
}
