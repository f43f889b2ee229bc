import { realpathSync } from "node:fs";
import path from "node:path";
import { env } from "../../env";
import { AppError } from "../../lib/app-error";
import { artifactsRoot } from "../../storage/artifacts";
import { defaultModelCandidates } from "./default-model";

/**
 * The folders base models may be registered from: the operator's M3_MODEL_ROOTS (path-delimiter
 * separated) plus the default base model's folder (M3_BASE_MODEL or .cache/demo-model), so the product
 * works without configuration. Every root is resolved with symlinks followed. A root that contains the
 * artifacts folder or lies inside it is refused: other workspaces' checkpoints must never be reachable
 * through a root (a workspace reaches its own checkpoints through their rows instead, folder-access.ts).
 */

/** `child` is `parent` or lies below it (both already resolved). */
export function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

/** realpath, or null when the path does not exist (or cannot be read). */
export function realpathOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** The artifacts folder with symlinks followed (as given when it does not exist yet). */
export function realArtifactsRoot(): string {
  return realpathOrNull(artifactsRoot()) ?? artifactsRoot();
}

const warned = new Set<string>();
function warnOnce(message: string) {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`M3_MODEL_ROOTS: ${message}`);
}

/**
 * The usable roots, resolved; refused or missing entries are left out (and logged once for the operator).
 * Parameters default to the settings; tests pass their own.
 */
export function allowedModelRoots(setting = env.M3_MODEL_ROOTS, artifacts = realArtifactsRoot()): string[] {
  const configured = setting.split(path.delimiter).map((r) => r.trim()).filter(Boolean);
  const roots: string[] = [];
  for (const entry of [...configured, ...defaultModelCandidates()]) {
    const isConfigured = configured.includes(entry);
    if (!path.isAbsolute(entry)) {
      if (isConfigured) warnOnce(`${entry} is not an absolute path: ignored`);
      continue;
    }
    const real = realpathOrNull(entry);
    if (!real) {
      if (isConfigured) warnOnce(`${entry} does not exist: ignored`);
      continue;
    }
    if (isInside(real, artifacts) || isInside(artifacts, real)) {
      warnOnce(`${entry} overlaps the artifacts folder (${artifacts}), which holds every workspace's checkpoints: ignored`);
      continue;
    }
    if (!roots.includes(real)) roots.push(real);
  }
  return roots;
}

/** The root holding `realDir` (already resolved), or null. */
export function rootHolding(realDir: string): string | null {
  return allowedModelRoots().find((root) => isInside(realDir, root)) ?? null;
}

/**
 * The one answer for a folder that is missing, outside the roots, or another workspace's: the same words
 * for all three, so registration cannot be used to probe what exists on the worker host.
 */
export function folderNotAvailable(dir: string): AppError {
  return new AppError("BAD_REQUEST", `No model folder at ${dir}: it is missing or outside the folders models may be registered from (M3_MODEL_ROOTS).`, "dir");
}

/** Relative paths would resolve against the web process's working folder: refused. */
export function assertAbsolute(dir: string): void {
  if (!path.isAbsolute(dir)) throw new AppError("BAD_REQUEST", `Give an absolute folder path (relative paths are refused): ${dir}`, "dir");
}
