"use client";

import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { errorMessage, fieldErrors } from "../../_trpc/errors";
import { useTRPC } from "../../_trpc/react";
import { Field, Input } from "../../_components/ui";
import { SubmitButton } from "../../_components/submit-button";

export function SignUpForm({ callbackUrl }: { callbackUrl: string }) {
  const t = useTranslations("auth");
  const trpc = useTRPC();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const [pending, setPending] = useState(false);
  // Sign-up answers the same for a new and a known email; only signing in tells the owner apart.
  const [notSignedIn, setNotSignedIn] = useState(false);
  const errors = fieldErrors(signUp.error);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim();
    setPending(true);
    setNotSignedIn(false);
    try {
      await signUp.mutateAsync({ email, password, name: name || undefined });
      const result = await signIn("credentials", { email, password, redirect: false });
      if (result?.error) {
        setNotSignedIn(true);
        setPending(false);
        return;
      }
      window.location.assign(callbackUrl);
    } catch {
      setPending(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <h1 className="text-lg font-semibold">{t("signUpTitle")}</h1>
      <Field label={t("name")} error={errors.name}>
        <Input name="name" autoComplete="name" />
      </Field>
      <Field label={t("email")} error={errors.email}>
        <Input name="email" type="email" autoComplete="email" />
      </Field>
      <Field label={t("password")} error={errors.password} hint={t("passwordHint")}>
        <Input name="password" type="password" autoComplete="new-password" />
      </Field>
      {errorMessage(signUp.error) && !errors.email ? <p role="alert" className="text-sm text-red-600">{errorMessage(signUp.error)}</p> : null}
      {notSignedIn ? <p role="alert" className="text-sm text-red-600">{t("signUpNotSignedIn")}</p> : null}
      <SubmitButton disabled={pending} className="w-full">
        {t("createAccount")}
      </SubmitButton>
      <p className="text-center text-sm text-slate-600">
        {t("haveAccount")}{" "}
        <Link className="text-brand-600 underline" href={`/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`}>
          {t("signIn")}
        </Link>
      </p>
    </form>
  );
}
