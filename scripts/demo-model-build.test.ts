import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultModelState, writeBuildStatus, type DefaultModelBuildStatus } from "../server/services/models/default-model-build-status";
import { foldBuildLine, progressLine } from "./demo-model-build";
import { serveStartupPage } from "./startup-page";

/** #20: the first start opens the port at once and builds the demo model behind the web app, with progress. */
const started = Date.parse("2026-12-03T10:00:00Z");
const initial: DefaultModelBuildStatus = {
  state: "building", phase: "starting", step: 0, totalSteps: null, etaSeconds: null,
  startedAt: new Date(started).toISOString(), updatedAt: new Date(started).toISOString(), error: null,
};
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe("the demo model's background build", () => {
  it("follows the trainer's JSON lines: total steps, step, an ETA from the pace so far, then the export", () => {
    let s = foldBuildLine(initial, "[build-demo] 15000 rows, 300 held out; training the tokenizer", started + 1000);
    expect(s.phase).toBe("tokenizer");
    s = foldBuildLine(s, '{"event": "start", "total_steps": 350, "start_step": 0, "device": "cpu"}', started + 60_000);
    expect(s).toMatchObject({ phase: "pre-training", totalSteps: 350, step: 0 });
    s = foldBuildLine(s, '{"event": "step", "step": 100, "loss": 2.0}', started + 160_000);
    // 100 steps in 160 s: 250 steps left at that pace, plus a tenth for the export.
    expect(s).toMatchObject({ step: 100, etaSeconds: 440 });
    expect(progressLine(s)).toBe("pre-training step 100/350, about 7 min left");
    s = foldBuildLine(s, "{not json", started + 170_000);
    expect(s.step).toBe(100);
    s = foldBuildLine(s, '{"event": "done", "step": 350}', started + 600_000);
    expect(s).toMatchObject({ phase: "export", etaSeconds: null });
  });

  it("the pages read its last status while the model is not ready, and nothing once it is", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "build-status-"));
    roots.push(root);
    expect(defaultModelState(false, root)).toEqual({ ready: false, build: null });
    // No .cache yet, as in a fresh clone: the first write creates it.
    writeBuildStatus({ ...initial, step: 7, totalSteps: 350 }, root);
    expect(defaultModelState(false, root).build).toMatchObject({ state: "building", step: 7, totalSteps: 350 });
    expect(defaultModelState(true, root)).toEqual({ ready: true, build: null });
  });
});

describe("the startup page", () => {
  it("answers every request at once with a 503 page that reloads itself, and frees the port when closed", async () => {
    const port = 20_000 + (process.pid % 20_000);
    const page = await serveStartupPage({ host: "127.0.0.1", port, what: "Building the web app <now>." });
    expect(page.listening).toBe(true);
    const res = await fetch(`http://127.0.0.1:${port}/w/anything`, { method: "POST", body: "ignored" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const html = await res.text();
    expect(html).toContain("Building the web app &#60;now&#62;.");
    expect(html).toContain('http-equiv="refresh"');
    await page.close();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});
