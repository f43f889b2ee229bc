import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./root";
import type { ProcedureMeta } from "./trpc";
import { callerFor, createUser, createWorkspaceWith } from "../testing/factories";
import { codeOf } from "../testing/trpc-codes";

/**
 * Authorisation matrix over EVERY procedure of the router (enumerated, not listed by hand):
 * - each one must come from an authorisation builder (its meta says which);
 * - workspace procedures refuse a non-member, and mutations refuse a viewer unless the
 *   builder recorded why viewers may (leaving a workspace);
 * - user procedures refuse an anonymous caller;
 * - public procedures are only those named here.
 * A new procedure without a builder, or with a weaker one than its kind needs, fails this.
 */
const PUBLIC_ALLOWED = new Set(["auth.signUp", "auth.ssoProviders"]);

type AnyProcedure = { _def: { type: "query" | "mutation" | "subscription"; meta?: ProcedureMeta } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);

async function call(userId: string | null, path: string, input: unknown): Promise<unknown> {
  let target: any = callerFor(userId);
  for (const part of path.split(".")) target = target[part];
  return target(input);
}

let workspaceId: string;
let workspaceSlug: string;
let outsiderId: string;
let viewerId: string;

beforeAll(async () => {
  const owner = await createUser();
  const viewer = await createUser();
  const outsider = await createUser();
  const workspace = await createWorkspaceWith([
    { userId: owner.id, role: "OWNER" },
    { userId: viewer.id, role: "VIEWER" },
  ]);
  // The outsider owns a workspace of their own: membership elsewhere must not count.
  await createWorkspaceWith([{ userId: outsider.id, role: "OWNER" }]);
  workspaceId = workspace.id;
  workspaceSlug = workspace.slug;
  outsiderId = outsider.id;
  viewerId = viewer.id;
});

describe("authorisation matrix", () => {
  it("enumerates the router", () => {
    expect(procedures.length).toBeGreaterThan(15);
  });

  for (const [path, procedure] of procedures) {
    const meta = procedure._def.meta;
    const kind = procedure._def.type;

    it(`${path} is built by an authorisation builder`, () => {
      expect(meta?.access, `${path} has no access meta: build it from publicProcedure, protectedProcedure or workspaceProcedure`).toBeDefined();
      if (meta?.access === "public") expect(PUBLIC_ALLOWED.has(path), `${path} is public but not allowed to be`).toBe(true);
    });

    if (meta?.access === "workspace") {
      it(`${path} refuses a non-member (by id and by slug)`, async () => {
        expect(await codeOf(call(outsiderId, path, { workspaceId }))).toBe("FORBIDDEN");
        expect(await codeOf(call(outsiderId, path, { workspaceSlug }))).toBe("FORBIDDEN");
        expect(await codeOf(call(null, path, { workspaceId }))).toBe("UNAUTHORIZED");
      });
      if (kind === "mutation" && !meta.viewerMutationReason) {
        it(`${path} refuses a viewer`, async () => {
          expect(meta.role).not.toBe("VIEWER");
          expect(await codeOf(call(viewerId, path, { workspaceId }))).toBe("FORBIDDEN");
        });
      }
    }

    if (meta?.access === "user") {
      it(`${path} refuses an anonymous caller`, async () => {
        expect(await codeOf(call(null, path, {}))).toBe("UNAUTHORIZED");
      });
    }
  }
});
