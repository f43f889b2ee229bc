"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Button, Card, Select } from "../../../_components/ui";
import { useCan, useWorkspace } from "../../../_components/workspace-context";
import { useTRPC } from "../../../_trpc/react";

const ROLES = ["OWNER", "EDITOR", "VIEWER"] as const;

export function MembersCard() {
  const t = useTranslations("settings");
  const tr = useTranslations("roles");
  const workspace = useWorkspace();
  const isOwner = useCan("OWNER");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.member.list.queryOptions({ workspaceId: workspace.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.member.list.queryKey() });
  const changeRole = useMutation(trpc.member.changeRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.member.remove.mutationOptions({ onSettled: refresh }));
  const error = changeRole.error ?? remove.error;

  return (
    <Card title={t("members")}>
      <table className="w-full text-left text-sm" data-testid="members">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th className="py-2">{t("member")}</th>
            <th>{t("role")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {members.data?.map((m) => (
            <tr key={m.userId} className="border-t border-slate-100">
              <td className="py-2">
                <div>{m.name ?? m.email}</div>
                {m.name ? <div className="text-xs text-slate-500">{m.email}</div> : null}
              </td>
              <td>
                {isOwner ? (
                  <Select
                    aria-label={t("roleOf", { email: m.email })}
                    value={m.role}
                    onChange={(e) => changeRole.mutate({ workspaceId: workspace.id, userId: m.userId, role: e.target.value as (typeof ROLES)[number] })}
                  >
                    {ROLES.map((r) => <option key={r} value={r}>{tr(r)}</option>)}
                  </Select>
                ) : (
                  tr(m.role)
                )}
              </td>
              <td className="text-right">
                {isOwner ? (
                  <Button variant="secondary" onClick={() => remove.mutate({ workspaceId: workspace.id, userId: m.userId })}>
                    {t("remove")}
                  </Button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error ? <p role="alert" className="mt-2 text-sm text-red-600">{error.message}</p> : null}
    </Card>
  );
}
