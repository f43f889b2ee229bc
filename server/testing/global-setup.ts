import { recreateDatabase, testDatabaseUrl } from "./database";

/** vitest globalSetup: a fresh, migrated test database for every run. */
export default async function setup() {
  await recreateDatabase(testDatabaseUrl());
}
