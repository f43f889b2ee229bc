/**
 * Process supervision for `npm start`: each child (web, worker) is restarted with exponential backoff when it
 * dies without being asked to, so one crash stays local to that child; a stop is graceful and bounded (SIGTERM,
 * then SIGKILL after the child's own time bound). No timing policy lives in callers: they pass a BackoffPolicy.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { EventEmitter } from "node:events";

export interface BackoffPolicy {
  /** Delay before the first restart after a crash. */
  initialMs: number;
  /** Cap of the doubling delay: a child that keeps crashing is retried at this pace, forever. */
  maxMs: number;
  /** A child that stayed up this long counts as healthy: its next crash starts again at initialMs. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

/** Delay before restart number `crashesInARow` (1 for the first crash after a healthy run). */
export function restartDelayMs(crashesInARow: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, crashesInARow - 1));
}

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
  /** How long a graceful stop (SIGTERM) may take before the child is killed (SIGKILL). */
  stopTimeoutMs: number;
}

export type Log = (message: string) => void;

export interface CrashEvent {
  code: number | null;
  signal: NodeJS.Signals | null;
  upMs: number;
  restartInMs: number;
  crashesInARow: number;
}

/**
 * One supervised child process. Events: "spawn" (pid), "crash" (CrashEvent, before the restart is scheduled),
 * "exit" (code, signal: every exit, crash or stop).
 */
export class SupervisedChild extends EventEmitter {
  private child: ChildProcess | null = null;
  private startedAt = 0;
  private crashesInARow = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  restarts = 0;

  constructor(
    readonly spec: ChildSpec,
    private readonly backoff: BackoffPolicy,
    private readonly log: Log,
  ) {
    super();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether a process of this child is alive now (false between a crash and its restart). */
  get alive(): boolean {
    return this.child !== null;
  }

  start(): void {
    if (this.stopping || this.child) return;
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: this.spec.stdio ?? "inherit",
    });
    this.child = child;
    this.startedAt = Date.now();
    this.exited = new Promise((resolve) => {
      let settled = false;
      const onGone = (code: number | null, signal: NodeJS.Signals | null) => {
        if (settled) return;
        settled = true;
        this.child = null;
        resolve();
        this.emit("exit", code, signal);
        if (!this.stopping) this.scheduleRestart(code, signal);
      };
      child.once("exit", onGone);
      // A child that could not be spawned at all (ENOENT, EACCES) emits "error" and no "exit".
      child.once("error", (error) => {
        this.log(`[supervisor] ${this.spec.name}: ${error.message}`);
        if (child.pid === undefined) onGone(null, null);
      });
    });
    if (child.pid !== undefined) this.emit("spawn", child.pid);
  }

  private scheduleRestart(code: number | null, signal: NodeJS.Signals | null): void {
    const upMs = Date.now() - this.startedAt;
    this.crashesInARow = upMs >= this.backoff.resetAfterMs ? 1 : this.crashesInARow + 1;
    const restartInMs = restartDelayMs(this.crashesInARow, this.backoff);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.log(`[supervisor] ${this.spec.name} ${how} after ${(upMs / 1000).toFixed(1)} s; restarting in ${(restartInMs / 1000).toFixed(1)} s (crash ${this.crashesInARow} in a row)`);
    this.emit("crash", { code, signal, upMs, restartInMs, crashesInARow: this.crashesInARow } satisfies CrashEvent);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarts += 1;
      this.start();
    }, restartInMs);
  }

  /**
   * Graceful stop, no restart: SIGTERM, then SIGKILL once spec.stopTimeoutMs passes. Resolves when the process is
   * gone (at once when it is between a crash and its restart).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return;
    child.kill("SIGTERM");
    const overdue = setTimeout(() => {
      this.log(`[supervisor] ${this.spec.name} still running ${(this.spec.stopTimeoutMs / 1000).toFixed(1)} s after SIGTERM; killing it`);
      child.kill("SIGKILL");
    }, this.spec.stopTimeoutMs);
    await this.exited;
    clearTimeout(overdue);
  }

  /** Immediate stop, no restart: SIGKILL. Resolves when the process is gone. */
  async kill(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.child?.kill("SIGKILL");
    await this.exited;
  }
}

export interface ShutdownStage {
  name: string;
  /** The graceful way; bounded by itself or by `timeoutMs`. */
  stop: () => Promise<void>;
  /** Stages after a forced stop still run, through `force` when given (kill instead of asking). */
  force?: () => Promise<void>;
  /** Bound for `stop`/`force` of stages without one of their own (a database stop). */
  timeoutMs?: number;
}

/**
 * Runs shutdown stages strictly one after the other (the worker hands its jobs back while the database is still
 * up), each bounded. The first call to `stop()` starts the graceful run; `force()` (a second signal) switches the
 * remaining and current stages to their `force`. Resolves with "graceful" or "forced" once every stage is done.
 */
export class OrderedShutdown {
  private forced = false;
  private running: Promise<"graceful" | "forced"> | null = null;
  private forceNow: (() => void) | null = null;
  private finish: (how: "graceful" | "forced") => void = () => undefined;
  /** Resolves when a shutdown, whoever started it, has run every stage. */
  readonly finished = new Promise<"graceful" | "forced">((resolve) => (this.finish = resolve));

  constructor(
    private readonly stages: ShutdownStage[],
    private readonly log: Log,
  ) {}

  get started(): boolean {
    return this.running !== null;
  }

  stop(): Promise<"graceful" | "forced"> {
    this.running ??= this.run();
    return this.running;
  }

  force(): Promise<"graceful" | "forced"> {
    this.forced = true;
    this.forceNow?.();
    return this.stop();
  }

  private async run(): Promise<"graceful" | "forced"> {
    for (const stage of this.stages) {
      this.log(`[supervisor] stopping ${stage.name}`);
      if (!this.forced) {
        // A force() during the graceful stop of this stage cuts it short.
        const forcedMidway = new Promise<"forced">((resolve) => (this.forceNow = () => resolve("forced")));
        const outcome = await Promise.race([bounded(stage.stop(), stage.timeoutMs, stage.name, this.log), forcedMidway]);
        this.forceNow = null;
        if (outcome !== "forced") continue;
      }
      await bounded((stage.force ?? stage.stop)(), stage.timeoutMs, stage.name, this.log);
    }
    const how = this.forced ? "forced" : "graceful";
    this.finish(how);
    return how;
  }
}

async function bounded(work: Promise<void>, timeoutMs: number | undefined, name: string, log: Log): Promise<"done"> {
  const failed = work.catch((error: unknown) => log(`[supervisor] stopping ${name} failed: ${(error as Error)?.message ?? error}`));
  if (timeoutMs === undefined) {
    await failed;
    return "done";
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log(`[supervisor] ${name} did not stop within ${(timeoutMs / 1000).toFixed(1)} s; going on without it`);
      resolve();
    }, timeoutMs);
  });
  await Promise.race([failed, late]);
  clearTimeout(timer);
  return "done";
}
