"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { Button, Card, Field, Input } from "../../../_components/ui";
import { SubmitButton } from "../../../_components/submit-button";
import { useCan, useWorkspace } from "../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/react";

export function WorkspaceCard() {
  const t = useTranslations("settings");
  const workspace = useWorkspace();
  const isOwner = useCan("OWNER");
  const trpc = useTRPC();
  const router = useRouter();
  const rename = useMutation(trpc.workspace.rename.mutationOptions({ onSuccess: () => router.refresh() }));
  const leave = useMutation(trpc.member.leave.mutationOptions({ onSuccess: () => router.push("/") }));
  const errors = fieldErrors(rename.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rename.mutate({ workspaceId: workspace.id, name: String(new FormData(event.currentTarget).get("name") ?? "") });
  }

  return (
    <Card title={t("workspace")}>
      <div className="flex flex-wrap items-end justify-between gap-4">
        {isOwner ? (
          <form onSubmit={submit} className="flex items-end gap-2" noValidate>
            <Field label={t("workspaceName")} error={errors.name}>
              <Input name="name" defaultValue={workspace.name} />
            </Field>
            <SubmitButton variant="secondary" disabled={rename.isPending}>{t("rename")}</SubmitButton>
          </form>
        ) : (
          <p className="text-sm">{workspace.name}</p>
        )}
        <Button
          variant="secondary"
          onClick={() => {
            if (window.confirm(t("leaveConfirm"))) leave.mutate({ workspaceId: workspace.id });
          }}
        >
          {t("leave")}
        </Button>
      </div>
      {errorMessage(leave.error) ? <p role="alert" className="mt-2 text-sm text-red-600">{errorMessage(leave.error)}</p> : null}
    </Card>
  );
}
