import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { auth } from "../auth";
import { db } from "../db";
import { intlConfig } from "./config";
import { DEFAULT_LOCALE, isLocale, LOCALE_COOKIE, type Locale } from "./locales";

/**
 * The UI language: the signed-in user's saved preference, else the language cookie (set by
 * the switch on public pages), else the browser's Accept-Language, else English.
 */
async function resolveLocale(): Promise<Locale> {
  const session = await auth();
  if (session?.user?.id) {
    const user = await db.user.findUnique({ where: { id: session.user.id }, select: { locale: true } });
    if (isLocale(user?.locale)) return user.locale;
  }
  const cookie = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (isLocale(cookie)) return cookie;
  const accept = (await headers()).get("accept-language") ?? "";
  return accept.toLowerCase().startsWith("zh") ? "zh" : DEFAULT_LOCALE;
}

export default getRequestConfig(async () => intlConfig(await resolveLocale()));
