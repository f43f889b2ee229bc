import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const GPU_WORKER = path.resolve(import.meta.dirname, "../..");
const TINY = path.join(GPU_WORKER, "inference/fixtures/tiny-model");
const PYTHON = () => process.env.M3_PYTHON ?? "/usr/bin/python3";

/**
 * A private checkpoint folder copied from the committed tiny model (weights, heads, tokenizer), without its ONNX
 * graphs, so each test exports its own. `perturbFrom` instead writes weights that differ from the tiny model's
 * (every encoder and head tensor plus scaled noise): "another checkpoint" for graphs that must not pass parity.
 */
export function tinyCheckpoint(tmp: string, name: string, opts: { perturb?: number } = {}): string {
  const dir = path.join(tmp, name);
  cpSync(TINY, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}onnx`) });
  if (opts.perturb) {
    const code = [
      "import sys, torch",
      "from trainer.model import load_model, save_model",
      "m = load_model(sys.argv[1]); torch.manual_seed(1)",
      "with torch.no_grad():",
      "    [p.add_(float(sys.argv[2]) * torch.randn_like(p)) for p in m.parameters()]",
      "save_model(m, sys.argv[1])",
    ].join("\n");
    execFileSync(PYTHON(), ["-c", code, dir, String(opts.perturb)], { cwd: GPU_WORKER, stdio: ["ignore", "ignore", "inherit"] });
  }
  return dir;
}

/** `python3 -m trainer export` on a folder (`--external-data` forces model.onnx.data on a small model). */
export function exportOnnx(dir: string, opts: { externalData?: boolean; fp16?: boolean } = {}): void {
  const args = ["-m", "trainer", "export", "--model", dir, ...(opts.externalData ? ["--external-data"] : []), ...(opts.fp16 ? ["--fp16"] : [])];
  execFileSync(PYTHON(), args, { cwd: GPU_WORKER, stdio: ["ignore", "ignore", "inherit"] });
}

export function tempRoot(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
