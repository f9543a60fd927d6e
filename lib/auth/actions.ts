"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { headers } from "next/headers";
import { getDb } from "@/db";
import { isAppError, type FieldErrors } from "@/lib/errors";
import { moduleLogger } from "@/lib/logger";
import { now } from "@/lib/now";
import { withSignupLimit } from "@/lib/rate-limit";
import { signIn, signOut } from "./index";
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

async function signInWith(
  email: string,
  password: string,
  redirectTo: string,
): Promise<AuthFormState> {
  try {
    // On success this throws Next's redirect, which must propagate.
    await signIn("credentials", { email, password, redirectTo });
    return {};
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
}

export async function signInAction(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  return signInWith(
    text(form.get("email")),
    text(form.get("password")),
    safeCallbackPath(form.get("callbackUrl"), "/account"),
  );
}

export async function signUpAction(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  const values = { email: text(form.get("email")), name: text(form.get("name")) };
  const password = text(form.get("password"));
  try {
    const db = await getDb();
    await withSignupLimit({ db, now }, await headers(), () => signUp(db, { ...values, password }));
  } catch (error) {
    if (isAppError(error, "rate_limited")) return { error: "signup_rate_limited", values };
    if (isAppError(error, "validation_failed") || isAppError(error, "conflict")) {
      return { fields: error.fields, values };
    }
    log.error({ err: error }, "sign-up failed");
    return { error: "generic", values };
  }
  return signInWith(values.email, password, safeCallbackPath(form.get("callbackUrl"), "/account"));
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/" });
}
