import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Progress of the demo model's first build, which `npm start` runs behind the web app (scripts/demo-model-build.ts):
 * written there, read by the web app to say what waits for the model. Plain JSON in `.cache`, next to the model.
 */
export interface DefaultModelBuildStatus {
  state: "building" | "failed" | "ready";
  /** What the build is doing now: "tokenizer", "pre-training", "export". */
  phase: string;
  step: number;
  totalSteps: number | null;
  etaSeconds: number | null;
  startedAt: string;
  updatedAt: string;
  /** Why it failed, and the command that builds it by hand. */
  error: string | null;
}

export const buildStatusFile = (root = process.cwd()) => path.join(root, ".cache", "demo-model.build.json");

/** Written whole through a temporary file, so a reader never sees half of it. */
export function writeBuildStatus(status: DefaultModelBuildStatus, root?: string) {
  const file = buildStatusFile(root);
  // A fresh clone has no .cache yet: the first start's first status write creates it (seen: ENOENT, and the
  // platform process died with web and worker left running).
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(status));
  renameSync(`${file}.tmp`, file);
}

/** The last status, or null when no build ran on this checkout (the model was there, or M3_BASE_MODEL is set). */
export function readBuildStatus(root?: string): DefaultModelBuildStatus | null {
  try {
    return JSON.parse(readFileSync(buildStatusFile(root), "utf8")) as DefaultModelBuildStatus;
  } catch {
    return null;
  }
}

/** What the pages show about the default model: ready, or how its build is going (or why it failed). */
export function defaultModelState(ready: boolean, root?: string) {
  const build = readBuildStatus(root);
  if (ready) return { ready: true as const, build: null };
  return { ready: false as const, build };
}
