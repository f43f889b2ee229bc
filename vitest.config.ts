import path from "node:path";
import { defineConfig } from "vitest/config";
import { testDatabaseUrl } from "./server/testing/database";

// Unit + integration tests. Integration tests talk to a real PostgreSQL: a fresh database
// (TEST_DATABASE_URL, default m3_test on 127.0.0.1:5432) is created and migrated per run.
export default defineConfig({
  resolve: { alias: { "~": path.resolve(import.meta.dirname) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", ".next-*/**", "playwright/**", ".cache/**"],
    globalSetup: ["server/testing/global-setup.ts"],
    env: {
      NODE_ENV: "test",
      DATABASE_URL: testDatabaseUrl(),
      AUTH_SECRET: "test-secret-test-secret-test-secret-0123",
      SIGN_IN_MAX_FAILURES: "3",
      M3_MODEL_ROOTS: path.join(process.env.TMPDIR ?? "/tmp", "m3-test-model-roots"),
      M3_LLM_ALLOWED_HOSTS: "127.0.0.1", // the local OpenAI stub (server/testing/openai-stub.ts)
    },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
