"use client";

import { useMutation } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useTRPC } from "../_trpc/react";

/** Switches the UI language; signed-in users also get it saved as their preference. */
export function LanguageSwitch({ signedIn }: { signedIn: boolean }) {
  const t = useTranslations("common");
  const locale = useLocale();
  const router = useRouter();
  const trpc = useTRPC();
  const save = useMutation(trpc.user.setLocale.mutationOptions());

  async function choose(next: "en" | "zh") {
    document.cookie = `NEXT_LOCALE=${next}; path=/; max-age=31536000; samesite=lax`;
    if (signedIn) await save.mutateAsync({ locale: next });
    router.refresh();
  }

  return (
    <label className="flex items-center gap-2 text-xs text-slate-600">
      <span>{t("language")}</span>
      <select
        aria-label={t("language")}
        className="rounded border border-slate-300 bg-white px-1 py-0.5"
        value={locale}
        onChange={(e) => void choose(e.target.value as "en" | "zh")}
      >
        <option value="en">English</option>
        <option value="zh">简体中文</option>
      </select>
    </label>
  );
}
