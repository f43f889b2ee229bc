import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEncoder } from "~/gpu-worker/inference/load";
import { M3Tokenizer } from "~/gpu-worker/inference/tokenizer";
import { callerFor, createUser, createWorkspaceWith } from "~/server/testing/factories";

/**
 * scripts/make-m3-shaped-model.sh (issue 12 item 1): a small-layer variant with the full 250,002-piece vocabulary
 * has BAAI/bge-m3's layout, config fields and special ids; its sentencepiece.bpe.model and tokenizer.json give the
 * same ids (fairseq offset +1, as transformers' XLMRobertaTokenizer); the product registers it (tRPC) and encodes
 * text with it (trainer export → onnxruntime-node), with a sparse head calibrated so that tokens get varying weights > 0.
 * The full-size defaults are checked with --print-config.
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const PY = "/usr/bin/python3";
const SMALL = ["--layers", "1", "--hidden", "32", "--heads", "2", "--intermediate", "64", "--max-position", "514"];
let dir: string;
let parent: string;

beforeAll(() => {
  mkdirSync(process.env.M3_MODEL_ROOTS!, { recursive: true });
  parent = mkdtempSync(path.join(process.env.M3_MODEL_ROOTS!, "m3-shaped-"));
  dir = path.join(parent, "bge-m3-shaped");
  execFileSync("bash", [path.join(ROOT, "scripts/make-m3-shaped-model.sh"), dir, ...SMALL], { stdio: ["ignore", "ignore", "pipe"] });
}, 180_000);
afterAll(() => rmSync(parent, { recursive: true, force: true }));

const json = (f: string) => JSON.parse(readFileSync(path.join(dir, f), "utf8"));

describe("make-m3-shaped-model", () => {
  it("writes the Hub folder's files", () => {
    for (const f of ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "sentencepiece.bpe.model",
      "colbert_linear.pt", "sparse_linear.pt", "modules.json", "1_Pooling/config.json", "config_sentence_transformers.json"])
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    expect(existsSync(path.join(dir, "m3studio.json"))).toBe(false); // not on the Hub: readers use config.json
    expect(json("modules.json").map((m: { type: string }) => m.type)).toEqual(["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling", "sentence_transformers.models.Normalize"]);
    expect(json("1_Pooling/config.json")).toMatchObject({ word_embedding_dimension: 32, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false });
  });

  it("defaults to BAAI/bge-m3's config; the small variant keeps the vocabulary", () => {
    const full = JSON.parse(execFileSync(PY, [path.join(ROOT, "scripts/make-m3-shaped-model.py"), "/nonexistent", "--print-config"], { encoding: "utf8" }));
    expect(full).toMatchObject({ architectures: ["XLMRobertaModel"], model_type: "xlm-roberta", num_hidden_layers: 24, hidden_size: 1024, num_attention_heads: 16, intermediate_size: 4096,
      vocab_size: 250002, max_position_embeddings: 8194, type_vocab_size: 1, layer_norm_eps: 1e-5, pad_token_id: 1 });
    expect(existsSync("/nonexistent")).toBe(false);
    expect(json("config.json")).toMatchObject({ num_hidden_layers: 1, hidden_size: 32, vocab_size: 250002, max_position_embeddings: 514, type_vocab_size: 1, layer_norm_eps: 1e-5, pad_token_id: 1 });
  });

  it("has XLM-R's special ids in tokenizer.json and sentencepiece.bpe.model, and both give the same ids", () => {
    const tj = json("tokenizer.json");
    expect(tj.model.type).toBe("Unigram");
    expect(tj.model.vocab).toHaveLength(250002);
    const added = Object.fromEntries(tj.added_tokens.map((t: { content: string; id: number }) => [t.content, t.id]));
    expect(added).toEqual({ "<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 250001 });
    expect(json("special_tokens_map.json")).toMatchObject({ bos_token: "<s>", pad_token: "<pad>", eos_token: "</s>", unk_token: "<unk>", mask_token: { content: "<mask>" } });
    const tok = M3Tokenizer.fromFiles(path.join(dir, "tokenizer.json"), path.join(dir, "tokenizer_config.json"));
    expect([tok.clsId, tok.padId, tok.eosId, tok.unkId]).toEqual([0, 1, 2, 3]);
    expect(tok.encode("hello <mask>", 64).ids).toContain(250001);
    const texts = readFileSync(path.join(ROOT, "gpu-worker/inference/fixtures/parity-texts.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { text: string }).text);
    const sp = JSON.parse(execFileSync(PY, ["-c", `import json,sys,sentencepiece as s
sp=s.SentencePieceProcessor(model_file=sys.argv[1])
print(json.dumps({"n":sp.get_piece_size(),"head":[sp.id_to_piece(i) for i in range(3)],"ids":[sp.encode(t) for t in json.load(sys.stdin)]}))`, path.join(dir, "sentencepiece.bpe.model")], { input: JSON.stringify(texts), encoding: "utf8", maxBuffer: 64 << 20 }));
    expect(sp.n).toBe(250000);
    expect(sp.head).toEqual(["<unk>", "<s>", "</s>"]); // fairseq layout, as BAAI/bge-m3's file
    const fromSp = (ids: number[]) => [0, ...ids.map((i) => (i === 0 ? 3 : i + 1)), 2];
    const mismatched = texts.filter((t, i) => JSON.stringify(tok.encode(t, 1 << 20).ids) !== JSON.stringify(fromSp(sp.ids[i])));
    expect(mismatched).toEqual([]);
    expect(texts.length).toBeGreaterThan(20);
  });

  it("is registered by the product and encodes text", async () => {
    const user = await createUser();
    const ws = await createWorkspaceWith([{ userId: user.id, role: "EDITOR" }]);
    const row = await callerFor(user.id).model.register({ workspaceId: ws.id, name: "bge-m3-shaped", dir });
    expect(row).toMatchObject({ architecture: "XLMRobertaModel", dim: 32, layers: 1, vocabSize: 250002, maxLength: 512 });
    expect(row.parameters).toBeGreaterThan(250002 * 32);
    execFileSync(PY, ["-m", "trainer", "export", "--model", dir], { cwd: path.join(ROOT, "gpu-worker"), stdio: ["ignore", "ignore", "pipe"] });
    const { encoder, maxLength } = await loadEncoder(dir);
    expect(maxLength).toBe(512);
    const out = await encoder.encode(["What is BGE M3?", "脂肪肝怎么治疗？"], { maxLength, outputs: ["dense", "sparse"] });
    expect(out.dim).toBe(32);
    const norm = Math.hypot(...out.dense.slice(0, 32));
    expect(norm).toBeCloseTo(1, 5);
    const sparseIds = out.sparse!.flatMap((w) => [...w.keys()]);
    for (const id of sparseIds) expect(id > 3 && id < 250001).toBe(true);
  }, 180_000);

  it("has a sparse head that weighs nearly every token > 0, differently, through the product's encode path", async () => {
    // the builder calibrates the head on the hidden states (a random head gave every token 0 at full size)
    const { encoder, maxLength } = await loadEncoder(dir);
    const texts = ["What is BGE M3?", "脂肪肝怎么治疗？", "What are the symptoms of high blood pressure and how is it treated?"];
    const tok = M3Tokenizer.fromFiles(path.join(dir, "tokenizer.json"), path.join(dir, "tokenizer_config.json"));
    const out = await encoder.encode(texts, { maxLength, outputs: ["sparse"] });
    texts.forEach((t, i) => {
      const pieces = new Set(tok.encode(t, maxLength).ids.filter((id) => id > 3));
      const weights = [...out.sparse![i]!.values()];
      expect(weights.length, t).toBeGreaterThanOrEqual(Math.ceil(pieces.size * 0.75));
      for (const w of weights) expect(w).toBeGreaterThan(0);
      expect(Math.max(...weights) - Math.min(...weights), t).toBeGreaterThan(0.01); // varies by token
    });
  }, 60_000);

  it("calibrates the sparse head deterministically (the same seed gives the same head)", () => {
    const same = execFileSync(PY, ["-c", `import argparse,importlib.util,sys,torch
spec=importlib.util.spec_from_file_location("mk",sys.argv[1]);mk=importlib.util.module_from_spec(spec);spec.loader.exec_module(mk)
from trainer.model import M3Model,load_model
a=argparse.Namespace(vocab_size=250002,hidden=32,layers=1,heads=2,intermediate=64,max_position=514,seed=0)
torch.manual_seed(0);m=M3Model(mk.model_config(a)).eval()
mk.calibrate_sparse_head(m,mk.calibration_ids(sys.argv[2]+"/sentencepiece.bpe.model",mk.demo_texts()))
saved=torch.load(sys.argv[2]+"/sparse_linear.pt")
print(torch.equal(saved["weight"],m.sparse_linear.weight.data) and torch.equal(saved["bias"],m.sparse_linear.bias.data))`,
      path.join(ROOT, "scripts/make-m3-shaped-model.py"), dir], { cwd: path.join(ROOT, "gpu-worker"), encoding: "utf8" }).trim();
    expect(same).toBe("True");
  }, 120_000);
});
