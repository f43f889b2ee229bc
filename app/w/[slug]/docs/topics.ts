/**
 * The documentation pages shown in the app: each is a Markdown file in the repository's docs/ folder
 * (the same files README.md links to). Only these names are ever read, so a URL cannot reach another file.
 */
export const DOC_TOPICS = [
  { slug: "data-formats", key: "dataFormats" },
  { slug: "metrics", key: "metrics" },
  { slug: "api", key: "api" },
  { slug: "models", key: "models" },
  { slug: "gpu-workers", key: "gpuWorkers" },
  { slug: "demo", key: "demo" },
  { slug: "security", key: "security" },
] as const;

export type DocTopic = (typeof DOC_TOPICS)[number];

export function findTopic(slug: string): DocTopic | undefined {
  return DOC_TOPICS.find((t) => t.slug === slug);
}

/**
 * Where a link inside a doc points in the app: another topic (`metrics.md#anchor`, `./api.md`, `docs/api.md`)
 * becomes its docs page; http(s) and in-page anchors stay; anything else (a path in the repository, such as
 * `gpu-worker/serve/README.md`) has no page in the app and is shown as plain text (null).
 */
export function resolveDocLink(href: string | undefined, base: string): { href: string; external: boolean } | null {
  if (!href) return null;
  if (/^https?:\/\//i.test(href)) return { href, external: true };
  if (href.startsWith("#")) return { href, external: false };
  const m = /^(?:\.\/|docs\/|\.\.\/docs\/)?([a-z0-9-]+)\.md(#[\w-]*)?$/.exec(href);
  const topic = m ? findTopic(m[1]!) : undefined;
  return topic ? { href: `${base}/${topic.slug}${m![2] ?? ""}`, external: false } : null;
}
