import { expect, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";

export const uniqueEmail = (who: string) => `${who.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${randomBytes(4).toString("hex")}@example.test`;
export const PASSWORD = "a long enough password";

/** Signs up through the form; the page ends wherever the callback URL points. */
export async function signUp(page: Page, email: string, name: string) {
  await page.getByLabel("Name (optional)").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

export async function expectNoPlaceholder(page: Page) {
  await expect(page.locator("body")).not.toContainText(/lorem ipsum|TODO|undefined|\[object Object\]/i);
}

/** Signs up a new user and creates a workspace; returns the workspace's base path (/w/slug). */
export async function newUserWithWorkspace(page: Page, who: string, workspaceName: string): Promise<string> {
  await page.goto("/sign-up");
  await signUp(page, uniqueEmail(who), who);
  await expect(page).toHaveURL(/\/workspaces\/new/);
  await page.getByLabel("Workspace name").fill(workspaceName);
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByRole("heading", { name: "Datasets", exact: true })).toBeVisible();
  return new URL(page.url()).pathname.replace(/\/datasets$/, "");
}
