import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { readDoc } from "../load-doc";
import { MarkdownDoc } from "../markdown-doc";
import { findTopic } from "../topics";

/** One docs/*.md file rendered as a page; unknown topics are 404s (only listed files are ever read). */
export default async function DocTopicPage({ params }: { params: Promise<{ slug: string; topic: string }> }) {
  const { slug, topic: name } = await params;
  const topic = findTopic(name);
  const source = topic ? await readDoc(topic) : null;
  if (!topic || source === null) notFound();
  const t = await getTranslations("docs");
  return (
    <>
      <nav className="mb-4 text-sm" aria-label={t("title")}>
        <Link className="text-brand-600 underline" href={`/w/${slug}/docs`}>{t("back")}</Link>
        <span className="text-slate-400"> / {t(`topics.${topic.key}.title`)}</span>
      </nav>
      <MarkdownDoc source={source} base={`/w/${slug}/docs`} />
      <p className="mt-8 text-xs text-slate-500">{t("source", { file: `docs/${topic.slug}.md` })}</p>
    </>
  );
}
