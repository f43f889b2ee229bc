import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { newUserWithWorkspace, shot } from "./helpers";

test("deploy a model, wait for LIVE, run the copied curl example, switch and roll back", async ({ page }) => {
  test.setTimeout(240_000);
  const base = await newUserWithWorkspace(page, "Devi Deploy", "serving");
  await page.goto(`${base}/deployments`);

  await page.getByLabel("Key name").fill("rag-service");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByTestId("api-key").inputValue();
  expect(key).toMatch(/^m3_[A-Za-z0-9_-]{20,}$/);

  await page.getByLabel("Name", { exact: true }).fill("medical-embeddings");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByTestId("deployment-status")).toHaveText("Live", { timeout: 120_000 });
  await expect(page.getByTestId("deployment-logs")).toContainText("parity probe");
  await shot(page, "20-deployment-live");

  // The curl example as shown, run by a shell with the key in the environment.
  const curl = (await page.getByTestId("curl-embeddings").textContent()) ?? "";
  expect(curl).toContain("/v1/embeddings");
  const output = execFileSync("bash", ["-c", curl], { env: { ...process.env, M3_API_KEY: key }, encoding: "utf8" });
  const response = JSON.parse(output) as { object: string; data: { embedding: number[] }[] };
  expect(response.object).toBe("list");
  expect(response.data).toHaveLength(2);
  expect(response.data[0]!.embedding.length).toBeGreaterThan(0);

  // The live traffic charts pick these requests up from the replica's metrics (its serving job samples them every
  // few seconds): a latency point exists only for an interval that served requests.
  for (let i = 0; i < 3; i++) execFileSync("bash", ["-c", curl], { env: { ...process.env, M3_API_KEY: key }, encoding: "utf8" });
  const points = async (chart: string) => Number((await page.getByTestId(chart).locator("[data-series]").first().getAttribute("data-points").catch(() => null)) ?? 0);
  await expect.poll(() => points("chart-traffic-latency"), { timeout: 60_000 }).toBeGreaterThan(0);
  expect(await points("chart-traffic-requests")).toBeGreaterThan(0);
  await expect(page.getByTestId("chart-traffic-requests")).toContainText("replica 0");
  await expect(page.getByTestId("chart-traffic-requests").locator("canvas")).toHaveCount(1);
  await shot(page, "20b-deployment-traffic");

  // Switch to the model chosen in the list (the same or another), then roll back in one click.
  await page.getByRole("button", { name: "Switch model" }).click();
  await expect(page.getByTestId("deployment-logs")).toContainText("now serving", { timeout: 60_000 });
  await page.getByRole("button", { name: /^Roll back to / }).click();
  await expect.poll(async () => ((await page.getByTestId("deployment-logs").textContent()) ?? "").split("now serving").length - 1, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  const after = execFileSync("bash", ["-c", curl], { env: { ...process.env, M3_API_KEY: key }, encoding: "utf8" });
  expect((JSON.parse(after) as { data: unknown[] }).data).toHaveLength(2);
  await shot(page, "21-deployment-rolled-back");

  await page.getByRole("button", { name: "Undeploy" }).click();
  await expect(page.getByTestId("deployment-status")).toHaveText("Stopped", { timeout: 60_000 });
});
