import { defineConfig } from "vitest/config";
import path from "node:path";

// Unit + integration tests. Integration tests talk to the real PostgreSQL named by
// DATABASE_URL (scripts/test.sh creates and migrates a dedicated test database).
export default defineConfig({
  resolve: { alias: { "~": path.resolve(import.meta.dirname) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "playwright/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
