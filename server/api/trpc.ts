/**
 * tRPC set-up. The procedure builders in section 3 are the authorisation boundary: every
 * procedure is built from one of them, and handlers contain no permission `if`s.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { Role } from "../generated/prisma/enums";
import { requireWorkspaceRole } from "../auth/workspace-access";
import { AppError } from "../lib/app-error";

// 1. Context ------------------------------------------------------------------------------

export interface SessionLike {
  user: { id: string; email?: string | null };
}

export interface Context {
  session: SessionLike | null;
  headers: Headers;
}

export function createContext(opts: Context): Context {
  return opts;
}

// 2. Initialisation: meta says which builder made a procedure (the authz matrix test reads it).

export type ProcedureMeta =
  | { access: "public" }
  | { access: "user" }
  | { access: "workspace"; role: Role; viewerMutationReason?: string };

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      return {
        ...shape,
        data: {
          ...shape.data,
          // Field-level messages for forms: { fieldErrors: { email: ["..."] } }.
          zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
          field: cause instanceof AppError ? (cause.field ?? null) : null,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

// 3. Procedure builders --------------------------------------------------------------------

const APP_TO_TRPC: Record<AppError["code"], TRPCError["code"]> = {
  NOT_FOUND: "NOT_FOUND",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHORIZED: "UNAUTHORIZED",
  BAD_REQUEST: "BAD_REQUEST",
  CONFLICT: "CONFLICT",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
};

/** Turns a service's AppError into the matching tRPC error, keeping its safe message. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: APP_TO_TRPC[cause.code], message: cause.message, cause });
  }
  return result;
});

export const publicProcedure = t.procedure.meta({ access: "public" }).use(appErrors);

export const protectedProcedure = t.procedure
  .meta({ access: "user" })
  .use(appErrors)
  .use(({ ctx, next }) => {
    if (!ctx.session?.user?.id) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
    return next({ ctx: { session: ctx.session, userId: ctx.session.user.id } });
  });

/** Which workspace a request is about: `workspaceId`, or `workspaceSlug` for page routes. */
const workspaceKey = z.union([
  z.object({ workspaceId: z.string().min(1) }),
  z.object({ workspaceSlug: z.string().min(1) }),
]);

/**
 * Requires membership with at least `role` in the workspace named by the input. Runs
 * before input validation, so a non-member learns nothing from validation messages.
 */
export function workspaceProcedure(role: Role, options: { viewerMutationReason?: string } = {}) {
  return protectedProcedure
    .meta({ access: "workspace", role, ...options })
    .use(async ({ ctx, next, getRawInput }) => {
      const key = workspaceKey.safeParse(await getRawInput());
      if (!key.success) throw new TRPCError({ code: "BAD_REQUEST", message: "workspaceId is required" });
      const where = "workspaceId" in key.data ? { id: key.data.workspaceId } : { slug: key.data.workspaceSlug };
      const workspace = await requireWorkspaceRole(ctx.userId, where, role).catch((error: unknown) => {
        if (error instanceof AppError) throw new TRPCError({ code: "FORBIDDEN", message: error.message });
        throw error;
      });
      return next({ ctx: { workspace } });
    });
}

/** Input shared by every workspace procedure. */
export const workspaceInput = z.object({ workspaceId: z.string().min(1) });
