import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { MarkdownDoc } from "./markdown-doc";
import { DOC_TOPICS, resolveDocLink } from "./topics";

const ROOT = path.resolve(import.meta.dirname, "../../../..");
const DOCS = path.join(ROOT, "docs");
const render = (source: string) => renderToStaticMarkup(createElement(MarkdownDoc, { source, base: "/w/acme/docs" }));

/** README.md and every docs/*.md; without fenced code blocks unless asked (shell examples name their own variables). */
function docTexts(withCodeBlocks = false): Array<[string, string]> {
  const files = ["README.md", ...readdirSync(DOCS).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  return files.map((f) => {
    const text = readFileSync(path.join(ROOT, f), "utf8");
    return [f, withCodeBlocks ? text : text.replace(/```[\s\S]*?```/g, "")];
  });
}

/** Source text the documented names must come from: code, scripts and deploy files, not the docs themselves. */
function sourceText(): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (["node_modules", "generated", "__pycache__"].includes(name) || name.startsWith(".")) continue;
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|tsx|mjs|cjs|py|sh)$|^Dockerfile/.test(name) && !name.endsWith(".test.ts")) out.push(readFileSync(p, "utf8"));
    }
  };
  // bench/ too: the docs name the benches' own settings (e.g. bench/full-size's database).
  for (const dir of ["app", "server", "gpu-worker", "scripts", "deploy", "bench"]) walk(path.join(ROOT, dir));
  return out.join("\n");
}

describe("docs pages", () => {
  it("turn links between docs into app pages, keep web links, and show repository paths as text", () => {
    expect(resolveDocLink("metrics.md", "/w/a/docs")).toEqual({ href: "/w/a/docs/metrics", external: false });
    expect(resolveDocLink("docs/api.md#endpoints", "/w/a/docs")).toEqual({ href: "/w/a/docs/api#endpoints", external: false });
    expect(resolveDocLink("https://huggingface.co/BAAI/bge-m3", "/w/a/docs")).toEqual({ href: "https://huggingface.co/BAAI/bge-m3", external: true });
    expect(resolveDocLink("gpu-worker/serve/README.md", "/w/a/docs")).toBeNull();
    expect(resolveDocLink("../../etc/passwd.md", "/w/a/docs")).toBeNull();
    expect(resolveDocLink("secrets.md", "/w/a/docs")).toBeNull();
  });

  it("render Markdown tables and code, and never raw HTML or script URLs", () => {
    const html = render("# T\n\n| a | b |\n|---|---|\n| `x` | 2 |\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1)) [m](metrics.md)");
    expect(html).toContain("<table");
    expect(html).toContain("<code");
    // Raw HTML shows as escaped text, never as elements; the javascript: link loses its URL.
    expect(html).not.toMatch(/<script|<img|href="javascript/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain('href="/w/acme/docs/metrics"');
  });

  it("render every topic file that exists, and every docs link in them points to a listed topic", () => {
    const present = DOC_TOPICS.filter((t) => existsSync(path.join(DOCS, `${t.slug}.md`)));
    expect(present.map((t) => t.slug)).toEqual(expect.arrayContaining(["data-formats", "metrics", "api", "models", "gpu-workers"]));
    for (const t of present) {
      const source = readFileSync(path.join(DOCS, `${t.slug}.md`), "utf8");
      expect(render(source)).toContain("<h1");
      for (const [, target] of source.matchAll(/\]\(([a-z0-9-]+\.md)(?:#[\w-]*)?\)/g)) {
        expect(existsSync(path.join(DOCS, target!)), `${t.slug}.md links to ${target}`).toBe(true);
      }
    }
  });
});

describe("docs accuracy", () => {
  const docs = docTexts();
  const source = sourceText();

  it("every environment variable named in README.md and docs/*.md is read by the code", () => {
    const names = new Set<string>();
    for (const [, text] of docs) for (const [, name] of text.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:=[^`]*)?`/g)) names.add(name!);
    expect(names.size).toBeGreaterThan(10);
    const missing = [...names].filter((n) => !source.includes(n));
    expect(missing).toEqual([]);
  });

  it("every npm script and m3 subcommand the docs name exists", () => {
    const scripts = Object.keys((JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
    const m3 = readFileSync(path.join(ROOT, "gpu-worker/cli/m3.ts"), "utf8");
    for (const [file, text] of docTexts(true)) {
      for (const [, script] of text.matchAll(/npm run ([\w:-]+)/g)) expect(scripts, `${file}: npm run ${script}`).toContain(script);
      for (const [, sub] of text.matchAll(/npx m3 ([a-z]+)/g)) expect(m3, `${file}: npx m3 ${sub}`).toContain(`"${sub}"`);
    }
  });

  it("every repository path the docs name in backticks exists", () => {
    const missing: string[] = [];
    for (const [file, text] of docs) {
      for (const [, p] of text.matchAll(/`((?:app|server|gpu-worker|scripts|deploy|bench|prisma|docs|playwright)\/[\w./[\]-]+)`/g)) {
        if (!existsSync(path.join(ROOT, p!))) missing.push(`${file}: ${p}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
