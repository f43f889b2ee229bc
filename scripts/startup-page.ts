/**
 * While `npm start` builds the web app on a first start (minutes), the port answers at once with a page that says
 * so and reloads itself, instead of refusing connections. Closed before the web app takes the port over.
 */
import { createServer } from "node:http";

const PAGE = (what: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>M3 Studio is starting</title></head><body style="font-family:system-ui;margin:4rem;color:#334155">
<h1 style="font-size:1.25rem">M3 Studio is starting</h1><p>${what}</p><p>This page reloads itself.</p></body></html>`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function serveStartupPage({ host, port, what }: { host: string; port: number; what: string }) {
  const server = createServer((req, res) => {
    req.resume(); // no body is read: every request gets the same page
    res.writeHead(503, { "content-type": "text/html; charset=utf-8", "retry-after": "5", "cache-control": "no-store" });
    res.end(PAGE(escapeHtml(what)));
  });
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false)); // the port is taken: the web app will say so when it starts
    server.listen(port, host, () => resolve(true));
  });
  return {
    listening,
    close: () => new Promise<void>((resolve) => {
      if (!listening) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
