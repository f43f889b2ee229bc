import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { Card, PageHeader } from "../../../_components/ui";
import { availableTopics } from "./load-doc";

/** The documentation index: one card per docs/*.md topic. */
export default async function DocsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const t = await getTranslations("docs");
  const topics = availableTopics();
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="grid gap-4 md:grid-cols-2" data-testid="doc-topics">
        {topics.map((topic) => (
          <Card key={topic.slug}>
            <Link className="text-base font-semibold text-brand-700 underline" href={`/w/${slug}/docs/${topic.slug}`}>{t(`topics.${topic.key}.title`)}</Link>
            <p className="mt-2 text-sm text-slate-600">{t(`topics.${topic.key}.summary`)}</p>
          </Card>
        ))}
      </div>
      <p className="mt-6 text-xs text-slate-500">{t("englishOnly")}</p>
    </>
  );
}
