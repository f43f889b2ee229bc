/**
 * The standalone entry (gpu-worker/serve/main.ts) as a child process: ready line, keys file auth (and revocation
 * by editing the file), feedback appended to a JSONL file, SIGTERM → drain → exit 0.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeBundle } from "./bundle";
import { parseKeysFile, sha256Hex } from "./keys-file";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO = path.join(ROOT, ".cache/demo-model");
let tmp: string;

beforeAll(async () => {
  if (!existsSync(path.join(DEMO, "onnx/model.onnx"))) {
    const { execFileSync } = await import("node:child_process");
    execFileSync("bash", [path.join(ROOT, "scripts/build-demo-model.sh")], { stdio: "inherit" });
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), "m3-serve-main-"));
  writeBundle(DEMO, tmp, { name: "bundle" }); // tmp/model, tmp/serve.json, tmp/serve.sh
}, 900_000);
afterAll(() => tmp && rmSync(tmp, { recursive: true, force: true }));

it("keys file: sha256 hex per line, comments allowed, bad lines named", () => {
  expect(parseKeysFile(`# team A\n${sha256Hex("k1")}\n\n${sha256Hex("k2").toUpperCase()}\n`)).toEqual(new Set([sha256Hex("k1"), sha256Hex("k2")]));
  expect(() => parseKeysFile("abc\n", "keys.txt")).toThrow(/keys.txt:1: expected a sha256/);
});

it("a bundle (bundle.ts) serves through its serve.sh with keys, a feedback file and graceful SIGTERM", async () => {
  const manifest = JSON.parse(readFileSync(path.join(tmp, "serve.json"), "utf8")) as { dim: number; max_length: number; files: Record<string, string> };
  expect(manifest).toMatchObject({ dim: 128, max_length: 128 });
  expect(Object.keys(manifest.files)).toEqual(expect.arrayContaining(["tokenizer.json", "config.json", "m3studio.json", "onnx/model.onnx"]));
  const keys = path.join(tmp, "keys.txt");
  const fb = path.join(tmp, "feedback.jsonl");
  writeFileSync(keys, `${sha256Hex("secret-1")}\n${sha256Hex("secret-2")}\n`);
  const child = spawn("sh", [path.join(tmp, "serve.sh"), "--feedback-file", fb, "--threads", "1"], {
    cwd: tmp,
    env: { ...process.env, M3_STUDIO: ROOT, HOST: "127.0.0.1", PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once("line", resolve);
      child.once("exit", () => reject(new Error(`server exited: ${stderr}`)));
    });
    const ready = JSON.parse(first) as { event: string; url: string };
    expect(ready.event).toBe("ready");
    const call = (key: string | null, route = "/v1/embeddings", body: unknown = { model: "bundle", input: "hello" }) =>
      fetch(`${ready.url}${route}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify(body),
      });
    const ok = await call("secret-1");
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { model: string }).model).toBe("bundle");
    expect((await call(null)).status).toBe(401);
    expect((await call("secret-3")).status).toBe(401);
    writeFileSync(keys, `# secret-1 revoked\n${sha256Hex("secret-2")}\n\n`); // different size → re-read
    expect((await call("secret-1")).status).toBe(401);
    expect((await call("secret-2")).status).toBe(200);
    const line = { query: "q", retrieved_docs: [{ doc_id: 1, content: "c", rank: 1 }], user_feedback: { helpful_docs: [1] } };
    expect((await call("secret-2", "/v1/feedback", line)).status).toBe(202);
    expect(JSON.parse(readFileSync(fb, "utf8").trim())).toMatchObject({ ...line, key_id: sha256Hex("secret-2").slice(0, 12) });
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
