import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as ort from "onnxruntime-node";

/** Where onnxruntime-node keeps its binding and provider libraries (bin/napi-v*\/<platform>/<arch>/). */
function bindingDirs(): string[] {
  const bin = path.join(path.dirname(createRequire(import.meta.url).resolve("onnxruntime-node/package.json")), "bin");
  if (!existsSync(bin)) return [];
  return readdirSync(bin).map((napi) => path.join(bin, napi, process.platform, process.arch)).filter((d) => existsSync(d));
}

/**
 * The execution providers the installed onnxruntime-node can create sessions with: the bundled ones (cpu, …) and a
 * non-bundled one (cuda, tensorrt) only when its provider library is installed beside the binding — the package's
 * install script fetches CUDA's from a host that is unreachable here (ONNXRUNTIME_NODE_INSTALL=skip), so listing
 * "cuda" as supported does not mean it can run.
 */
export function installedOrtProviders(): string[] {
  const dirs = bindingDirs();
  return ort.listSupportedBackends()
    .filter((b) => b.bundled || dirs.some((d) => existsSync(path.join(d, `libonnxruntime_providers_${b.name}.so`))))
    .map((b) => b.name);
}
