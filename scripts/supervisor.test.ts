import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { db } from "../server/db";
import { enqueueJob } from "../server/jobs/enqueue";
import { waitFor } from "../gpu-worker/testing/spawn-worker";
import { restartDelayMs, SupervisedChild, type CrashEvent } from "./supervisor";

/**
 * `npm start`'s supervision with real processes (issue #13, finding 5): a child killed with SIGKILL is restarted
 * while its sibling keeps answering HTTP; a stop runs worker → web → database, the real worker handing its running
 * job back before the database stop begins; a second signal, or a child that overruns its bound, is killed.
 * Every wait is on a condition (an HTTP answer, a line in the order file, an exit), never on a clock.
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const HTTP_CHILD = path.join(ROOT, "scripts/supervisor-fixtures/http-child.mjs");
const PLATFORM = "scripts/supervisor-fixtures/platform.ts";
const LAUNCHER = "scripts/supervisor-fixtures/launcher.ts";

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The child's answer ("<name> <pid>"), or null while nothing answers on the port. */
async function answer(port: number): Promise<string | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    return await response.text();
  } catch {
    return null;
  }
}

const tempFile = (name: string) => path.join(mkdtempSync(path.join(os.tmpdir(), "m3-supervisor-")), name);
const linesOf = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);
const events = (file: string) => linesOf(file).filter((line) => !line.startsWith("log "));

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => db.$disconnect());

