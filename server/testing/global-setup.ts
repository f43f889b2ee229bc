import { dropDatabase, recreateDatabase, testDatabaseUrl } from "./database";

/** vitest globalSetup: a fresh, migrated test database for the run, dropped afterwards. */
export default async function setup() {
  const url = testDatabaseUrl();
  await recreateDatabase(url);
  return async () => {
    if (!process.env.KEEP_TEST_DATABASE) await dropDatabase(url);
  };
}
