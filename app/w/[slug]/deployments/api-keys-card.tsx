"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRelativeTime } from "../../../_components/relative-time";
import { useState } from "react";
import { Button, Card, Input } from "../../../_components/ui";
import { useWorkspace } from "../../../_components/workspace-context";
import { useTRPC } from "../../../_trpc/react";

/** Workspace API keys: the key is shown once at creation, then only its prefix. */
export function ApiKeysCard() {
  const t = useTranslations("deployments.keys");
  const relative = useRelativeTime();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.deployment.apiKeys.queryOptions({ workspaceId: workspace.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.deployment.apiKeys.queryKey() });
  const [name, setName] = useState("rag-service");
  const create = useMutation(trpc.deployment.createApiKey.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.deployment.revokeApiKey.mutationOptions({ onSuccess: refresh }));
  return (
    <Card title={t("title")}>
      <div className="flex items-end gap-2">
        <label className="text-xs">{t("name")}<Input value={name} onChange={(e) => setName(e.target.value)} /></label>
        <Button variant="secondary" onClick={() => create.mutate({ workspaceId: workspace.id, name, deploymentIds: [] })}>{t("create")}</Button>
      </div>
      {create.data ? (
        <div className="mt-3 space-y-1">
          <p className="text-xs text-amber-700">{t("once")}</p>
          <Input readOnly value={create.data.key} data-testid="api-key" onFocus={(e) => e.currentTarget.select()} />
        </div>
      ) : null}
      <ul className="mt-4 divide-y divide-slate-100 text-sm">
        {keys.data?.map((k) => (
          <li key={k.id} className="flex items-center justify-between py-2">
            <span><span className="font-mono">{k.prefix}…</span> · {k.name} · {k.lastUsedAt ? t("used", { when: relative(k.lastUsedAt) }) : t("unused")}{k.revokedAt ? ` · ${t("revoked")}` : ""}</span>
            {!k.revokedAt ? <Button variant="secondary" onClick={() => revoke.mutate({ workspaceId: workspace.id, keyId: k.id })}>{t("revoke")}</Button> : null}
          </li>
        ))}
      </ul>
    </Card>
  );
}
