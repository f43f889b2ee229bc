// Run by clean-clone.test.ts inside a copy of the tracked files: prints where the demo data was found and the plan.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { demoDataDir } from "../demo-data";
import { writeDemoFiles } from "../demo-files";

const dataDir = demoDataDir();
if (!dataDir) throw new Error("no demo data found");
const plan = await writeDemoFiles(await mkdtemp(path.join(os.tmpdir(), "m3-probe-")), dataDir);
process.stdout.write(JSON.stringify({ dataDir, imports: plan.imports.map((i) => ({ datasetName: i.datasetName, files: i.files.length })) }));
