"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { LOCALE_COOKIE, toLocale } from "@/i18n/locales";
import { findUserByEmail } from "@/db/queries/users";
import { isAppError, type FieldErrors } from "@/lib/errors";
import { moduleLogger } from "@/lib/logger";
import { now } from "@/lib/now";
import { withSignupLimit } from "@/lib/rate-limit";
import { signIn, signOut } from "./index";
import { landingPath } from "./return-to";
import { safeCallbackPath } from "./schemas";
import { signUp } from "./signup";

const log = moduleLogger("auth-actions");

export interface AuthFormState {
  /** Key under `auth.errors` in the messages. */
  error?: "invalid" | "rate_limited" | "signup_rate_limited" | "generic";
  /** Field → codes under `fieldErrors` in the messages. */
  fields?: FieldErrors;
  values?: { email?: string; name?: string };
}

const text = (value: FormDataEntryValue | null) => (typeof value === "string" ? value : "");

/** The form's callbackUrl when it is a same-site path; "" when absent or unsafe. */
const callbackOf = (form: FormData) => safeCallbackPath(form.get("callbackUrl"), "");

/**
 * Signs in, then goes to `callbackUrl`, or without one to the user's landing page (the owner's is
 * /admin), which is why next-auth is asked not to redirect by itself.
 */
async function signInWith(
  email: string,
  password: string,
  callbackUrl: string,
): Promise<AuthFormState> {
  try {
    await signIn("credentials", { email, password, redirect: false });
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    if (error instanceof CredentialsSignin) {
      return {
        error: error.code === "rate_limited" ? "rate_limited" : "invalid",
        values: { email },
      };
    }
    log.error({ err: error }, "sign-in failed");
    return { error: "generic", values: { email } };
  }
  if (callbackUrl) redirect(callbackUrl);
  const user = await findUserByEmail(await getDb(), email.trim());
  redirect(landingPath(user?.role ?? "buyer"));
}

export async function signInAction(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  return signInWith(text(form.get("email")), text(form.get("password")), callbackOf(form));
}

export async function signUpAction(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  const values = { email: text(form.get("email")), name: text(form.get("name")) };
  const password = text(form.get("password"));
  try {
    const db = await getDb();
    const locale = toLocale((await cookies()).get(LOCALE_COOKIE)?.value);
    await withSignupLimit({ db, now }, await headers(), () =>
      signUp(db, { ...values, password }, { locale }),
    );
  } catch (error) {
    if (isAppError(error, "rate_limited")) return { error: "signup_rate_limited", values };
    if (isAppError(error, "validation_failed") || isAppError(error, "conflict")) {
      return { fields: error.fields, values };
    }
    log.error({ err: error }, "sign-up failed");
    return { error: "generic", values };
  }
  return signInWith(values.email, password, callbackOf(form));
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/" });
}
