import Link from "next/link";
import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { resolveDocLink } from "./topics";

/**
 * Renders one docs/*.md file. react-markdown builds React elements from the Markdown syntax tree, so raw HTML in
 * the file is never injected (no rehype-raw, no dangerouslySetInnerHTML) and unsafe URLs (javascript: …) are
 * dropped by its default urlTransform. GitHub tables come from remark-gfm. `base` is /w/<slug>/docs.
 */
export function MarkdownDoc({ source, base }: { source: string; base: string }) {
  const components: Components = {
    h1: ({ children }) => <h1 className="mb-4 text-2xl font-semibold">{children}</h1>,
    h2: ({ children }) => <h2 className="mb-3 mt-8 border-b border-slate-200 pb-1 text-lg font-semibold">{children}</h2>,
    h3: ({ children }) => <h3 className="mb-2 mt-6 text-base font-semibold">{children}</h3>,
    p: ({ children }) => <p className="my-3 leading-relaxed">{children}</p>,
    ul: ({ children }) => <ul className="my-3 list-disc space-y-1 pl-6">{children}</ul>,
    ol: ({ children }) => <ol className="my-3 list-decimal space-y-1 pl-6">{children}</ol>,
    blockquote: ({ children }) => <blockquote className="my-3 border-l-4 border-slate-200 pl-4 text-slate-600">{children}</blockquote>,
    pre: ({ children }) => <pre className="my-3 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100 [&_code]:bg-transparent [&_code]:p-0 [&_code]:text-slate-100">{children}</pre>,
    code: ({ children }) => <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.85em] text-slate-800">{children}</code>,
    table: ({ children }) => <div className="my-3 overflow-auto"><table className="w-full text-left text-xs">{children}</table></div>,
    th: ({ children }) => <th className="border-b border-slate-300 px-2 py-1 font-semibold">{children}</th>,
    td: ({ children }) => <td className="border-b border-slate-100 px-2 py-1 align-top">{children}</td>,
    a: ({ href, children }) => {
      const target = resolveDocLink(href, base);
      if (!target) return <span title={href}>{children}</span>;
      if (target.external) return <a className="text-brand-600 underline" href={target.href} target="_blank" rel="noopener noreferrer">{children}</a>;
      return <Link className="text-brand-600 underline" href={target.href}>{children}</Link>;
    },
    img: ({ alt }) => <span>{alt}</span>,
  };
  return (
    <article className="max-w-4xl text-sm text-slate-800" data-testid="doc-body">
      <Markdown remarkPlugins={[remarkGfm]} components={components}>{source}</Markdown>
    </article>
  );
}
