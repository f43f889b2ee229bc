"use client";

import { useTranslations } from "next-intl";
import { jobMessage, type JobMessageTranslator } from "./job-message";

/** `(message) => text`: a worker's progress or status phrase in the user's language (see job-message.ts). */
export function useJobMessage(): (message: string | null | undefined) => string {
  const t = useTranslations("jobMessages");
  return (message) => jobMessage(message, t as unknown as JobMessageTranslator);
}
