/**
 * Who the deployment proxy lets in before it does any work: a cap on concurrent proxied requests in this process,
 * and a per-client-address budget of failed API-key lookups (so a flood of made-up keys costs no database query
 * once it is over budget). Both are in memory, per web process: each process protects itself.
 */

/** A counting semaphore that refuses instead of queueing: a refused caller gets 429 at once. */
export function createConcurrencyCap(max: number) {
  let inFlight = 0;
  return {
    /** A release function, or null when `max` requests are already in flight. */
    tryEnter(): (() => void) | null {
      if (inFlight >= max) return null;
      inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
      };
    },
    inFlight: () => inFlight,
  };
}

/** Addresses tracked at most; past this, expired windows and then the oldest are dropped. */
const MAX_TRACKED_ADDRESSES = 50_000;

/**
 * Failed lookups per address in a fixed window that starts at the address's first failure. Once `limit`
 * failures are recorded, `retryAfterSeconds` says how long until the window ends (0 while under budget).
 */
export function createFailedKeyLimiter({ limit, windowMs, now = Date.now }: { limit: number; windowMs: number; now?: () => number }) {
  const windows = new Map<string, { start: number; failures: number }>();

  function current(address: string) {
    const w = windows.get(address);
    if (w && now() - w.start >= windowMs) {
      windows.delete(address);
      return undefined;
    }
    return w;
  }

  function prune() {
    if (windows.size <= MAX_TRACKED_ADDRESSES) return;
    for (const address of windows.keys()) current(address);
    for (const address of windows.keys()) {
      if (windows.size <= MAX_TRACKED_ADDRESSES) break;
      windows.delete(address);
    }
  }

  return {
    retryAfterSeconds(address: string): number {
      const w = current(address);
      if (!w || w.failures < limit) return 0;
      return Math.max(1, Math.ceil((w.start + windowMs - now()) / 1000));
    },
    recordFailure(address: string): void {
      const w = current(address);
      if (w) w.failures++;
      else windows.set(address, { start: now(), failures: 1 });
      prune();
    },
  };
}
