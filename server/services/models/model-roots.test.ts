import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultModelCandidates } from "./default-model";
import { allowedModelRoots } from "./model-roots";

/**
 * M3_MODEL_ROOTS parsing: a root that contains the artifacts folder or lies inside it (also through a symlink)
 * is refused, as are relative and missing entries; the default base model's folder is always a root.
 */
const scratch = realpathSync(mkdtempSync(path.join(os.tmpdir(), "m3-roots-")));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("model roots", () => {
  it("keeps plain roots and refuses roots overlapping the artifacts folder, relative and missing ones", () => {
    const artifacts = path.join(scratch, "data", "artifacts");
    const models = path.join(scratch, "models");
    mkdirSync(path.join(artifacts, "experiments"), { recursive: true });
    mkdirSync(models);
    symlinkSync(path.join(artifacts, "experiments"), path.join(scratch, "looks-harmless"));
    const setting = [
      models,
      path.join(scratch, "data"), // contains the artifacts folder
      path.join(artifacts, "experiments"), // inside it
      path.join(scratch, "looks-harmless"), // inside it, through a symlink
      "relative/models",
      path.join(scratch, "missing"),
    ].join(path.delimiter);
    const defaults = defaultModelCandidates().flatMap((d) => { try { return [realpathSync(d)]; } catch { return []; } });
    expect(allowedModelRoots(setting, artifacts)).toEqual([models, ...defaults.filter((d) => d !== models)]);
  });
});
