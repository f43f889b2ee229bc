// Worker-thread entry: register tsx in this thread (loader hooks are not inherited by workers), then run the
// TypeScript worker (ort-worker.ts).
import { tsImport } from "tsx/esm/api";

await tsImport("./ort-worker.ts", import.meta.url);
