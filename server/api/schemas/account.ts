import { z } from "zod";
import { LOCALES } from "../../i18n/locales";

/** Shared by the sign-up form and the auth.signUp procedure. */
export const signUpInput = z.object({
  email: z.string().trim().toLowerCase().email("Enter a valid email address"),
  password: z.string().min(8, "Use at least 8 characters").max(200, "Use at most 200 characters"),
  name: z.string().trim().min(1).max(100).optional(),
});

export const setLocaleInput = z.object({ locale: z.enum(LOCALES) });
