/**
 * The terminal half of `npm start`. Ctrl-C sends SIGINT to the whole foreground process group: npm, tsx, this
 * script and every child it started, embedded PostgreSQL included, which then shuts down before the worker has
 * handed its jobs back. So the platform runs in a process group of its own (detached) that only this launcher
 * signals, and the launcher turns the terminal's signals into one ordered stop.
 *
 * One Ctrl-C reaches this process up to three times (from the terminal, forwarded by npm, relayed by tsx), all at
 * once: repeats within REPEAT_IS_SAME_REQUEST_MS are the same stop request; a later one asks to force.
 */
import { spawn } from "node:child_process";

const REPEAT_IS_SAME_REQUEST_MS = 1000;
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Runs `node --import tsx <script> ...args` detached, relays stop requests, and exits with its exit code. */
export function launchDetached(script: string, args: string[], cwd: string): void {
  const platform = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd,
    detached: true,
    // No stdin: a background process group reading the terminal would be stopped (SIGTTIN). The IPC channel tells
    // the platform when this launcher is gone.
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let firstRequestAt: number | null = null;
  let forced = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstRequestAt === null) {
      firstRequestAt = now;
      console.log(`\n${signal}: stopping M3 Studio (press Ctrl-C again to force)...`);
      platform.kill("SIGTERM");
    } else if (!forced && now - firstRequestAt >= REPEAT_IS_SAME_REQUEST_MS) {
      forced = true;
      console.log(`\n${signal} again: forcing the stop`);
      platform.kill("SIGTERM");
    }
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  platform.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
