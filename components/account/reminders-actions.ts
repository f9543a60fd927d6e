"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { resubscribe, unsubscribe } from "@/db/queries/notice-settings";
import { getCurrentUser } from "@/lib/auth/guards";
import { moduleLogger } from "@/lib/logger";

const log = moduleLogger("account-reminders");

export interface RemindersState {
  error?: "unauthorized" | "failed";
  ok?: boolean;
}

/**
 * The account page's renewal reminder switch: the signed-in buyer leaves or rejoins the
 * `reminders` category (the one the mail's one-click link leaves). Every outcome is a state for
 * the form, never a throw.
 */
export async function setRemindersAction(
  _: RemindersState,
  form: FormData,
): Promise<RemindersState> {
  const user = await getCurrentUser();
  if (!user) return { error: "unauthorized" };
  const subscribe = form.get("subscribe") === "1";
  try {
    const db = await getDb();
    if (subscribe) await resubscribe(db, user.id, "reminders");
    else await unsubscribe(db, user.id, "reminders");
  } catch (error) {
    log.error({ err: error, userId: user.id }, "changing the reminder subscription failed");
    return { error: "failed" };
  }
  revalidatePath("/account");
  return { ok: true };
}
