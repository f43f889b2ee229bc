/**
 * The web app in production: `node --import tsx scripts/web-server.ts` after `next build`, instead of
 * `next start`, so that per-address limits see the real client address (server/http/web-server.ts).
 * Listens on HOST (default 127.0.0.1) and PORT (default 3000); SIGTERM/SIGINT close it gracefully.
 */
import path from "node:path";
import { env } from "../server/env";
import { startWebServer } from "../server/http/web-server";

const web = await startWebServer({ dir: path.resolve(import.meta.dirname, ".."), hostname: env.HOST, port: env.PORT });
console.log(`Web server listening on ${env.HOST}:${env.PORT}`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    web.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("Web server did not close cleanly:", error);
        process.exit(1);
      },
    );
  });
}
