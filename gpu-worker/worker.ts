import { randomBytes } from "node:crypto";
import os from "node:os";
import { db } from "../server/db";
import { jobDefinitions } from "../server/jobs/definitions";
import { claimJob } from "../server/jobs/claim";
import { reapExpiredLeases } from "../server/jobs/reaper";
import { detectCapabilities, type WorkerCapabilities } from "./capabilities";
import { runJob, type RunningJob } from "./job-runner";
import { QueueListener } from "./listener";
import { handlers } from "./tasks";

export interface WorkerOptions {
  databaseUrl: string;
  concurrency: number;
  /** Service jobs (deployments) run beside regular ones, up to this many. */
  maxServices: number;
  pollMs: number;
  reapEveryMs: number;
  heartbeatEveryMs: number;
  /** Restrict to these job types (default: every type this host can run). */
  types?: string[];
}

type Logger = (message: string, fields?: Record<string, unknown>) => void;

/**
 * The claim loop of one worker process: registers itself, claims jobs it can run (woken by
 * NOTIFY, polling as a fallback), runs up to `concurrency` at once, reaps expired leases,
 * and on stop() hands running jobs back.
 */
export class Worker {
  readonly id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  private readonly running = new Map<string, RunningJob>();
  private stopping = false;
  private wake: (() => void) | null = null;
  private listener: QueueListener;
  private timers: NodeJS.Timeout[] = [];
  private types: string[] = [];
  private serviceTypes = new Set<string>();

  constructor(
    private readonly options: WorkerOptions,
    private readonly log: Logger,
  ) {
    this.listener = new QueueListener(
      options.databaseUrl,
      () => this.wakeUp(),
      (jobId) => this.running.get(jobId)?.abort("cancelled"),
      (error) => this.log("listener error; polling until it reconnects", { error: error.message }),
    );
  }

  async start(): Promise<void> {
    const capabilities = await detectCapabilities();
    this.types = this.runnableTypes(capabilities);
    this.serviceTypes = new Set(jobDefinitions.filter((d) => d.service).map((d) => d.type));
    await db.worker.upsert({
      where: { id: this.id },
      create: { id: this.id, host: os.hostname(), pid: process.pid, capabilities: capabilities as object, jobTypes: this.types },
      update: {},
    });
    await this.listener.start();
    this.timers.push(setInterval(() => void this.beat(), this.options.heartbeatEveryMs));
    this.timers.push(setInterval(() => void this.reap(), this.options.reapEveryMs));
    this.log("worker started", { id: this.id, types: this.types, gpus: capabilities.gpus.length, torch: capabilities.torch.available });
  }

  private runnableTypes(capabilities: WorkerCapabilities): string[] {
    return jobDefinitions
      .filter((d) => handlers[d.type] && d.requires.every((c) => capabilities.provides.includes(c)))
      .filter((d) => !this.options.types || this.options.types.includes(d.type))
      .map((d) => d.type);
  }

  /** Runs until stop(); resolves once every claimed job is finished or released. */
  async loop(): Promise<void> {
    while (!this.stopping) {
      const claimable = this.claimableTypes();
      if (claimable.length === 0) {
        await this.sleep(this.options.pollMs);
        continue;
      }
      let claimed = null;
      try {
        claimed = await claimJob(this.id, claimable, this.spreadKeys());
      } catch (error) {
        this.log("claim failed", { error: (error as Error).message });
      }
      if (!claimed) {
        await this.sleep(this.options.pollMs);
        continue;
      }
      const job = runJob(claimed, this.id, handlers[claimed.type]!, this.log);
      this.running.set(claimed.id, job);
      void job.done.then(() => {
        this.running.delete(claimed.id);
        this.wakeUp();
      });
    }
    await Promise.all([...this.running.values()].map((j) => j.done));
  }

  /** Types with a free slot: regular types while under `concurrency`, service types while under `maxServices`. */
  private claimableTypes(): string[] {
    const services = [...this.running.values()].filter((j) => this.serviceTypes.has(j.row.type)).length;
    const regular = this.running.size - services;
    return this.types.filter((type) =>
      this.serviceTypes.has(type) ? services < this.options.maxServices : regular < this.options.concurrency,
    );
  }

  /** Spread keys of the running jobs: a second replica of the same deployment goes to another worker. */
  private spreadKeys(): Record<string, string>[] {
    return [...this.running.values()].flatMap((j) => {
      const def = jobDefinitions.find((d) => d.type === j.row.type);
      return def?.spreadKey ? [def.spreadKey(j.row.payload)] : [];
    });
  }

  /** Graceful stop: claim nothing more, abort running handlers so they release their jobs. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const job of this.running.values()) job.abort("shutdown");
    this.wakeUp();
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.listener.stop();
    await db.worker.update({ where: { id: this.id }, data: { status: "stopped", currentJobId: null } }).catch(() => undefined);
  }

  /** Liveness plus the job in hand; written on a timer, not per job, to keep claims cheap. */
  private async beat(): Promise<void> {
    const currentJobId = [...this.running.keys()][0] ?? null;
    await db.worker
      .update({ where: { id: this.id }, data: { heartbeatAt: new Date(), currentJobId, status: this.stopping ? "stopping" : "online" } })
      .catch((error: Error) => this.log("worker heartbeat failed", { error: error.message }));
  }

  private async reap(): Promise<void> {
    try {
      const { requeued, failed } = await reapExpiredLeases();
      if (requeued || failed) this.log("reaped expired leases", { requeued, failed });
    } catch (error) {
      this.log("reaper failed", { error: (error as Error).message });
    }
  }

  private wakeUp(): void {
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
