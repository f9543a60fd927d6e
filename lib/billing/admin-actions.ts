"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { getCurrentUser } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";
import { moduleLogger } from "@/lib/logger";
import { getBillingRuntime } from "@/lib/runtime";
import { advanceSandboxClock, authorizePanel, parsePanelCommand, runPhaseNow } from "./admin";
import type { PanelState } from "./admin-panel";

const log = moduleLogger("billing-admin");

/**
 * The sandbox billing panel of /admin/billing: `op=advance` moves the virtual clock forward by
 * `days` (1, 7 or 30); `op=run` runs `phase` now (`dryRun` checked: report only). The admin role
 * and sandbox mode are checked here on every call; every failure is an error key for the panel,
 * never a thrown error.
 */
export async function sandboxBillingAction(_: PanelState, form: FormData): Promise<PanelState> {
  try {
    const allowed = authorizePanel(await getCurrentUser(), getEnv().isSandbox);
    if ("error" in allowed) return { error: allowed.error };
    const command = parsePanelCommand(form);
    if (!command) return { error: "invalid" };
    let state: PanelState;
    if (command.op === "advance") {
      const moved = await advanceSandboxClock(await getDb(), allowed.user.id, command.days);
      log.info({ userId: allowed.user.id, days: command.days }, "sandbox clock advanced");
      state = {
        clock: { days: command.days, offsetMs: moved.offsetMs, now: moved.now.toISOString() },
      };
    } else {
      const report = await runPhaseNow(
        await getBillingRuntime(),
        allowed.user.id,
        command.phase,
        command.dryRun,
      );
      if (report === "disabled") return { error: "disabled" };
      state = { report };
    }
    revalidatePath("/admin/billing");
    return state;
  } catch (error) {
    log.error({ err: error }, "sandbox billing action failed");
    return { error: "failed" };
  }
}
