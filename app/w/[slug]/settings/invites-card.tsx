"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRelativeTime } from "../../../_components/relative-time";
import { useState } from "react";
import { Button, Card, Input, Select } from "../../../_components/ui";
import { useCan, useWorkspace } from "../../../_components/workspace-context";
import { useTRPC } from "../../../_trpc/react";

export function InvitesCard() {
  const t = useTranslations("settings");
  const tr = useTranslations("roles");
  const relative = useRelativeTime();
  const workspace = useWorkspace();
  const isOwner = useCan("OWNER");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [role, setRole] = useState<"EDITOR" | "VIEWER" | "OWNER">("VIEWER");
  const [link, setLink] = useState<string | null>(null);
  const invites = useQuery({ ...trpc.invite.list.queryOptions({ workspaceId: workspace.id }), enabled: isOwner });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey() });
  const create = useMutation(
    trpc.invite.create.mutationOptions({
      onSuccess: (invite) => {
        setLink(`${window.location.origin}/invite/${invite.token}`);
        void refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.invite.revoke.mutationOptions({ onSettled: refresh }));
  if (!isOwner) return null;

  return (
    <Card title={t("invites")}>
      <div className="flex items-center gap-2">
        <Select aria-label={t("inviteRole")} value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
          <option value="VIEWER">{tr("VIEWER")}</option>
          <option value="EDITOR">{tr("EDITOR")}</option>
          <option value="OWNER">{tr("OWNER")}</option>
        </Select>
        <Button onClick={() => create.mutate({ workspaceId: workspace.id, role })} disabled={create.isPending}>
          {t("createInvite")}
        </Button>
      </div>
      {link ? (
        <div className="mt-3 space-y-1">
          <p className="text-xs text-slate-600">{t("inviteLinkOnce")}</p>
          <Input readOnly value={link} data-testid="invite-link" onFocus={(e) => e.currentTarget.select()} />
        </div>
      ) : null}
      <ul className="mt-4 divide-y divide-slate-100 text-sm">
        {invites.data?.map((invite) => (
          <li key={invite.id} className="flex items-center justify-between py-2">
            <span>
              {tr(invite.role)} · {t("expires", { when: relative(invite.expiresAt) })}
            </span>
            <Button variant="secondary" onClick={() => revoke.mutate({ workspaceId: workspace.id, inviteId: invite.id })}>
              {t("revoke")}
            </Button>
          </li>
        ))}
      </ul>
    </Card>
  );
}
