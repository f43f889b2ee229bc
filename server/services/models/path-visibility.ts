import { createHash } from "node:crypto";
import type { Role } from "../../generated/prisma/enums";
import { roleAtLeast } from "../../auth/roles";

/**
 * Folder paths on the worker host (checkpoint folders, registered base models, deployed model folders) are
 * shown to editors and up, who register and deploy them; viewers get none, since a path tells the artifact
 * layout and, with it, where other workspaces' folders lie.
 */
export const canSeeFolderPaths = (role: Role) => roleAtLeast(role, "EDITOR");

/** A stable stand-in for a path: equal paths give equal tokens (the UI compares them), nothing else is told. */
export function opaqueFolder(dir: string): string;
export function opaqueFolder(dir: string | null): string | null;
export function opaqueFolder(dir: string | null): string | null {
  return dir === null ? null : `model-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}`;
}

/** Checkpoint rows without their folder. */
export function withoutDirs<T extends { dir: string }>(rows: T[]): (Omit<T, "dir"> & { dir: null })[] {
  return rows.map((row) => ({ ...row, dir: null }));
}

/** A deployment (row or view) with its model folders, and the accuracy check's, replaced by opaque tokens. */
export function withOpaqueModelDirs<T extends { modelDir: string; previousModelDir?: string | null; accuracyCheck?: unknown }>(d: T): T {
  const check = d.accuracyCheck as { modelDir?: string } | null | undefined;
  return {
    ...d,
    modelDir: opaqueFolder(d.modelDir),
    ...("previousModelDir" in d ? { previousModelDir: opaqueFolder(d.previousModelDir ?? null) } : {}),
    ...(check && typeof check === "object" && typeof check.modelDir === "string" ? { accuracyCheck: { ...check, modelDir: opaqueFolder(check.modelDir) } } : {}),
  };
}
