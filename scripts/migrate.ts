/** `npm run migrate`: apply committed migrations to DATABASE_URL. */
import { applyMigrations } from "../server/schema/migrate";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set");
  process.exit(1);
}
const result = await applyMigrations(url);
console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
