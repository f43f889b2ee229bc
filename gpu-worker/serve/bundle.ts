/**
 * Writes a self-contained serving bundle of a model folder: what a deployment needs to run outside the platform.
 *
 *   npx tsx gpu-worker/serve/bundle.ts --model DIR --out BUNDLE [--onnx-file onnx/model.onnx] [--name NAME]
 *
 * BUNDLE/model/ gets tokenizer.json, tokenizer_config.json, special_tokens_map.json, config.json, m3studio.json
 * and the chosen ONNX graph (plus its external-data file when there is one); BUNDLE/serve.json records the model
 * name, dim, max length, ONNX file and sha256 of every file; BUNDLE/serve.sh is the command that serves it
 * (see deploy/README.md). No weights other than the ONNX graph are copied (the PyTorch files are not needed).
 */
import { createHash } from "node:crypto";
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { openModelFolder } from "../inference/model-folder";

/** sha256 of a file read in 16 MiB chunks: an external-data file of a full-size model is over 2 GiB, which
 *  readFileSync refuses (and would hold in memory whole). Synchronous like the rest of the bundle writer. */
export function sha256File(file: string): string {
  const hash = createHash("sha256");
  const buf = Buffer.allocUnsafe(16 * 2 ** 20);
  const fd = openSync(file, "r");
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

export function writeBundle(modelDir: string, outDir: string, opts: { onnxFile?: string; name?: string } = {}): { files: string[] } {
  const onnxFile = opts.onnxFile ?? "onnx/model.onnx";
  const folder = openModelFolder(modelDir, { onnxFile }); // names the missing file
  const files = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json", "m3studio.json", onnxFile, `${onnxFile}.data`].filter((f) =>
    existsSync(path.join(modelDir, f)),
  );
  const sha: Record<string, string> = {};
  for (const f of files) {
    const dst = path.join(outDir, "model", f);
    mkdirSync(path.dirname(dst), { recursive: true });
    copyFileSync(path.join(modelDir, f), dst);
    sha[f] = sha256File(dst);
  }
  const name = opts.name ?? path.basename(path.resolve(modelDir));
  writeFileSync(
    path.join(outDir, "serve.json"),
    `${JSON.stringify({ name, dim: folder.dim, max_length: folder.maxLength, onnx_file: onnxFile, files: sha }, null, 2)}\n`,
  );
  const sh = [
    "#!/bin/sh",
    "# Serves this bundle with M3 Studio's embedding server. M3_STUDIO = a checkout of the platform with `npm ci` done",
    "# (or the worker image, where it is /app). Keys: one sha256 hex per line in keys.txt (no file = no auth).",
    'set -eu',
    'HERE="$(cd "$(dirname "$0")" && pwd)"',
    'M3_STUDIO="${M3_STUDIO:-/app}"',
    'KEYS=""',
    '[ -f "$HERE/keys.txt" ] && KEYS="--keys-file $HERE/keys.txt"',
    'cd "$M3_STUDIO" # node resolves --import tsx from here',
    `exec node --import tsx "$M3_STUDIO/gpu-worker/serve/main.ts" --model "$HERE/model" --onnx-file ${onnxFile} --name ${JSON.stringify(name)} --host "\${HOST:-0.0.0.0}" --port "\${PORT:-8080}" $KEYS "$@"`,
    "",
  ].join("\n");
  writeFileSync(path.join(outDir, "serve.sh"), sh);
  chmodSync(path.join(outDir, "serve.sh"), 0o755);
  return { files };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { model: { type: "string" }, out: { type: "string" }, "onnx-file": { type: "string" }, name: { type: "string" } } });
  if (!values.model || !values.out) {
    process.stderr.write("usage: bundle.ts --model DIR --out BUNDLE [--onnx-file onnx/model.onnx] [--name NAME]\n");
    process.exit(2);
  }
  const { files } = writeBundle(values.model, values.out, { onnxFile: values["onnx-file"], name: values.name });
  process.stdout.write(`${JSON.stringify({ event: "bundle", out: values.out, files })}\n`);
}
