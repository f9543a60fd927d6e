"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { getCurrentUser } from "@/lib/auth/guards";
import { checkCreditUse } from "@/lib/credits/input";
import { recordCreditUse } from "@/lib/credits/ledger";
import { isAppError } from "@/lib/errors";
import { moduleLogger } from "@/lib/logger";
import type { CreditUseFormState } from "./users-credits-form-state";

const log = moduleLogger("admin-credits");

/**
 * The user page's "record a use" form: `userId`, `amount` (1 when empty), `note` (required) and
 * `requestKey` (one per rendered form: a double submit records one use). The role is checked
 * here on every call; a balance too low and bad input are form state, not errors.
 */
export async function recordCreditUseAction(
  previous: CreditUseFormState,
  form: FormData,
): Promise<CreditUseFormState> {
  const seq = (previous.seq ?? 0) + 1;
  const actor = await getCurrentUser();
  if (!actor) return { error: "unauthorized", seq };
  if (actor.role !== "admin") return { error: "forbidden", seq };
  const userId = form.get("userId");
  const amount = form.get("amount") ?? "";
  const note = form.get("note");
  const requestKey = form.get("requestKey");
  if (
    typeof userId !== "string" ||
    typeof amount !== "string" ||
    typeof note !== "string" ||
    typeof requestKey !== "string"
  ) {
    return { error: "invalid", seq };
  }
  const values = { amount, note };
  const checked = checkCreditUse({ amount, note, requestKey });
  if (!checked.ok) {
    const { amount: amountProblem, note: noteProblem } = checked.problems;
    return {
      error: "invalid",
      fields: { amount: amountProblem, note: noteProblem },
      values,
      seq,
    };
  }
  try {
    const result = await recordCreditUse(await getDb(), {
      userId,
      ...checked.value,
      actorId: actor.id,
    });
    if (!result.ok) return { error: result.reason, balance: result.balance, values, seq };
    revalidatePath(`/admin/users/${userId}`);
    return { done: result.repeated ? "repeated" : "recorded", balance: result.balance, seq };
  } catch (error) {
    if (isAppError(error, "conflict")) return { error: "conflict", seq };
    log.error({ err: error, userId }, "recording a credit use failed");
    return { error: "failed", values, seq };
  }
}
