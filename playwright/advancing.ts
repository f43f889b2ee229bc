import { expect } from "@playwright/test";

export interface AdvancingOptions {
  /** Fail when the progress signature has not changed for this long. */
  stallMs?: number;
  /** Fail after this long in any case (keep it inside the test's own timeout). */
  capMs?: number;
}

/**
 * Waits for `done` for as long as the page shows the work advancing: `progress` reads a signature of how far it
 * got (a run's status and step, a log's length, a chart's point count), and the wait fails only when it has not
 * changed for `stallMs`, or after `capMs`. A loaded machine makes training slower, never a spec red.
 */
export async function waitWhileAdvancing(
  done: () => Promise<boolean>,
  progress: () => Promise<string>,
  what: string,
  { stallMs = 180_000, capMs = 900_000 }: AdvancingOptions = {},
) {
  const started = Date.now();
  let last = await progress();
  let lastChange = started;
  for (;;) {
    if (await done()) return;
    const now = Date.now();
    const current = await progress();
    if (current !== last) {
      last = current;
      lastChange = now;
    }
    expect(now - lastChange, `no progress for ${stallMs} ms waiting for ${what} (stuck at ${last})`).toBeLessThan(stallMs);
    expect(now - started, `gave up after ${capMs} ms waiting for ${what} (at ${last})`).toBeLessThan(capMs);
    await new Promise((r) => setTimeout(r, 500));
  }
}
