"use server";

import { cookies } from "next/headers";
import { LOCALE_COOKIE, LOCALES, type Locale } from "./locales";

/** The language switch: remembered for a year; unknown values are ignored. */
export async function setLocaleAction(form: FormData): Promise<void> {
  const value = form.get("locale");
  if (!LOCALES.includes(value as Locale)) return;
  (await cookies()).set(LOCALE_COOKIE, value as Locale, {
    path: "/",
    maxAge: 365 * 24 * 60 * 60,
    sameSite: "lax",
  });
}
