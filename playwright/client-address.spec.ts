import { expect, test } from "@playwright/test";
import { request as httpRequest } from "node:http";
import { PASSWORD, signUp, uniqueEmail } from "./helpers";

/**
 * `npm start` without a proxy in front: the web server (scripts/web-server.ts) names each caller by its socket
 * address, so a stranger's wrong passwords lock out the stranger's address, not the owner's (issue #13, finding
 * 8). The stranger talks to the same server from another loopback address (all of 127.0.0.0/8 is this machine on
 * Linux); under plain `next start` both fell into one shared "unknown" bucket and the owner was locked out.
 */
const STRANGER_ADDRESS = "127.0.0.77";
// Far above SIGN_IN_MAX_FAILURES (default 5): the loop stops at the first lockout answer.
const MAX_GUESSES = 50;

interface Answer {
  status: number;
  location: string;
  cookies: string[];
  body: string;
}

/** One request to the e2e server from `localAddress`. */
function sendFrom(baseURL: string, localAddress: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const target = new URL(path, baseURL);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, localAddress, method: init.method ?? "GET", headers: init.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? ""), cookies: (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!), body }),
      );
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/** A credentials sign-in through Auth.js's real endpoints from `localAddress`: the error code it redirected with, or null when signed in. */
async function signInFrom(baseURL: string, localAddress: string, email: string, password: string): Promise<string | null> {
  const csrf = await sendFrom(baseURL, localAddress, "/api/auth/csrf");
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const answer = await sendFrom(baseURL, localAddress, "/api/auth/callback/credentials", {
    method: "POST",
    headers: { cookie: csrf.cookies.join("; "), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, email, password }).toString(),
  });
  if (answer.cookies.some((c) => /authjs\.session-token=./.test(c))) return null;
  const location = new URL(answer.location || "/", baseURL);
  return location.searchParams.get("code") ?? location.searchParams.get("error") ?? `status ${answer.status}`;
}

test("a stranger's wrong passwords from another address lock out the stranger, not the owner", async ({ browser, baseURL }) => {
  const email = uniqueEmail("lockout owner");
  const signUpPage = await (await browser.newContext()).newPage();
  await signUpPage.goto("/sign-up");
  await signUp(signUpPage, email, "Lockout Owner");
  await expect(signUpPage).toHaveURL(/\/workspaces\/new/);

  // The stranger guesses until the server locks them out; even the right password is then refused to them.
  let answer: string | null = "credentials";
  let guesses = 0;
  while (answer === "credentials" && guesses < MAX_GUESSES) answer = await signInFrom(baseURL!, STRANGER_ADDRESS, email, `guess ${guesses++}`);
  expect(answer).toBe("rate_limited");
  expect(await signInFrom(baseURL!, STRANGER_ADDRESS, email, PASSWORD)).toBe("rate_limited");

  // The owner, in a fresh browser at 127.0.0.1, signs in (under one shared bucket: "Too many attempts").
  const owner = await (await browser.newContext()).newPage();
  await owner.goto("/sign-in");
  await owner.getByLabel("Email").fill(email);
  await owner.getByLabel("Password").fill(PASSWORD);
  await owner.getByRole("button", { name: "Sign in" }).click();
  await expect(owner).not.toHaveURL(/\/sign-in/);
});
