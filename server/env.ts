import { z } from "zod";

/**
 * Environment, validated once at start-up (web, worker and scripts all import this).
 * A missing or malformed variable stops the process with the variable's name.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.string().url(),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters"),
  AUTH_URL: z.string().url().optional(),
  AUTH_GITHUB_ID: z.string().optional(),
  AUTH_GITHUB_SECRET: z.string().optional(),
  AUTH_OIDC_ISSUER: z.string().url().optional(),
  AUTH_OIDC_ID: z.string().optional(),
  AUTH_OIDC_SECRET: z.string().optional(),
  ARTIFACTS_DIR: z.string().default(".data/artifacts"),
  SIGN_IN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  SIGN_IN_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  INVITE_TTL_HOURS: z.coerce.number().positive().default(72),
  // Security settings, each explained in docs/security.md. Owned per area: keep edits to your own lines.
  /** Interface the web app listens on (npm start); 0.0.0.0 exposes it to the network. */
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Folders (path-delimiter separated, ":" on Linux) under which base models may be registered. */
  M3_MODEL_ROOTS: z.string().default(""),
  /** Hosts (comma separated) that a workspace LLM base URL may name even when they resolve to private addresses. */
  M3_LLM_ALLOWED_HOSTS: z.string().default(""),
  /** Take the last X-Forwarded-For entry (the one the proxy appended) as the client's address (only behind a proxy). */
  M3_TRUSTED_PROXY: z.enum(["true", "false", "1", "0"]).default("false").transform((v) => v === "true" || v === "1"),
  SIGN_UP_MAX_PER_WINDOW: z.coerce.number().int().positive().default(10),
  SIGN_UP_WINDOW_SECONDS: z.coerce.number().int().positive().default(3600),
  WORKSPACE_MAX_RUNNING_JOBS: z.coerce.number().int().positive().default(4),
  WORKSPACE_MAX_QUEUED_JOBS: z.coerce.number().int().positive().default(200),
  /** Bytes of uploads and artifacts a workspace may hold (default 50 GiB). */
  WORKSPACE_STORAGE_QUOTA_BYTES: z.coerce.number().int().positive().default(50 * 1024 ** 3),
  PROXY_MAX_CONCURRENT: z.coerce.number().int().positive().default(64),
  PROXY_MAX_BODY_BYTES: z.coerce.number().int().positive().default(4 * 1024 * 1024),
  /** Failed API-key lookups per client address per minute before the proxy answers 429. */
  PROXY_FAILED_KEYS_PER_MINUTE: z.coerce.number().int().positive().default(30),
});

export type Env = z.infer<typeof envSchema>;

function loadEnv(): Env {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

export const env = loadEnv();
