"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { getCurrentUser } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { moduleLogger } from "@/lib/logger";
import { changeUserRole } from "./users";
import type { RoleFormState } from "./users-form-state";

const log = moduleLogger("admin-users");

/**
 * The user page's role form: `userId`, `role` (buyer | admin) and `confirm` = "yes" (the admin
 * ticked the confirmation). The role is checked here on every call; refusals are form state.
 */
export async function changeRoleAction(_: RoleFormState, form: FormData): Promise<RoleFormState> {
  const actor = await getCurrentUser();
  if (!actor) return { error: "unauthorized" };
  if (actor.role !== "admin") return { error: "forbidden" };
  const userId = form.get("userId");
  const role = form.get("role");
  if (typeof userId !== "string" || (role !== "buyer" && role !== "admin")) {
    return { error: "invalid" };
  }
  if (form.get("confirm") !== "yes") return { error: "confirm" };
  try {
    const result = await changeUserRole(await getDb(), actor.id, userId, role);
    if (!result.ok) return { error: result.reason };
    revalidatePath("/admin/users", "layout");
    return { done: result.changed ? "changed" : "unchanged", role: result.after };
  } catch (error) {
    if (isAppError(error, "not_found")) return { error: "not_found" };
    log.error({ err: error, userId }, "role change failed");
    return { error: "failed" };
  }
}
