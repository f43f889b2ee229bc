import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("m3 --help", () => {
  it("lists every subcommand of gpu-worker/cli on one line each", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const out = execFileSync(path.join(root, "node_modules/.bin/tsx"), [path.join(import.meta.dirname, "m3.ts"), "--help"], { encoding: "utf8" });
    const commands = readdirSync(import.meta.dirname).filter((f) => /^[a-z]+-command\.ts$/.test(f)).map((f) => f.replace("-command.ts", ""));
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const c of commands) expect(out.split("\n").filter((l) => new RegExp(`^  ${c} +\\S`).test(l))).toHaveLength(1);
  }, 60_000);
});
