import { defineConfig } from "prisma/config";

// Prisma 7 reads connection URLs from here (CLI only). Runtime queries go through
// @prisma/adapter-pg in server/db.ts. `prisma generate` needs no database.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/m3studio" },
});