describe("restart backoff", () => {
  it("doubles from initialMs up to maxMs", () => {
    const policy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => restartDelayMs(n, policy))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
});

describe("a crashed child", () => {
  function supervised(name: string, port: number, resetAfterMs: number, log: string[]) {
    const child = new SupervisedChild(
      { name, command: process.execPath, args: [HTTP_CHILD, String(port), name], stdio: "ignore", stopTimeoutMs: 10_000 },
      { initialMs: 20, maxMs: 1000, resetAfterMs },
      (message) => log.push(message),
    );
    child.start();
    cleanup.push(() => child.stop());
    return child;
  }

  it("is restarted and answers again, while its sibling keeps answering throughout", async () => {
    const log: string[] = [];
    const [workerPort, webPort] = [await freePort(), await freePort()];
    const worker = supervised("worker", workerPort, 60_000, log);
    const web = supervised("web", webPort, 60_000, log);
    await waitFor(async () => (await answer(workerPort)) && (await answer(webPort)), 30_000, "both children to answer");
    const webPid = web.pid;
    const crashedPid = worker.pid!;

    // The web is asked continuously from before the crash until the worker is back.
    let polling = true;
    const webAnswers: (string | null)[] = [];
    const pollWeb = (async () => {
      while (polling) webAnswers.push(await answer(webPort));
    })();
    const crashed = new Promise<CrashEvent>((resolve) => worker.once("crash", resolve));
    await waitFor(async () => webAnswers.length > 0, 10_000, "the web to be asked");
    process.kill(crashedPid, "SIGKILL");
    const crash = await crashed;
    const back = await waitFor(async () => {
      const text = await answer(workerPort);
      return text && text !== `worker ${crashedPid}` ? text : null;
    }, 30_000, "the restarted worker to answer");
    polling = false;
    await pollWeb;

    expect(crash).toMatchObject({ signal: "SIGKILL", crashesInARow: 1, restartInMs: 20 });
    expect(back).toBe(`worker ${worker.pid}`);
    expect(worker.restarts).toBe(1);
    expect(log.some((line) => line.includes("worker was killed by SIGKILL") && line.includes("restarting in"))).toBe(true);
    expect(web.pid).toBe(webPid);
    expect(web.restarts).toBe(0);
    expect(webAnswers.length).toBeGreaterThan(1);
    expect(webAnswers.filter((text) => text !== `web ${webPid}`)).toEqual([]);
  }, 60_000);

  it("backs off exponentially while it keeps crashing, and starts over after staying up resetAfterMs", async () => {
    const log: string[] = [];
    const port = await freePort();
    const crashThrice = async (child: SupervisedChild) => {
      const delays: CrashEvent[] = [];
      for (let i = 0; i < 3; i++) {
        const pid = await waitFor(async () => ((await answer(port)) ? child.pid : undefined), 30_000, "the child to answer");
        const crashed = new Promise<CrashEvent>((resolve) => child.once("crash", resolve));
        process.kill(pid, "SIGKILL");
        delays.push(await crashed);
      }
      return delays.map((c) => [c.crashesInARow, c.restartInMs]);
    };
    // resetAfterMs out of reach: crashes accumulate; 0: every run counts as healthy.
    const flapping = supervised("flapping", port, 3_600_000, log);
    expect(await crashThrice(flapping)).toEqual([[1, 20], [2, 40], [3, 80]]);
    await flapping.stop();
    const healthy = supervised("healthy", port, 0, log);
    expect(await crashThrice(healthy)).toEqual([[1, 20], [1, 20], [1, 20]]);
  }, 60_000);
});

describe("ordered shutdown of the platform", () => {
  interface Started {
    child: ChildProcess;
    orderFile: string;
    exited: Promise<number | null>;
  }

  /** A system sleep job of 10 minutes, cancelled after the test whatever happens (it must not hold later tests' worker). */
  async function longSleepJob(): Promise<string> {
    await db.job.updateMany({ where: { status: { in: ["QUEUED", "RUNNING"] } }, data: { status: "CANCELLED", lockedBy: null } });
    const { id } = await enqueueJob({ type: "sleep", payload: { ms: 600_000, steps: 600 } });
    cleanup.push(async () => void (await db.job.update({ where: { id }, data: { status: "CANCELLED", lockedBy: null } })));
    return id;
  }

  /** The platform fixture, or with `launcher` the launcher around it in a process group of its own, as a terminal's foreground job. */
  function startPlatform(config: Record<string, unknown>, launcher = false): Started {
    const orderFile = tempFile("order.log");
    const script = launcher ? LAUNCHER : PLATFORM;
    const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify({ orderFile, ...config })], {
      cwd: ROOT,
      env: { ...process.env, WORKER_JOB_TYPES: "sleep", WORKER_POLL_MS: "250", WORKER_HEARTBEAT_MS: "1000", WORKER_REAP_MS: "500" },
      stdio: ["ignore", "inherit", "inherit"],
      detached: launcher,
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    cleanup.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    });
    return { child, orderFile, exited };
  }

  /** What an ordered stop writes: the worker hands its job back (QUEUED, no attempt spent), then web, then the database. */
  const ORDERED_STOP = [
    "platform:ready",
    "worker:exit 0",
    "web:SIGTERM",
    "web:exit 0",
    `database:stop ${JSON.stringify({ status: "QUEUED", attempts: 0, lockedBy: null })}`,
    "platform:exit 0",
  ];

  /** Starts the platform (or its launcher) with the real worker running a job, stops it with `stop`, expects ORDERED_STOP. */
  async function expectOrderedStop(launcher: boolean, stop: (child: ChildProcess) => void) {
    const jobId = await longSleepJob();
    const webPort = await freePort();
    const started = startPlatform({ webPort, workerStopTimeoutMs: 60_000, jobId }, launcher);
    await waitFor(async () => (await db.job.findUniqueOrThrow({ where: { id: jobId } })).status === "RUNNING", 60_000, "the worker to run the job");
    await waitFor(() => answer(webPort), 30_000, "the web to answer");

    stop(started.child);
    expect(await started.exited).toBe(0);
    expect(events(started.orderFile), linesOf(started.orderFile).join("\n")).toEqual(ORDERED_STOP);
  }

  it("SIGTERM: the real worker hands its running job back, then the web stops, then the database", async () => {
    await expectOrderedStop(false, (platform) => platform.kill("SIGTERM"));
  }, 120_000);

  it("Ctrl-C through the launcher (the terminal's SIGINT to its process group, then npm's and tsx's copies) is one ordered stop", async () => {
    await expectOrderedStop(true, (launcher) => {
      process.kill(-launcher.pid!, "SIGINT"); // what a terminal does on Ctrl-C: the whole foreground group
      launcher.kill("SIGINT"); // npm forwards it
      launcher.kill("SIGINT"); // and tsx relays it
    });
  }, 120_000);

  /** The platform fixture with the stand-in worker that ignores SIGTERM; resolves once both children answer (their SIGTERM handlers installed). */
  async function startWithHangingWorker(config: Record<string, unknown>) {
    const webPort = await freePort();
    const workerPort = await freePort();
    const platform = startPlatform({ webPort, hangingWorkerPort: workerPort, ...config });
    await waitFor(async () => (await answer(webPort)) && (await answer(workerPort)), 30_000, "both children to answer");
    return { platform, webPort };
  }

  it("a second signal kills what still runs and still stops the database", async () => {
    const { platform } = await startWithHangingWorker({ workerStopTimeoutMs: 3_600_000 });
    platform.child.kill("SIGTERM");
    await waitFor(async () => events(platform.orderFile).includes("worker:SIGTERM"), 30_000, "the worker to get SIGTERM");
    platform.child.kill("SIGTERM");
    expect(await platform.exited).toBe(1);
    expect(events(platform.orderFile), linesOf(platform.orderFile).join("\n")).toEqual([
      "platform:ready",
      "worker:SIGTERM",
      "worker:exit SIGKILL",
      "web:exit SIGKILL",
      "database:stop",
      "platform:exit 1",
    ]);
  }, 60_000);

  it("an uncaught error in the platform process stops web and worker in order and exits 1 (none left running)", async () => {
    const { platform, webPort } = await startWithHangingWorker({ workerStopTimeoutMs: 200, throwOnSigusr2: true });
    platform.child.kill("SIGUSR2");
    expect(await platform.exited).toBe(1);
    expect(events(platform.orderFile), linesOf(platform.orderFile).join("\n")).toEqual([
      "platform:ready",
      "platform:throws",
      "worker:SIGTERM",
      "worker:exit SIGKILL",
      "web:SIGTERM",
      "web:exit 0",
      "database:stop",
      "platform:exit 1",
    ]);
    expect(linesOf(platform.orderFile).some((line) => line.includes("platform error, stopping: Error: a bug in the platform process"))).toBe(true);
    expect(await answer(webPort)).toBeNull();
  }, 60_000);

  it("a worker that overruns its stop bound is killed, and the stop goes on in order", async () => {
    const { platform } = await startWithHangingWorker({ workerStopTimeoutMs: 200 });
    platform.child.kill("SIGTERM");
    expect(await platform.exited).toBe(0);
    expect(events(platform.orderFile), linesOf(platform.orderFile).join("\n")).toEqual([
      "platform:ready",
      "worker:SIGTERM",
      "worker:exit SIGKILL",
      "web:SIGTERM",
      "web:exit 0",
      "database:stop",
      "platform:exit 0",
    ]);
    expect(linesOf(platform.orderFile).some((line) => line.includes("worker still running 0.2 s after SIGTERM; killing it"))).toBe(true);
  }, 60_000);
});
