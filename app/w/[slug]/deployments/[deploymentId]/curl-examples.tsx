"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { Button, Card } from "../../../../_components/ui";

/** Copyable examples for every endpoint; $M3_API_KEY stands for a key from the API keys card. */
export function CurlExamples({ url, replicaUrl, model }: { url: string; replicaUrl: string; model: string }) {
  const t = useTranslations("deployments.api");
  const [copied, setCopied] = useState<string | null>(null);
  const examples = [
    { id: "embeddings", title: t("embeddings"), body: { model, input: ["What is BGE M3?", "脂肪肝怎么治疗？"] }, path: "/v1/embeddings" },
    { id: "encode", title: t("encode"), body: { input: ["What is BGE M3?"], return_dense: true, return_sparse: true, return_colbert: false }, path: "/v1/encode" },
    { id: "score", title: t("score"), body: { pairs: [["What is BGE M3?", "BGE M3 is an embedding model supporting dense, lexical and multi-vector retrieval."]] }, path: "/v1/score" },
  ];
  const curl = (path: string, body: unknown) =>
    `curl -s ${url}${path} \\\n  -H "Authorization: Bearer $M3_API_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d '${JSON.stringify(body)}'`;
  return (
    <Card title={t("title")}>
      <p className="mb-3 text-xs text-slate-500">{t("explain")}</p>
      <div className="space-y-4">
        {examples.map((e) => (
          <div key={e.id}>
            <div className="mb-1 flex items-center justify-between">
              <span className="text-sm font-medium">{e.title}</span>
              <Button variant="secondary" onClick={() => { void navigator.clipboard?.writeText(curl(e.path, e.body)); setCopied(e.id); }}>{copied === e.id ? t("copied") : t("copy")}</Button>
            </div>
            <pre className="overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100" data-testid={`curl-${e.id}`}>{curl(e.path, e.body)}</pre>
          </div>
        ))}
        <p className="text-xs text-slate-500">{t("more", { health: `${replicaUrl}/health`, metrics: `${replicaUrl}/metrics` })}</p>
      </div>
    </Card>
  );
}
