import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Prometheus metrics of one server (its own registry, so several servers in one process do not collide):
 * requests by route and status, errors by type, latency histograms, queue size, in-flight requests, batch
 * tokens/sizes, inference time, cache hits, truncated inputs, model swaps, plus process metrics (RSS, heap).
 */
export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"route" | "status">;
  readonly errors: Counter<"route" | "type">;
  readonly latency: Histogram<"route">;
  readonly batchTokens: Histogram;
  readonly batchSize: Histogram;
  readonly paddedTokens: Counter;
  readonly realTokens: Counter;
  readonly inference: Histogram;
  readonly cacheHits: Counter;
  readonly cacheMisses: Counter;
  readonly truncated: Counter;
  readonly swaps: Counter;

  constructor(gauges: { queued: () => number; inFlight: () => number; cacheEntries: () => number }) {
    const registers = [this.registry];
    this.requests = new Counter({ name: "m3_http_requests_total", help: "HTTP requests by route and status", labelNames: ["route", "status"], registers });
    this.errors = new Counter({ name: "m3_http_errors_total", help: "Error responses by route and error type", labelNames: ["route", "type"], registers });
    this.latency = new Histogram({
      name: "m3_http_request_duration_seconds",
      help: "Request latency by route",
      labelNames: ["route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.batchTokens = new Histogram({
      name: "m3_batch_tokens",
      help: "Padded tokens per model batch (batch size × padded length)",
      buckets: [16, 64, 256, 1024, 4096, 16384, 65536],
      registers,
    });
    this.batchSize = new Histogram({ name: "m3_batch_size", help: "Inputs per model batch", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers });
    this.inference = new Histogram({
      name: "m3_inference_duration_seconds",
      help: "Backend time per batch",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.paddedTokens = new Counter({ name: "m3_batch_padded_tokens_total", help: "Tokens computed by the model, padding included", registers });
    this.realTokens = new Counter({ name: "m3_batch_real_tokens_total", help: "Real (unpadded) tokens computed by the model", registers });
    this.cacheHits = new Counter({ name: "m3_cache_hits_total", help: "Inputs served from the cache", registers });
    this.cacheMisses = new Counter({ name: "m3_cache_misses_total", help: "Inputs encoded by the model", registers });
    this.truncated = new Counter({ name: "m3_truncated_inputs_total", help: "Inputs truncated to the max length", registers });
    this.swaps = new Counter({ name: "m3_model_swaps_total", help: "Model swaps (rollbacks, redeploys)", registers });
    new Gauge({ name: "m3_queue_size", help: "Requests waiting for admission plus inputs waiting for a batch", registers, collect() { this.set(gauges.queued()); } });
    new Gauge({ name: "m3_requests_in_flight", help: "Admitted requests being served", registers, collect() { this.set(gauges.inFlight()); } });
    new Gauge({ name: "m3_cache_entries", help: "Entries in the input cache", registers, collect() { this.set(gauges.cacheEntries()); } });
    collectDefaultMetrics({ register: this.registry });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
