"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { errorMessage, fieldErrors } from "../../_trpc/errors";
import { useTRPC } from "../../_trpc/react";
import { Field, Input } from "../../_components/ui";
import { SubmitButton } from "../../_components/submit-button";

export function CreateWorkspaceForm() {
  const t = useTranslations("workspace");
  const trpc = useTRPC();
  const router = useRouter();
  const create = useMutation(
    trpc.workspace.create.mutationOptions({ onSuccess: (workspace) => router.push(`/w/${workspace.slug}`) }),
  );
  const errors = fieldErrors(create.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name: String(new FormData(event.currentTarget).get("name") ?? "") });
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <h1 className="text-lg font-semibold">{t("createTitle")}</h1>
      <p className="text-sm text-slate-600">{t("createBody")}</p>
      <Field label={t("name")} error={errors.name}>
        <Input name="name" placeholder={t("namePlaceholder")} />
      </Field>
      {errorMessage(create.error) ? <p role="alert" className="text-sm text-red-600">{errorMessage(create.error)}</p> : null}
      <SubmitButton disabled={create.isPending}>{t("create")}</SubmitButton>
    </form>
  );
}
