"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { Button, Card, EmptyState, PageHeader } from "../../../_components/ui";
import { useWorkspace } from "../../../_components/workspace-context";
import { useTRPC } from "../../../_trpc/react";

type Target =
  | { type: "run"; id: string; label: string }
  | { type: "deployment"; id: string; label: string }
  | { type: "dataset"; id: string; label: string }
  | { type: "comparison"; subjects: string[]; evalVersionId: string | null }
  | { type: "glossary" };

/** Where an entry's target lives in the app. */
function hrefOf(base: string, target: Target): string | null {
  switch (target.type) {
    case "run": return `${base}/experiments/${target.id}`;
    case "deployment": return `${base}/deployments/${target.id}`;
    case "dataset": return `${base}/datasets/${target.id}`;
    case "comparison": return `${base}/experiments/compare?s=${encodeURIComponent(target.subjects.join(","))}${target.evalVersionId ? `&v=${encodeURIComponent(target.evalVersionId)}` : ""}`;
    default: return null;
  }
}

/** The workspace activity feed, newest first, 30 entries a page. */
export function ActivityFeed() {
  const t = useTranslations("activity");
  const format = useFormatter();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const base = `/w/${workspace.slug}`;
  const feed = useInfiniteQuery(trpc.activity.list.infiniteQueryOptions({ workspaceId: workspace.id, limit: 30 }, { getNextPageParam: (last) => last.nextCursor }));
  const items = feed.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {feed.isSuccess && items.length === 0 ? <EmptyState title={t("emptyTitle")} body={t("emptyBody")} /> : (
        <Card>
          <ul className="divide-y divide-slate-100" data-testid="activity">
            {items.map((item) => {
              const target = item.target as Target | null;
              const href = target ? hrefOf(base, target) : null;
              const label = target && "label" in target ? target.label : target?.type === "comparison" ? t("comparisonOf", { n: target.subjects.length }) : null;
              const verb = t.has(`actions.${item.action}`) ? t(`actions.${item.action}`) : item.action;
              return (
                <li key={item.id} className="flex items-baseline gap-2 py-2 text-sm" data-testid="activity-item" data-action={item.action}>
                  <span className="w-36 shrink-0 text-xs text-slate-500">{format.dateTime(new Date(item.createdAt), { dateStyle: "short", timeStyle: "short" })}</span>
                  <span>
                    <span className="font-medium">{item.actor ? (item.actor.name ?? item.actor.email) : t("system")}</span>{" "}
                    {verb}{" "}
                    {label ? (href ? <Link className="text-brand-600 underline" href={href}>{label}</Link> : <span>{label}</span>) : null}
                    {item.note ? <span className="ml-2 font-mono text-xs text-slate-500">{item.action === "glossary.updated" ? t("termCount", { n: Number(item.note) }) : item.note}</span> : null}
                  </span>
                </li>
              );
            })}
          </ul>
          {feed.hasNextPage ? (
            <div className="mt-3">
              <Button variant="secondary" onClick={() => void feed.fetchNextPage()} disabled={feed.isFetchingNextPage}>{t("more")}</Button>
            </div>
          ) : null}
        </Card>
      )}
    </>
  );
}
