"use server";

import { cookies } from "next/headers";
import { getDb } from "@/db";
import { setUserLocale } from "@/db/queries/users";
import { getCurrentUser } from "@/lib/auth/guards";
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
  // Signed in: the buyer's notices follow the language they chose.
  const user = await getCurrentUser().catch(() => null);
  if (user) await setUserLocale(await getDb(), user.id, value as Locale);
}
