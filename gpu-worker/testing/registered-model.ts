import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { ensureDemoModel } from "../../server/services/experiments/testing/fixtures";

/**
 * A folder to register as a base model: a copy of the demo model under the configured model root
 * (vitest.config.ts M3_MODEL_ROOTS), without its ONNX export, so serving or evaluating it has to write one.
 */
export function registrableDemoCopy(prefix: string): string {
  const demo = realpathSync(ensureDemoModel());
  const root = process.env.M3_MODEL_ROOTS!;
  mkdirSync(root, { recursive: true });
  const folder = mkdtempSync(path.join(root, `${prefix}-`));
  cpSync(demo, folder, { recursive: true, filter: (src) => path.relative(demo, src).split(path.sep)[0] !== "onnx" });
  return folder;
}

/** Every file of a folder with its size and mtime: any write, new file or removal shows. */
export function fileListing(dir: string, rel = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) return fileListing(abs, `${rel}${e.name}/`);
    const s = statSync(abs);
    return [`${rel}${e.name} ${s.size} ${s.mtimeMs}`];
  }).sort();
}
