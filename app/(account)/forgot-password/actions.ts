"use server";

import { headers } from "next/headers";
import type { ForgotFormState } from "@/components/auth/password-reset-forms";
import { getDb } from "@/db";
import { requestPasswordReset } from "@/lib/auth/password-reset";
import { getEnv } from "@/lib/env";
import { moduleLogger } from "@/lib/logger";
import { kickNotices } from "@/lib/notices/kick";
import { now } from "@/lib/now";
import { clientKeyOf } from "@/lib/rate-limit";

const log = moduleLogger("password-reset-actions");

/**
 * The forgot page's form: asks for a reset link (lib/auth/password-reset.ts). Any well-formed
 * address gets the same answer — sent, throttled or unknown alike; only a malformed one is
 * refused with its field error.
 */
export async function requestPasswordResetAction(
  _: ForgotFormState,
  form: FormData,
): Promise<ForgotFormState> {
  const given = form.get("email");
  const email = typeof given === "string" ? given : "";
  try {
    const result = await requestPasswordReset(
      { db: await getDb(), now, authSecret: getEnv().authSecret },
      { email, client: clientKeyOf(await headers()) },
    );
    if (!result.ok) return { fields: result.fields, values: { email } };
  } catch (error) {
    log.error({ err: error }, "password reset request failed");
    return { error: "generic", values: { email } };
  }
  // The mail leaves right after this answer (the sender runs in the background). Asked for
  // whatever the outcome above, so that nothing about the answer depends on the address.
  kickNotices();
  return { sent: true, values: { email: email.trim() } };
}
