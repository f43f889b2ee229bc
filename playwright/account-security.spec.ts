import { expect, test, type Page } from "@playwright/test";
import { newUserWithWorkspace, signUp } from "./helpers";

/** CSP violations and script errors a page reports. */
function watchViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => seen.push(`${page.url()}: pageerror ${e.message}`));
  return seen;
}

test("pages work under the CSP, the page can upload, sign-out ends the cookie, and a known-email sign-up changes nothing", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations = watchViolations(page);
  const base = await newUserWithWorkspace(page, "Csp Owner", "Csp check");
  const email = (await page.evaluate(async () => (await (await fetch("/api/auth/session")).json()) as { user: { email: string } })).user.email;
  const csp = (await page.request.get(`${base}/datasets`)).headers()["content-security-policy"];
  expect(csp).toContain("frame-ancestors 'none'");
  for (const section of ["datasets", "synthesis", "experiments", "evaluations", "deployments", "activity", "settings", "docs"]) {
    await page.goto(`${base}/${section}`);
    await expect(page.locator("main")).toBeVisible();
    await page.waitForLoadState("networkidle");
  }
  // An upload from the page itself (XHR, same origin) passes the Origin check.
  const workspaceId = await page.evaluate(async (slug) => {
    const res = await fetch(`/api/trpc/workspace.bySlug?input=${encodeURIComponent(JSON.stringify({ json: { workspaceSlug: slug } }))}`);
    return res.ok ? ((await res.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id : null;
  }, base.split("/").pop());
  expect(workspaceId).not.toBeNull();
  const status = await page.evaluate(async (id) => (await fetch(`/api/uploads?workspaceId=${id}&fileName=a.jsonl`, { method: "POST", body: '{"query":"q","positive":"p"}\n' })).status, workspaceId);
  expect(status).toBe(201);
  const cookie = (await context.cookies()).find((c) => c.name.endsWith("authjs.session-token"))!;
  // Sign out from the app shell; the old cookie no longer works.
  await page.goto(`${base}/datasets`);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  const replay = await browser.newContext();
  await replay.addCookies([cookie]);
  const replayed = await replay.newPage();
  await replayed.goto(`${base}/datasets`);
  await expect(replayed).toHaveURL(/\/sign-in/);

  // Sign-up with the known email and a different password: same answer, then a generic message.
  const stranger = await (await browser.newContext()).newPage();
  violations.push(...watchViolations(stranger));
  await stranger.goto("/sign-up");
  await stranger.getByLabel("Name (optional)").fill("Mallory");
  await stranger.getByLabel("Email").fill(email);
  await stranger.getByLabel("Password").fill("a different long password");
  await stranger.getByRole("button", { name: "Create account" }).click();
  await expect(stranger.getByText(/^We could not sign you in/)).toHaveText("We could not sign you in. If this email already has an account, sign in with its password.");
  // The owner's password still works.
  const owner = await (await browser.newContext()).newPage();
  await owner.goto("/sign-up");
  await signUp(owner, email, "Csp Owner");
  await expect(owner).toHaveURL(/\/w\/|\/workspaces/);
  expect(violations).toEqual([]);
});
