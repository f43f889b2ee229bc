import { parseModelLabel, type ModelLabelParts } from "~/server/lib/model-label";

export type ModelLabelTranslator = (
  key: "base" | "checkpoint" | "unnamedRun" | "merged" | "best" | "aliases",
  values?: Record<string, string | number>,
) => string;

/**
 * A deployable model's name in the user's language (messages `modelLabel.*`): from its parts, or from the English
 * text a deployment row stored (parsed back; text no label function wrote is shown as it is: a user's own name).
 * Pure, so both languages can be pinned by a test.
 */
export function formatModelLabel(label: ModelLabelParts | string, t: ModelLabelTranslator): string {
  const parts = typeof label === "string" ? parseModelLabel(label) : label;
  if (!parts) return label as string;
  if (parts.kind === "base") return t("base", { name: parts.name });
  return [
    t("checkpoint", { run: parts.run ?? t("unnamedRun"), step: parts.step }),
    parts.mergeWeight != null ? t("merged", { weight: parts.mergeWeight }) : "",
    parts.best ? t("best") : "",
    parts.aliases.length ? t("aliases", { aliases: parts.aliases.join(", ") }) : "",
  ].join("");
}
