import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { withClientAddress } from "./web-server";

/**
 * Tests of the client address through real HTTP: a real server that stamps each request the way the web
 * server does (withClientAddress) and hands it, as a Fetch Request, to a route handler (Auth.js, tRPC, or
 * a probe); and a client that connects from a chosen loopback address (all of 127.0.0.0/8 is this machine
 * on Linux), so that tests see distinct socket addresses without a network.
 */
export interface StampingServer {
  /** Sends one request from `from` (a 127.x.y.z address); the answer's status, Set-Cookie pairs, headers and body. */
  send(from: string, path: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<SentAnswer>;
  close(): Promise<void>;
}

export interface SentAnswer {
  status: number;
  headers: IncomingMessage["headers"];
  /** "name=value" of each Set-Cookie, cleared cookies left out. */
  cookies: string[];
  body: string;
}

/** The Fetch Request a route handler would get for `req` (what Next builds from the Node request's headers). */
async function toFetchRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`${origin}${req.url}`, { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
}

/**
 * Listens on `host` (default 127.0.0.1), random port. `origin` is the URL the handler sees (Auth.js checks it
 * against its own), not where the server listens.
 */
export async function startStampingServer(handler: (request: Request) => Promise<Response>, { origin = "http://127.0.0.1:3000", host = "127.0.0.1" } = {}): Promise<StampingServer> {
  const server: Server = createServer((req, res) => {
    withClientAddress(req);
    toFetchRequest(req, origin)
      .then(handler)
      .then(async (response) => {
        const headers: Record<string, string | string[]> = {};
        response.headers.forEach((value, name) => {
          if (name !== "set-cookie") headers[name] = value;
        });
        const setCookies = response.headers.getSetCookie();
        if (setCookies.length > 0) headers["set-cookie"] = setCookies;
        res.writeHead(response.status, headers).end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const connectTo = host === "::" ? "127.0.0.1" : host;

  return {
    send(from, path, init = {}) {
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: connectTo, port, localAddress: from, path, method: init.method ?? "GET", headers: init.headers, agent: false }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => {
            const cookies = (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!).filter((pair) => !pair.endsWith("="));
            resolve({ status: res.statusCode ?? 0, headers: res.headers, cookies, body });
          });
        });
        req.on("error", reject);
        req.end(init.body);
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
