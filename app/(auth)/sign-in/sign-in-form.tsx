"use client";

import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../../_trpc/react";
import { Button, Field, Input } from "../../_components/ui";
import { SubmitButton } from "../../_components/submit-button";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const t = useTranslations("auth");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const trpc = useTRPC();
  const sso = useQuery(trpc.auth.ssoProviders.queryOptions());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    const form = new FormData(event.currentTarget);
    const result = await signIn("credentials", { email: form.get("email"), password: form.get("password"), redirect: false });
    setPending(false);
    if (result?.error) {
      setError(result.code === "rate_limited" ? t("rateLimited") : t("invalidCredentials"));
      return;
    }
    window.location.assign(callbackUrl);
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      <h1 className="text-lg font-semibold">{t("signInTitle")}</h1>
      <Field label={t("email")}>
        <Input name="email" type="email" autoComplete="email" required />
      </Field>
      <Field label={t("password")}>
        <Input name="password" type="password" autoComplete="current-password" required />
      </Field>
      {error ? <p role="alert" className="text-sm text-red-600">{error}</p> : null}
      <SubmitButton disabled={pending} className="w-full">
        {t("signIn")}
      </SubmitButton>
      {sso.data?.map((provider) => (
        <Button key={provider.id} type="button" variant="secondary" className="w-full" onClick={() => void signIn(provider.id, { redirectTo: callbackUrl })}>
          {t("continueWith", { provider: provider.name })}
        </Button>
      ))}
      <p className="text-center text-sm text-slate-600">
        {t("noAccount")}{" "}
        <Link className="text-brand-600 underline" href={`/sign-up?callbackUrl=${encodeURIComponent(callbackUrl)}`}>
          {t("signUp")}
        </Link>
      </p>
    </form>
  );
}
