"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";

/**
 * A store's README, fetched through the download route and shown as plain text in a <pre>: it is generated
 * Markdown holding the index name and model label, and is never rendered as HTML.
 */
export function StoreReadme({ url, store }: { url: string; store: string }) {
  const t = useTranslations("indexes");
  const readme = useQuery({
    queryKey: ["index-readme", url],
    queryFn: async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(String(res.status));
      return res.text();
    },
    staleTime: Infinity,
  });
  if (readme.error) return <p className="text-xs text-red-600">{t("readmeFailed")}</p>;
  return (
    <pre className="max-h-96 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-3 text-xs" data-testid={`readme-${store}`}>
      {readme.data ?? t("loading")}
    </pre>
  );
}
