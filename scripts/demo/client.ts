import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../../server/api/root";

/**
 * The platform as a browser sees it: next-auth's credentials sign-in for a session cookie, tRPC's typed client
 * (superjson, as the web app) carrying that cookie, and the same streaming upload route as the data studio.
 */
export class CookieJar {
  private cookies = new Map<string, string>();
  add(response: Response) {
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      if (eq > 0) this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }
  has(pattern: RegExp) {
    return [...this.cookies.keys()].some((k) => pattern.test(k));
  }
  header() {
    return [...this.cookies.entries()].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

async function request(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach ${new URL(url).origin} (${cause?.code ?? cause?.message ?? (e as Error).message}); is the platform running (npm start)?`);
  }
}

/** Fails with a clear message when nothing answers at baseUrl (before any tRPC call would say only "fetch failed"). */
export async function checkPlatform(baseUrl: string) {
  const res = await request(`${baseUrl}/api/auth/csrf`);
  if (!res.ok) throw new Error(`${baseUrl} does not look like M3 Studio (GET /api/auth/csrf answered ${res.status})`);
}

/** Signs in with next-auth's credentials provider; null when the credentials are refused. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<CookieJar | null> {
  const jar = new CookieJar();
  const csrf = await request(`${baseUrl}/api/auth/csrf`);
  if (!csrf.ok) throw new Error(`GET /api/auth/csrf answered ${csrf.status}`);
  jar.add(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await request(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST", redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: baseUrl }),
  });
  jar.add(res);
  if (res.headers.get("location")?.includes("error=rate_limited")) throw new Error("too many sign-in attempts for this account; wait a few minutes");
  return jar.has(/session-token$/) ? jar : null;
}

export function apiClient(baseUrl: string, jar: CookieJar | null) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${baseUrl}/api/trpc`, transformer: superjson, headers: () => (jar ? { cookie: jar.header() } : {}) })],
  });
}
export type Api = ReturnType<typeof apiClient>;

/** A tRPC error's message, as the server's AppError phrased it. */
export function apiErrorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  return (error as Error).message ?? String(error);
}

export interface UploadedFile { id: string; fileName: string; sizeBytes: number; sha256: string }

/** Streams a file to POST /api/uploads (the data studio's route), as the signed-in user. */
export async function uploadFile(baseUrl: string, jar: CookieJar, workspaceId: string, file: string): Promise<UploadedFile> {
  const size = (await stat(file)).size;
  const params = new URLSearchParams({ workspaceId, fileName: path.basename(file) });
  const res = await request(`${baseUrl}/api/uploads?${params}`, {
    method: "POST",
    headers: { cookie: jar.header(), "content-type": "application/octet-stream", "content-length": String(size) },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: "half",
  } as RequestInit & { duplex: "half" });
  const body = (await res.json().catch(() => ({ error: res.statusText }))) as UploadedFile & { error?: string };
  if (res.status !== 201) throw new Error(`upload of ${path.basename(file)} refused (${res.status}): ${body.error ?? "no reason given"}`);
  return body;
}
