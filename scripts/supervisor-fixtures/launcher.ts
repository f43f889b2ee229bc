/** `npm start`'s launcher (scripts/supervisor-launcher.ts) around the platform fixture. Usage: launcher.ts '<json config>' */
import path from "node:path";
import { launchDetached } from "../supervisor-launcher";

launchDetached(path.join(import.meta.dirname, "platform.ts"), [process.argv[2]!], path.resolve(import.meta.dirname, "../.."));
