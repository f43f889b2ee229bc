"use client";

import { useTranslations } from "next-intl";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useWorkspace } from "../../../_components/workspace-context";

export function SettingsTabs() {
  const t = useTranslations("settings");
  const { slug } = useWorkspace();
  const pathname = usePathname();
  const base = `/w/${slug}/settings`;
  const tabs = [
    { href: base, label: t("tabs.members"), exact: true },
    { href: `${base}/jobs`, label: t("tabs.jobs") },
    { href: `${base}/workers`, label: t("tabs.workers") },
    { href: `${base}/audit`, label: t("tabs.audit") },
  ];
  return (
    <nav className="flex gap-1 border-b border-slate-200" aria-label={t("title")}>
      {tabs.map((tab) => {
        const active = tab.exact ? pathname === tab.href : pathname.startsWith(tab.href);
        return (
          <Link key={tab.href} href={tab.href} className={`-mb-px border-b-2 px-3 py-2 text-sm ${active ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}>
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}
