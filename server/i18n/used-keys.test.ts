import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import en from "./messages/en.json";
import zh from "./messages/zh.json";
import { findKeyUses, type KeyUse } from "./used-keys";

const root = path.resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [full] : [];
  });
}

/** Every leaf key and what it holds, and every key that holds a nested group. */
function flatten(value: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  out.set(prefix, value);
  if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

const catalogues = { en: flatten(en), zh: flatten(zh) };
const files = [...sourceFiles(path.join(root, "app")), ...sourceFiles(path.join(root, "components"))];
// Type-checking the UI takes a while on a loaded machine; do it once for every assertion.
let uses: KeyUse[] | undefined;
const allUses = () => (uses ??= findKeyUses(files, root));
const where = (u: KeyUse) => `${u.file}:${u.line} ${u.key}`;

describe("message keys used by the UI", () => {
  it("finds the translators in app/ (the scanner works)", { timeout: 300_000 }, () => {
    const found = allUses();
    expect(found.length).toBeGreaterThan(500);
    // A known template is expanded through its union type: job statuses in the jobs table.
    expect(found.some((u) => u.kind === "exact" && u.key === "jobs.status.FAILED")).toBe(true);
  });

  for (const [locale, catalogue] of Object.entries(catalogues)) {
    it(`every key used in app/ is a message in ${locale}`, { timeout: 300_000 }, () => {
      const missing = allUses()
        .filter((u) => !u.guarded && u.kind === "exact")
        .filter((u) => {
          const value = catalogue.get(u.key);
          return u.method === "raw" ? value === undefined : typeof value !== "string";
        })
        .map(where);
      expect(missing).toEqual([]);
    });

    it(`every dynamic key pattern in app/ matches a message in ${locale}`, { timeout: 300_000 }, () => {
      const leaves = [...catalogue].filter(([, v]) => typeof v === "string").map(([k]) => k);
      const unmatched = allUses()
        .filter((u) => !u.guarded && u.kind === "pattern")
        .filter((u) => !leaves.some((k) => new RegExp(u.key).test(k)))
        .map(where);
      expect(unmatched).toEqual([]);
    });
  }
});
