/**
 * The demo model's first build, run by `npm start` BEHIND the web app instead of before it: the port opens at once
 * and the pages say what waits for the model (server/services/models/default-model-build-status.ts). The trainer's
 * JSON lines give the progress; the terminal gets one ETA line every 30 s instead of every line, and the whole
 * output goes to a log file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { writeBuildStatus, type DefaultModelBuildStatus } from "../server/services/models/default-model-build-status";

export const BUILD_COMMAND = "bash scripts/build-demo-model.sh";
const TERMINAL_EVERY_MS = 30_000;

/** Folds one output line of the builder into the status (trainer events are JSON; the builder's own lines are text). */
export function foldBuildLine(status: DefaultModelBuildStatus, line: string, now: number): DefaultModelBuildStatus {
  const next = { ...status, updatedAt: new Date(now).toISOString() };
  if (line.startsWith("{")) {
    let event: { event?: string; step?: number; total_steps?: number };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return next;
    }
    if (event.event === "start" && typeof event.total_steps === "number") return { ...next, phase: "pre-training", totalSteps: event.total_steps };
    if (event.event === "step" && typeof event.step === "number") {
      const elapsed = (now - Date.parse(status.startedAt)) / 1000;
      const left = next.totalSteps ? Math.max(0, next.totalSteps - event.step) : null;
      // Pre-training is most of the build; the export after it takes about a tenth more.
      const etaSeconds = left !== null && event.step > 0 ? Math.round((elapsed / event.step) * left * 1.1) : null;
      return { ...next, phase: "pre-training", step: event.step, etaSeconds };
    }
    if (event.event === "done") return { ...next, phase: "export", etaSeconds: null };
    return next;
  }
  if (/tokeni[sz]er/i.test(line) && status.phase === "starting") return { ...next, phase: "tokenizer" };
  return next;
}

export interface DemoModelBuild {
  child: ChildProcess;
  done: Promise<boolean>;
}

/** Starts the build in the background; resolves `done` with whether the model is ready. */
export function startDemoModelBuild({ root, logFile }: { root: string; logFile: string }): DemoModelBuild {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: "a" });
  const started = Date.now();
  let status: DefaultModelBuildStatus = {
    state: "building", phase: "starting", step: 0, totalSteps: null, etaSeconds: null,
    startedAt: new Date(started).toISOString(), updatedAt: new Date(started).toISOString(), error: null,
  };
  writeBuildStatus(status, root);
  console.log(`Building the demo model behind the web app (log: ${logFile}); the pages show its progress.`);
  const child = spawn("bash", ["scripts/build-demo-model.sh"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let lastTerminal = started;
  let tail: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      log.write(`${line}\n`);
      tail = [...tail.slice(-19), line];
      status = foldBuildLine(status, line, Date.now());
      writeBuildStatus(status, root);
      if (Date.now() - lastTerminal >= TERMINAL_EVERY_MS) {
        lastTerminal = Date.now();
        console.log(`[demo model] ${progressLine(status)}`);
      }
    });
  }
  const done = new Promise<boolean>((resolve) => {
    child.on("exit", (code, signal) => {
      log.end();
      const ok = code === 0;
      const reason = signal ? `stopped by ${signal}` : `exit code ${code}`;
      status = { ...status, state: ok ? "ready" : "failed", etaSeconds: null, updatedAt: new Date().toISOString(), error: ok ? null : `${reason}; see ${path.relative(root, logFile)}, then run ${BUILD_COMMAND}` };
      writeBuildStatus(status, root);
      console.log(ok ? `[demo model] ready after ${Math.round((Date.now() - started) / 1000)} s` : `[demo model] build failed (${reason}); last lines:\n${tail.join("\n")}`);
      resolve(ok);
    });
  });
  return { child, done };
}

export function progressLine(s: DefaultModelBuildStatus): string {
  const steps = s.totalSteps ? ` step ${s.step}/${s.totalSteps}` : "";
  const eta = s.etaSeconds !== null ? `, about ${Math.max(1, Math.round(s.etaSeconds / 60))} min left` : "";
  return `${s.phase}${steps}${eta}`;
}
