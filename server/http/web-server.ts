import { createServer, type IncomingMessage, type Server } from "node:http";
import next from "next";
import { env } from "../env";
import { CLIENT_ADDRESS_HEADER, clientAddressToken, lastForwardedFor, normaliseAddress } from "./client-address";

/**
 * The web app's HTTP server: Next's request handler behind a stamp of the real client address (see
 * clientAddress() in client-address.ts), because Next itself keeps a client-sent X-Forwarded-For.
 */

/** The address a request comes from: the socket's, or behind M3_TRUSTED_PROXY the proxy's last X-Forwarded-For entry. */
function addressOf(req: IncomingMessage): string | null {
  if (env.M3_TRUSTED_PROXY) {
    const header = req.headers["x-forwarded-for"];
    const forwarded = lastForwardedFor(Array.isArray(header) ? header.join(",") : header);
    if (forwarded) return forwarded;
  }
  return normaliseAddress(req.socket.remoteAddress);
}

/** Writes "<token>.<address>" into the request headers, replacing anything the client sent under that name. */
export function withClientAddress(req: IncomingMessage): IncomingMessage {
  const address = addressOf(req);
  if (address) req.headers[CLIENT_ADDRESS_HEADER] = `${clientAddressToken()}.${address}`;
  else delete req.headers[CLIENT_ADDRESS_HEADER];
  return req;
}

export interface WebServer {
  server: Server;
  /** Stops accepting connections, lets open requests finish, then closes Next. */
  close(): Promise<void>;
}

/** Prepares the production build in `dir` (distDir from next.config.ts, so NEXT_DIST_DIR holds) and listens. */
export async function startWebServer({ dir, hostname, port }: { dir: string; hostname: string; port: number }): Promise<WebServer> {
  const server = createServer();
  const app = next({ dev: false, dir, hostname, port, httpServer: server });
  await app.prepare();
  const handle = app.getRequestHandler();
  server.on("request", (req, res) => {
    handle(withClientAddress(req), res).catch((error: unknown) => {
      console.error("Request failed:", error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, resolve);
  });
  return {
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections(); // keep-alive sockets would otherwise hold close() open
      await closed;
      await app.close();
    },
  };
}
