"use server";

import { redirect } from "next/navigation";
import type { ResetFormState } from "@/components/auth/password-reset-forms";
import { PASSWORD_RESET_DONE } from "@/components/auth/reset-paths";
import { getDb } from "@/db";
import { resetPassword } from "@/lib/auth/password-reset";
import { moduleLogger } from "@/lib/logger";
import { now } from "@/lib/now";

const log = moduleLogger("password-reset-actions");

const entry = (form: FormData, name: string) => form.get(name) ?? undefined;

/**
 * The reset page's form: sets the new password with the link's token (lib/auth/password-reset.ts),
 * which signs out every session of the account, then goes to sign-in saying so. Never logs the
 * token.
 */
export async function resetPasswordAction(
  _: ResetFormState,
  form: FormData,
): Promise<ResetFormState> {
  let outcome;
  try {
    outcome = await resetPassword(
      { db: await getDb(), now },
      {
        token: entry(form, "token"),
        password: entry(form, "password"),
        confirmPassword: entry(form, "confirmPassword"),
      },
    );
  } catch (error) {
    log.error({ err: error }, "password reset failed");
    return { error: "generic" };
  }
  if (!outcome.ok) {
    return outcome.reason === "fields" ? { fields: outcome.fields } : { refused: outcome.reason };
  }
  redirect(PASSWORD_RESET_DONE);
}
