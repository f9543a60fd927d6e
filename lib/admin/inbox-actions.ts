"use server";

import { revalidatePath } from "next/cache";
import { getCurrentUser } from "@/lib/auth/guards";
import { moduleLogger } from "@/lib/logger";
import { getRuntime } from "@/lib/runtime";
import { reprocessInboxRow } from "./inbox-reprocess";
import type { ReprocessState } from "./inbox-reprocess-state";

const log = moduleLogger("admin-inbox");

/**
 * "Process again" on /admin/webhooks/[id]: the admin role is checked here on every call; every
 * outcome is a state for the form (an error key or the status before and after), never a throw.
 */
export async function reprocessWebhookAction(
  _: ReprocessState,
  form: FormData,
): Promise<ReprocessState> {
  const user = await getCurrentUser();
  if (!user) return { error: "unauthorized" };
  if (user.role !== "admin") return { error: "forbidden" };
  const id = form.get("id");
  if (typeof id !== "string" || id === "" || id.length > 100) return { error: "not_found" };
  try {
    const result = await reprocessInboxRow(await getRuntime(), user.id, id);
    if (!result.ok) return { error: result.reason };
    revalidatePath(`/admin/webhooks/${id}`);
    revalidatePath("/admin/webhooks");
    return {
      before: result.before.status,
      after: result.after.status,
      outcome: result.after.outcome,
    };
  } catch (error) {
    log.error({ err: error, inboxId: id }, "processing a webhook again failed");
    return { error: "failed" };
  }
}
