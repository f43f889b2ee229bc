import { expect, test } from "@playwright/test";
import { newUserWithWorkspace, signUp, uniqueEmail } from "./helpers";

/**
 * Settings → Jobs by role (issue #13): "Test the queue" holds a worker slot, so it is for owners; an editor sees
 * neither its button nor Retry on a queue test, which the server would refuse them (job.enqueueTest, job.retry).
 */
test("an editor is offered neither Test the queue nor Retry of a queue test; the owner is", async ({ browser }) => {
  const owner = await (await browser.newContext()).newPage();
  const base = await newUserWithWorkspace(owner, "Queue Owner", "Queue roles");
  await owner.goto(`${base}/settings`);
  await owner.getByLabel("Role for the invite").selectOption("EDITOR");
  await owner.getByRole("button", { name: "Create invite link" }).click();
  const link = await owner.getByTestId("invite-link").inputValue();

  const editor = await (await browser.newContext()).newPage();
  await editor.goto(link);
  await editor.getByRole("link", { name: "Sign up" }).click();
  await signUp(editor, uniqueEmail("queue editor"), "Queue Editor");
  await editor.getByRole("button", { name: "Accept and join" }).click();
  await expect(editor).toHaveURL(new RegExp(`${base}/datasets`));

  // The owner runs a queue test and cancels it.
  await owner.goto(`${base}/settings/jobs`);
  await owner.getByRole("button", { name: "Test the queue" }).click();
  const ownerJobs = owner.getByTestId("jobs");
  await expect(ownerJobs).toContainText(/Queued|Running/);
  await ownerJobs.getByRole("button", { name: "Cancel" }).click();
  await expect(ownerJobs).toContainText("Cancelled");
  await expect(ownerJobs.getByRole("button", { name: "Retry" })).toBeVisible();

  // The editor sees the cancelled test, without Retry, and no Test the queue button.
  await editor.goto(`${base}/settings/jobs`);
  const editorJobs = editor.getByTestId("jobs");
  await expect(editorJobs).toContainText("Cancelled");
  await expect(editorJobs.getByRole("link", { name: "sleep" })).toBeVisible();
  await expect(editorJobs.getByRole("button", { name: "Retry" })).toHaveCount(0);
  await expect(editor.getByRole("button", { name: "Test the queue" })).toHaveCount(0);
});
