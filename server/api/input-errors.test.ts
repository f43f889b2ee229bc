import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { ZodError, z } from "zod";
import { callerFor, createUser, createWorkspaceWith } from "../testing/factories";
import { appRouter } from "./root";
import { createContext } from "./trpc";

/** Malformed input gets field-level errors (what the forms show next to each field). */
async function fieldErrorsOf(promise: Promise<unknown>): Promise<Record<string, string[] | undefined>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    const cause = (error as TRPCError).cause;
    expect(cause).toBeInstanceOf(ZodError);
    return z.flattenError(cause as ZodError).fieldErrors as Record<string, string[] | undefined>;
  }
  throw new Error("expected the call to fail");
}

let ownerId: string;
let workspaceId: string;
beforeAll(async () => {
  ownerId = (await createUser()).id;
  workspaceId = (await createWorkspaceWith([{ userId: ownerId, role: "OWNER" }])).id;
});

describe("field-level input errors", () => {
  it("sign-up names the bad email and the short password", async () => {
    const errors = await fieldErrorsOf(callerFor(null).auth.signUp({ email: "not-an-email", password: "short" }));
    expect(errors.email?.[0]).toMatch(/valid email/i);
    expect(errors.password?.[0]).toMatch(/at least 8/i);
  });

  it("workspace creation names the empty name", async () => {
    const errors = await fieldErrorsOf(callerFor(ownerId).workspace.create({ name: "   " }));
    expect(errors.name?.[0]).toMatch(/name/i);
  });

  it("a wrong role value is reported on the role field", async () => {
    const errors = await fieldErrorsOf(
      callerFor(ownerId).invite.create({ workspaceId, role: "ADMIN" as never }),
    );
    expect(errors.role).toBeDefined();
  });

  it("a malformed job id is reported on jobId", async () => {
    const errors = await fieldErrorsOf(callerFor(ownerId).job.get({ workspaceId, jobId: "nope" }));
    expect(errors.jobId?.[0]).toMatch(/job id/i);
  });

  it("the HTTP error shape carries the field errors for the client", async () => {
    const caller = appRouter.createCaller(createContext({ session: null, headers: new Headers() }));
    const error = await caller.auth.signUp({ email: "x", password: "y" }).catch((e: unknown) => e);
    const shape = appRouter._def._config.errorFormatter({
      error: error as TRPCError, type: "mutation", path: "auth.signUp", input: undefined, ctx: undefined,
      shape: { message: "", code: -32600, data: { code: "BAD_REQUEST", httpStatus: 400 } },
    }) as { data: { zodError: { fieldErrors: Record<string, string[]> } } };
    expect(Object.keys(shape.data.zodError.fieldErrors).sort()).toEqual(["email", "password"]);
  });
});
