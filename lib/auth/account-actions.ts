"use server";

import { AuthError } from "next-auth";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { getEnv } from "@/lib/env";
import { isAppError, type FieldErrors } from "@/lib/errors";
import { moduleLogger } from "@/lib/logger";
import { now } from "@/lib/now";
import { changeName, changePassword } from "./account";
import { getCurrentUser } from "./guards";
import { clientIp, signIn } from "./index";
import { deviceCookieValue, verifyDevice } from "./known-device";
import { authPageHref, PASSWORD_CHANGED_PARAM, PASSWORD_SECTION_ID } from "./return-to";

const log = moduleLogger("account-actions");

export interface AccountFormState {
  /** The change was saved (the form shows its success line). */
  ok?: boolean;
  /** Key under `account.errors` in the messages. */
  error?: "rate_limited" | "generic";
  /** With `rate_limited`: the seconds to wait. */
  retryAfterSeconds?: number;
  /** Field → codes under `fieldErrors` in the messages. */
  fields?: FieldErrors;
  values?: { name?: string };
}

/** A form entry as zod should see it: a File stays a non-string (refused), absent is undefined. */
const entry = (form: FormData, name: string) => form.get(name) ?? undefined;

const SIGN_IN_AGAIN = authPageHref("/signin", "/account");
/**
 * Where a password change ends: the account page, saying so (PASSWORD_CHANGED_PARAM), scrolled
 * to the password form where the success line is.
 */
const PASSWORD_CHANGED = `/account?${PASSWORD_CHANGED_PARAM}=1#${PASSWORD_SECTION_ID}`;

async function signedInUser() {
  const user = await getCurrentUser();
  // A session that ended meanwhile (signed out elsewhere): sign in, then back to the account.
  if (!user) redirect(SIGN_IN_AGAIN);
  return user;
}

/** Expected refusals become form state; anything else is logged and shown as "try again". */
function refusal(error: unknown, what: string): AccountFormState {
  if (isAppError(error, "validation_failed")) return { fields: error.fields };
  if (isAppError(error, "rate_limited")) {
    return { error: "rate_limited", retryAfterSeconds: error.retryAfterSeconds ?? 60 };
  }
  if (isAppError(error, "unauthorized")) redirect(SIGN_IN_AGAIN);
  log.error({ err: error }, `${what} failed`);
  return { error: "generic" };
}

export async function changeNameAction(
  _: AccountFormState,
  form: FormData,
): Promise<AccountFormState> {
  const user = await signedInUser();
  const given = entry(form, "name");
  try {
    const { name } = await changeName(await getDb(), user.id, { name: given });
    // The header shows the name on every page.
    revalidatePath("/", "layout");
    return { ok: true, values: { name: name ?? "" } };
  } catch (error) {
    return {
      ...refusal(error, "name change"),
      values: { name: typeof given === "string" ? given : "" },
    };
  }
}

/**
 * Changes the password (lib/auth/account.ts), which signs out every session including this one,
 * then signs this one in again with the new password: the buyer stays signed in here only.
 * Refusals come back as form state; success redirects to the account page.
 */
export async function changePasswordAction(
  _: AccountFormState,
  form: FormData,
): Promise<AccountFormState> {
  const user = await signedInUser();
  const requestHeaders = await headers();
  const env = getEnv();
  const input = {
    currentPassword: entry(form, "currentPassword"),
    newPassword: entry(form, "newPassword"),
    confirmPassword: entry(form, "confirmPassword"),
  };
  try {
    await changePassword(
      await getDb(),
      user,
      input,
      {
        ip: clientIp(requestHeaders),
        device: verifyDevice(env.authSecret, deviceCookieValue(requestHeaders.get("cookie"))),
      },
      await now(),
      env.signin,
    );
  } catch (error) {
    return refusal(error, "password change");
  }
  log.info({ userId: user.id }, "password changed; other sessions signed out");
  try {
    await signIn("credentials", {
      email: user.email,
      password: String(input.newPassword),
      redirect: false,
    });
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    // Changed, but this session could not be renewed (a sign-in delay began meanwhile): the
    // buyer signs in with the new password.
    log.warn(
      { userId: user.id, err: error },
      "could not renew the session after a password change",
    );
    redirect(SIGN_IN_AGAIN);
  }
  // A redirect, not a returned state: Next renders a redirect's target with the cookies this
  // action set, while a re-render of this page would still read the old, now revoked, session
  // from the request (next-auth's auth() reads the request's headers) and show it signed out.
  redirect(PASSWORD_CHANGED);
}
