"use client";

import { useTranslations } from "next-intl";
import { formatModelLabel, type ModelLabelTranslator } from "./model-label";

/** (parts or stored label) => the model's name in the user's language. */
export function useModelLabel() {
  const t = useTranslations("modelLabel");
  return (label: Parameters<typeof formatModelLabel>[0]) => formatModelLabel(label, t as unknown as ModelLabelTranslator);
}
