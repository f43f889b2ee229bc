import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "~/server/i18n/messages/en.json";
import zh from "~/server/i18n/messages/zh.json";
import { modelLabelText, parseModelLabel, type ModelLabelParts } from "~/server/lib/model-label";
import { formatModelLabel, type ModelLabelTranslator } from "./model-label";

const words = (locale: "en" | "zh") => createTranslator({ locale, messages: locale === "en" ? en : zh, namespace: "modelLabel" }) as unknown as ModelLabelTranslator;
const LATIN_WORD = /\b(base|step|best|checkpoint)\b/;

const base: ModelLabelParts = { kind: "base", name: "demo-model" };
const merged: ModelLabelParts = { kind: "checkpoint", run: "lora-medical", step: 96, mergeWeight: 0.5, best: true, aliases: ["prod", "v2"] };
const unnamed: ModelLabelParts = { kind: "checkpoint", run: null, step: 12, mergeWeight: null, best: false, aliases: [] };

describe("deployable model labels (#20 item 4)", () => {
  it("store the English text deployments always stored, and read it back to the same parts", () => {
    expect(modelLabelText(base)).toBe("base: demo-model");
    expect(modelLabelText(merged)).toBe("lora-medical · step 96 ⊕ base W=0.5 (best) [prod, v2]");
    expect(modelLabelText(unnamed)).toBe("checkpoint · step 12");
    for (const parts of [base, merged, unnamed]) expect(parseModelLabel(modelLabelText(parts))).toEqual(parts);
    // A run named with the separator still parses: the step is the last " · step N".
    const odd: ModelLabelParts = { ...unnamed, run: "a · b" };
    expect(parseModelLabel(modelLabelText(odd))).toEqual(odd);
    expect(parseModelLabel("something a user typed")).toBeNull();
  });

  it("are English in the English UI, word for word what was shown before", () => {
    for (const parts of [base, merged, unnamed]) expect(formatModelLabel(parts, words("en"))).toBe(modelLabelText(parts));
    expect(formatModelLabel("lora-medical · step 96 (best)", words("en"))).toBe("lora-medical · step 96 (best)");
  });

  it("are Chinese in the Chinese UI, from parts or from a stored English label, keeping the user's own names", () => {
    expect(formatModelLabel(base, words("zh"))).toBe("基础模型：demo-model");
    expect(formatModelLabel(merged, words("zh"))).toBe("lora-medical · 第 96 步 ⊕ 基础模型 W=0.5（最佳） [prod, v2]");
    expect(formatModelLabel("checkpoint · step 12", words("zh"))).toBe("检查点 · 第 12 步");
    for (const parts of [base, merged, unnamed]) expect(formatModelLabel(modelLabelText(parts), words("zh"))).not.toMatch(LATIN_WORD);
    expect(formatModelLabel("my own label", words("zh"))).toBe("my own label");
  });
});
