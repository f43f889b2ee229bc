import pg from "pg";
import { applyMigrations } from "../schema/migrate";

/**
 * The test database: TEST_DATABASE_URL, or a database private to this test run on the local
 * PostgreSQL server (named by the runner's pid, so two runs on one machine never collide).
 */
export function testDatabaseUrl(): string {
  if (!process.env.TEST_DATABASE_URL) process.env.TEST_DATABASE_URL = `postgresql://postgres@127.0.0.1:5432/m3_test_${process.pid}`;
  return process.env.TEST_DATABASE_URL;
}

/** The database's name (checked: it is interpolated into DROP/CREATE) and a client on the server's admin database. */
async function adminClientFor(url: string): Promise<{ name: string; client: pg.Client }> {
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`Refusing to drop or create database "${name}"`);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  return { name, client };
}

export async function dropDatabase(url: string): Promise<void> {
  const { name, client } = await adminClientFor(url);
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Drops and recreates the database named by `url`, empty (no migrations). */
export async function emptyDatabase(url: string): Promise<void> {
  const { name, client } = await adminClientFor(url);
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/** Drops and recreates the database named by `url`, then applies the committed migrations. */
export async function recreateDatabase(url: string): Promise<void> {
  await emptyDatabase(url);
  await applyMigrations(url);
}
