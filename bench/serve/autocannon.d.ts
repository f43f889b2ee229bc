// Minimal types for the parts of autocannon (9.x, no bundled types) that bench/serve/run.ts uses.
declare module "autocannon" {
  interface Histogram { average: number; mean: number; p50: number; p90: number; p97_5: number; p99: number; max: number; min: number; total: number }
  interface Result {
    requests: Histogram & { sent: number };
    latency: Histogram & { p95?: number };
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
    statusCodeStats: Record<string, { count: number }>;
    "1xx": number; "2xx": number; "3xx": number; "4xx": number; "5xx": number;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeout?: number;
    requests?: Array<{ method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }>;
  }
  interface Instance {
    on(event: "response", fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): Instance;
    on(event: "reqError", fn: (err: Error) => void): Instance;
    stop(): void;
  }
  function autocannon(opts: Options, cb: (err: Error | null, result: Result) => void): Instance;
  export default autocannon;
}
