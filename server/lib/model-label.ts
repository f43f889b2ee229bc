/**
 * What a deployable model is called, as parts the browser words in the user's language (#20 item 4: the
 * deployment page showed "base: …", "step …", "(best)" in English in the Chinese UI). The English text form is
 * what a deployment row and the audit log store (Deployment.modelLabel); `parseModelLabel` reads it back, so rows
 * written before the parts existed are worded the same way. Pure: used by the server and the browser.
 */
export type ModelLabelParts =
  | { kind: "base"; name: string }
  | { kind: "checkpoint"; run: string | null; step: number; mergeWeight: number | null; best: boolean; aliases: string[] };

/** The stored (English) text: "base: demo-model", "my run · step 96 ⊕ base W=0.5 (best) [prod, v2]". */
export function modelLabelText(parts: ModelLabelParts): string {
  if (parts.kind === "base") return `base: ${parts.name}`;
  return `${parts.run ?? "checkpoint"} · step ${parts.step}${parts.mergeWeight != null ? ` ⊕ base W=${parts.mergeWeight}` : ""}${parts.best ? " (best)" : ""}${parts.aliases.length ? ` [${parts.aliases.join(", ")}]` : ""}`;
}

const CHECKPOINT = /^(.*) · step (\d+)(?: ⊕ base W=([0-9.eE+-]+))?( \(best\))?(?: \[(.*)\])?$/;

/** The parts of a stored label; null for text that no version of modelLabelText wrote (shown as it is). */
export function parseModelLabel(text: string): ModelLabelParts | null {
  if (text.startsWith("base: ")) return { kind: "base", name: text.slice("base: ".length) };
  const m = CHECKPOINT.exec(text);
  if (!m) return null;
  return {
    kind: "checkpoint",
    // A run without a name was stored as "checkpoint": the browser words that itself.
    run: m[1] === "checkpoint" ? null : m[1]!,
    step: Number(m[2]),
    mergeWeight: m[3] !== undefined ? Number(m[3]) : null,
    best: !!m[4],
    aliases: m[5] ? m[5].split(", ") : [],
  };
}
