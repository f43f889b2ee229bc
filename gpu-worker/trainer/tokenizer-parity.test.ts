/**
 * Tokenizer parity: the demo model's tokenizer.json, loaded by @huggingface/tokenizers (the Node inference side),
 * must give exactly the ids that Python's sentencepiece gives with spm.model (what the trainer was built with),
 * on 1,000 sentences of ../shared/data (500 Chinese, 500 English, raw text).
 * Builds the demo model first when it is absent (scripts/build-demo-model.sh, a few minutes).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Tokenizer } from "@huggingface/tokenizers";

const ROOT = path.resolve(__dirname, "..", "..");
const MODEL = process.env.M3_DEMO_MODEL ?? path.join(ROOT, ".cache", "demo-model");
const PY = process.env.PYTHON ?? "/usr/bin/python3";

function ensureDemoModel(): void {
  if (fs.existsSync(path.join(MODEL, "tokenizer.json")) && fs.existsSync(path.join(MODEL, "spm.model"))) return;
  execFileSync("bash", [path.join(ROOT, "scripts", "build-demo-model.sh"), MODEL], { stdio: "inherit", timeout: 900_000 });
}

describe("demo tokenizer.json vs sentencepiece", () => {
  it("gives identical ids on 1,000 Chinese + English sentences", () => {
    ensureDemoModel();
    const out = execFileSync(PY, ["-m", "trainer", "sp-ids", "--model", MODEL, "--sample", "1000"], {
      cwd: path.join(ROOT, "gpu-worker"),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const rows = out.trim().split("\n").map((l) => JSON.parse(l) as { text: string; ids: number[] });
    expect(rows.length).toBe(1000);
    expect(rows.filter((r) => /[\u4e00-\u9fff]/.test(r.text)).length).toBeGreaterThanOrEqual(490);

    const tok = new Tokenizer(
      JSON.parse(fs.readFileSync(path.join(MODEL, "tokenizer.json"), "utf8")),
      JSON.parse(fs.readFileSync(path.join(MODEL, "tokenizer_config.json"), "utf8")),
    );
    const mismatches: { text: string; python: number[]; node: number[] }[] = [];
    for (const r of rows) {
      const ids = Array.from(tok.encode(r.text).ids as ArrayLike<number>, Number);
      if (ids.length !== r.ids.length || ids.some((v, i) => v !== r.ids[i])) {
        mismatches.push({ text: r.text, python: r.ids, node: ids });
      }
    }
    if (mismatches.length) console.error(JSON.stringify(mismatches.slice(0, 5), null, 1));
    expect(mismatches.length).toBe(0);
  }, 900_000);
});
