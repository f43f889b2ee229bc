"use client";

import { signOut } from "next-auth/react";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { LanguageSwitch } from "./language-switch";
import { useWorkspace } from "./workspace-context";

const NAV = ["datasets", "synthesis", "experiments", "evaluations", "deployments", "indexes", "activity", "settings", "docs"] as const;

export function AppShell({ workspaces, email, children }: { workspaces: { slug: string; name: string }[]; email: string; children: ReactNode }) {
  const t = useTranslations("nav");
  const workspace = useWorkspace();
  const pathname = usePathname();
  const router = useRouter();
  const base = `/w/${workspace.slug}`;
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-60 flex-col border-r border-slate-200 bg-white">
        <div className="border-b border-slate-200 p-4">
          <Link href={base} className="text-lg font-bold text-brand-700">M3 Studio</Link>
          <label className="mt-3 block text-xs text-slate-500">
            {t("workspace")}
            <select
              aria-label={t("workspace")}
              className="mt-1 w-full rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900"
              value={workspace.slug}
              onChange={(e) => (e.target.value === "__new" ? router.push("/workspaces/new") : router.push(`/w/${e.target.value}`))}
            >
              {workspaces.map((w) => (
                <option key={w.slug} value={w.slug}>{w.name}</option>
              ))}
              <option value="__new">{t("newWorkspace")}</option>
            </select>
          </label>
        </div>
        <nav className="flex-1 p-2" aria-label={t("main")}>
          {NAV.map((item) => {
            const href = `${base}/${item}`;
            const active = pathname.startsWith(href);
            return (
              <Link
                key={item}
                href={href}
                className={`block rounded-md px-3 py-2 text-sm ${active ? "bg-brand-50 font-medium text-brand-700" : "text-slate-700 hover:bg-slate-100"}`}
              >
                {t(item)}
              </Link>
            );
          })}
        </nav>
        <div className="space-y-2 border-t border-slate-200 p-4 text-xs text-slate-600">
          <div className="truncate" title={email}>{email}</div>
          <LanguageSwitch signedIn />
          <button className="text-brand-600 underline" onClick={() => void signOut({ redirectTo: "/sign-in" })}>{t("signOut")}</button>
        </div>
      </aside>
      <main className="flex-1 p-8">{children}</main>
    </div>
  );
}
