import { expect, test } from "@playwright/test";
import { expectNoPlaceholder, shot, signUp, uniqueEmail } from "./helpers";

test("sign up, create a workspace, invite a viewer by link; the viewer sees it read-only and nothing else", async ({ browser }) => {
  // Owner: sign up and create a workspace.
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  await owner.goto("/");
  await expect(owner).toHaveURL(/\/sign-in/);
  // The app's icon is served to anyone, from public/ (a first load used to log a 404 for it).
  for (const icon of ["/favicon.ico", "/icon.svg"]) expect((await owner.request.get(icon)).status(), icon).toBe(200);
  await owner.getByRole("link", { name: "Sign up" }).click();
  await signUp(owner, uniqueEmail("owner"), "Olivia Owner");
  await expect(owner).toHaveURL(/\/workspaces\/new/);
  await owner.getByLabel("Workspace name").fill("Medical RAG");
  await owner.getByRole("button", { name: "Create workspace" }).click();
  await expect(owner).toHaveURL(/\/w\/medical-rag-[0-9a-f]{6}\/datasets/);
  await expect(owner.getByRole("heading", { name: "Datasets", exact: true })).toBeVisible();
  await shot(owner, "01-owner-datasets");
  const workspaceUrl = new URL(owner.url()).pathname.replace(/\/datasets$/, "");
  const sessionCookie = (await ownerContext.cookies()).find((c) => c.name.endsWith("authjs.session-token"));
  expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });

  // A second, private workspace the viewer must never reach.
  await owner.getByLabel("Workspace", { exact: true }).selectOption({ label: "+ New workspace" });
  await owner.getByLabel("Workspace name").fill("Private finance");
  await owner.getByRole("button", { name: "Create workspace" }).click();
  await expect(owner).toHaveURL(/\/w\/private-finance-[0-9a-f]{6}\/datasets/);
  const privateUrl = new URL(owner.url()).pathname.replace(/\/datasets$/, "");

  // Invite a viewer by link from the first workspace's settings.
  await owner.goto(`${workspaceUrl}/settings`);
  await owner.getByLabel("Role for the invite").selectOption("VIEWER");
  await owner.getByRole("button", { name: "Create invite link" }).click();
  const link = await owner.getByTestId("invite-link").inputValue();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{20,}$/);
  await shot(owner, "02-owner-invite");

  // Viewer: follow the link, sign up, accept.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await viewer.goto(link);
  await expect(viewer).toHaveURL(/\/sign-in\?callbackUrl=/);
  await viewer.getByRole("link", { name: "Sign up" }).click();
  const viewerEmail = uniqueEmail("viewer");
  await signUp(viewer, viewerEmail, "Victor Viewer");
  await expect(viewer.getByText("You are invited to join Medical RAG as Viewer.")).toBeVisible();
  await viewer.getByRole("button", { name: "Accept and join" }).click();
  await expect(viewer).toHaveURL(new RegExp(`${workspaceUrl}/datasets`));

  // The viewer sees the workspace, read-only.
  await viewer.goto(`${workspaceUrl}/settings`);
  const members = viewer.getByTestId("members");
  await expect(members).toContainText("Olivia Owner");
  await expect(members).toContainText("Victor Viewer");
  await expect(viewer.getByRole("button", { name: "Create invite link" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Remove" })).toHaveCount(0);
  await expectNoPlaceholder(viewer);
  await shot(viewer, "03-viewer-settings");

  // The invite cannot be used twice.
  await viewer.goto(link);
  await expect(viewer.getByText("This invite link has already been used.")).toBeVisible();

  // Another workspace's pages are not reachable by URL.
  for (const page of ["datasets", "settings", "settings/jobs"]) {
    const response = await viewer.goto(`${privateUrl}/${page}`);
    expect(response?.status()).toBe(404);
    await expect(viewer.getByRole("heading", { name: "Page not found", exact: true })).toBeVisible();
    await expect(viewer.locator("body")).not.toContainText("Private finance");
  }
  await shot(viewer, "04-viewer-404");

  // The owner's audit log recorded the join.
  await owner.goto(`${workspaceUrl}/settings/audit`);
  await expect(owner.getByTestId("audit")).toContainText(viewerEmail);
  await expect(owner.getByTestId("audit")).toContainText("Joined");
  await ownerContext.close();
  await viewerContext.close();
});

test("the language switch turns the UI into Simplified Chinese and is remembered", async ({ page }) => {
  await page.goto("/sign-up");
  await signUp(page, uniqueEmail("zh"), "李雷");
  await expect(page).toHaveURL(/\/workspaces\/new/);
  await page.getByLabel("Workspace name").fill("肝胆消化检索");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByRole("heading", { name: "Datasets", exact: true })).toBeVisible();
  await page.getByLabel("Language").selectOption("zh");
  await expect(page.getByRole("heading", { name: "数据集", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "实验" })).toBeVisible();
  // Saved as the user's preference: a fresh page load keeps Chinese.
  await page.reload();
  await expect(page.getByRole("heading", { name: "数据集", exact: true })).toBeVisible();
  await page.getByRole("link", { name: "设置" }).click();
  await expect(page.getByRole("link", { name: "工作节点" })).toBeVisible();
  await shot(page, "05-zh-settings");
});

test("the Jobs view runs, shows and cancels a job on the real worker; Workers lists it", async ({ page }) => {
  await page.goto("/sign-up");
  await signUp(page, uniqueEmail("jobs"), "Jo Jobs");
  await page.getByLabel("Workspace name").fill("Queue check");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByRole("heading", { name: "Datasets", exact: true })).toBeVisible();
  const base = new URL(page.url()).pathname.replace(/\/datasets$/, "");
  await page.goto(`${base}/settings/jobs`);
  await expect(page.getByText("No jobs yet")).toBeVisible();
  await page.getByRole("button", { name: "Test the queue" }).click();
  const jobs = page.getByTestId("jobs");
  await expect(jobs).toContainText("Running", { timeout: 30_000 });
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(jobs).toContainText("Cancelled");
  await page.getByRole("button", { name: "Retry" }).click();
  await expect(jobs).toContainText(/Queued|Running/);
  await jobs.getByRole("link", { name: "sleep" }).click();
  await expect(page.getByTestId("job-logs")).toContainText("sleeping 20000 ms");
  await shot(page, "06-job-detail");
  await page.goto(`${base}/settings/workers`);
  await expect(page.getByTestId("workers")).toContainText("Online");
  await expect(page.getByTestId("workers")).toContainText("CPU cores");
  await shot(page, "07-workers");
});
