import { tooManyRequests } from "./errors";

/**
 * Admission control: at most `maxConcurrent` requests do work at once; up to `maxQueued` more wait at most
 * `queueTimeoutMs` for a slot (FIFO). A request that finds the queue full, or waits too long, is refused with
 * 429 + Retry-After instead of piling up: memory stays bounded under overload.
 */
export interface AdmissionLimits {
  maxConcurrent: number;
  maxQueued: number;
  queueTimeoutMs: number;
}

type Waiter = { grant: () => void; timer: NodeJS.Timeout | null };

export class Admission {
  private active = 0;
  private waiters: Waiter[] = [];

  constructor(private readonly limits: AdmissionLimits) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  private get retryAfter(): number {
    return Math.max(1, Math.ceil(this.limits.queueTimeoutMs / 1000));
  }

  /** Resolves with a release function once admitted; throws ApiError 429 when refused. */
  async acquire(): Promise<() => void> {
    if (this.active < this.limits.maxConcurrent && this.waiters.length === 0) {
      this.active++;
      return this.releaser();
    }
    if (this.waiters.length >= this.limits.maxQueued || this.limits.queueTimeoutMs <= 0)
      throw tooManyRequests(`server is at capacity (${this.limits.maxConcurrent} requests in flight); retry later`, this.retryAfter);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          if (waiter.timer) clearTimeout(waiter.timer);
          this.active++;
          resolve(this.releaser());
        },
        timer: null,
      };
      waiter.timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(tooManyRequests(`request waited ${this.limits.queueTimeoutMs} ms for a slot; retry later`, this.retryAfter));
      }, this.limits.queueTimeoutMs);
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      const next = this.waiters.shift();
      next?.grant();
    };
  }
}
