import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { expectNoPlaceholder, newUserWithWorkspace, shot, signUp, uniqueEmail } from "./helpers";

const DEMO_MODEL = path.resolve(import.meta.dirname, "../.cache/demo-model");

/** A tRPC call with the page's session (superjson wire format), for set-up the spec is not about. */
async function trpc<T>(page: Page, route: string, input: unknown, kind: "query" | "mutation" = "mutation"): Promise<T> {
  const res = kind === "query"
    ? await page.request.get(`/api/trpc/${route}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
    : await page.request.post(`/api/trpc/${route}`, { data: { json: input } });
  expect(res.ok(), `${route}: ${await res.text()}`).toBe(true);
  return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
}

test("a viewer comments on a run, the owner sees the comment and the activity feed", async ({ browser }) => {
  test.setTimeout(180_000);
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  owner.setDefaultTimeout(30_000);
  const base = await newUserWithWorkspace(owner, "Cora Collab", "collab");
  const slug = base.split("/").pop()!;

  // The cheapest run: a tiny training version (real import), the demo model registered, a run queued and
  // cancelled at once — nothing is trained.
  await owner.goto(`${base}/datasets/import`);
  await owner.getByLabel("What is it?").selectOption({ label: "Training pairs" });
  await owner.getByLabel("Dataset name").fill("tiny-pairs");
  const pairs = Array.from({ length: 12 }, (_, i) => JSON.stringify({ query: `what is term ${i}?`, pos: [`term ${i} is a thing number ${i}`], neg: [] })).join("\n");
  await owner.getByLabel("Choose the Pairs file file").setInputFiles({ name: "pairs.jsonl", mimeType: "application/json", buffer: Buffer.from(pairs + "\n") });
  await owner.getByRole("button", { name: "Import", exact: true }).click();
  await expect(owner.getByTestId("import-status")).toContainText("Done", { timeout: 90_000 });

  const workspace = await trpc<{ id: string }>(owner, "workspace.bySlug", { workspaceSlug: slug }, "query");
  const model = await trpc<{ id: string }>(owner, "model.register", { workspaceId: workspace.id, name: "demo-m3", dir: DEMO_MODEL });
  const datasets = await trpc<Array<{ latest: { id: string } | null }>>(owner, "dataset.list", { workspaceId: workspace.id }, "query");
  const trainVersionId = datasets[0]!.latest!.id;
  const run = await trpc<{ id: string }>(owner, "experiment.create", {
    workspaceId: workspace.id, name: "collab run", baseModelId: model.id, trainVersionId, preset: "lora_quick", config: { maxSteps: 2, device: "cpu" },
  });
  await owner.goto(`${base}/experiments/${run.id}`);
  await owner.getByTestId("cancel-run").click();
  await expect(owner.getByTestId("run-status")).toContainText(/Cancel/);

  // Invite a viewer, who joins and comments.
  await owner.goto(`${base}/settings`);
  await owner.getByLabel("Role for the invite").selectOption("VIEWER");
  await owner.getByRole("button", { name: "Create invite link" }).click();
  const link = await owner.getByTestId("invite-link").inputValue();

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  viewer.setDefaultTimeout(30_000);
  await viewer.goto(link);
  await viewer.getByRole("link", { name: "Sign up" }).click();
  await signUp(viewer, uniqueEmail("viewer"), "Victor Viewer");
  await viewer.getByRole("button", { name: "Accept and join" }).click();
  await expect(viewer).toHaveURL(new RegExp(`${base}/datasets`));
  await viewer.goto(`${base}/experiments/${run.id}`);
  const body = "<b>Cancelled on purpose</b> — 胰岛素 queries next time";
  await viewer.getByLabel("New comment").fill(body);
  await viewer.getByTestId("post-comment").click();
  await expect(viewer.getByTestId("comment-body")).toHaveText(body);
  await shot(viewer, "collab-01-viewer-comment");

  // The owner sees it as text (markup shown, not rendered), with its author.
  await owner.goto(`${base}/experiments/${run.id}`);
  const comment = owner.getByTestId("comment");
  await expect(comment.getByTestId("comment-body")).toHaveText(body);
  await expect(comment).toContainText("Victor Viewer");
  await expect(comment.locator("b")).toHaveCount(0);

  // The activity feed, linked from the nav: the comment, the cancel and the launch, newest first.
  await owner.getByRole("link", { name: "Activity" }).click();
  const items = owner.getByTestId("activity-item");
  await expect(items.nth(0)).toContainText("Victor Viewer commented on collab run");
  await expect(items.nth(1)).toContainText("Cora Collab cancelled run collab run");
  await expect(items.nth(2)).toContainText("Cora Collab launched run collab run");
  await expectNoPlaceholder(owner);
  await shot(owner, "collab-02-activity");
  await items.nth(0).getByRole("link", { name: "collab run" }).click();
  await expect(owner).toHaveURL(new RegExp(`/experiments/${run.id}$`));
  await ownerContext.close();
  await viewerContext.close();
});
