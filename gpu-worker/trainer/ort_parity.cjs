// Runs an ONNX file with onnxruntime-node for the Python export parity check.
// stdin: {"model": path, "feeds": {name: {data: [...], dims: [...]}}}; stdout: {output: {data, dims}}.
const path = require("node:path");
const { createRequire } = require("node:module");

async function main() {
  const req = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
  // resolve onnxruntime-node from the repository (this file lives in gpu-worker/trainer)
  const ort = createRequire(path.join(__dirname, "..", "..", "package.json"))("onnxruntime-node");
  const session = await ort.InferenceSession.create(req.model);
  const feeds = {};
  for (const [name, t] of Object.entries(req.feeds)) {
    feeds[name] = new ort.Tensor("int64", BigInt64Array.from(t.data.map((x) => BigInt(x))), t.dims);
  }
  const out = await session.run(feeds);
  const res = {};
  for (const [name, t] of Object.entries(out)) res[name] = { data: Array.from(t.data), dims: t.dims };
  process.stdout.write(JSON.stringify(res));
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
