import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { insertAudit } from "@/db/queries/audit";
import type { CurrentUser } from "@/lib/auth/session-version";
import { advanceClock, readClockOffset } from "@/lib/clock";
import {
  CLOCK_STEP_DAYS,
  type ClockStepDays,
  type PanelError,
  type PanelReport,
} from "./admin-panel";
import { PHASES, runBillingPhase, type BillingDeps, type Phase } from "./run";

/*
 * The admin's sandbox billing panel (/admin/billing): move the virtual clock by whole days and
 * run any billing phase now, so a subscription's whole life can be watched in minutes. The
 * server action (./admin-actions.ts) is a thin shell around these functions.
 */

export const DAY_MS = 86_400_000;

/**
 * Who may use the panel: a signed-in admin, and only in sandbox mode (in live mode the clock is
 * real time and phases run on the cron's schedule). Checked in the action on every call, from the
 * session re-read on the server: nothing the client sends decides it.
 */
export function authorizePanel(
  user: CurrentUser | null,
  isSandbox: boolean,
): { user: CurrentUser } | { error: PanelError } {
  if (!user) return { error: "unauthorized" };
  if (user.role !== "admin") return { error: "forbidden" };
  if (!isSandbox) return { error: "not_sandbox" };
  return { user };
}

const checkbox = z
  .enum(["1", "on", "true"])
  .optional()
  .transform((value) => value !== undefined);

/** The panel's two forms: a clock step (`op=advance`, `days`) or a phase run (`op=run`). */
const panelCommand = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("advance"),
    days: z
      .string()
      .regex(/^\d{1,3}$/)
      .transform(Number)
      .pipe(z.literal(CLOCK_STEP_DAYS)),
  }),
  z.object({ op: z.literal("run"), phase: z.enum(PHASES), dryRun: checkbox }),
]);

export type PanelCommand =
  { op: "advance"; days: ClockStepDays } | { op: "run"; phase: Phase; dryRun: boolean };

/** The submitted form as a command, or null when anything in it is not allowed. */
export function parsePanelCommand(form: FormData): PanelCommand | null {
  const fields: Record<string, FormDataEntryValue> = {};
  for (const [key, value] of form.entries()) {
    // Next adds `$ACTION_…` fields of its own; a repeated field of ours is refused.
    if (key.startsWith("$ACTION")) continue;
    if (Object.hasOwn(fields, key)) return null;
    fields[key] = value;
  }
  const parsed = panelCommand.safeParse(fields);
  if (!parsed.success) return null;
  return parsed.data.op === "advance"
    ? { op: "advance", days: parsed.data.days }
    : { op: "run", phase: parsed.data.phase, dryRun: parsed.data.dryRun };
}

/**
 * Moves the sandbox clock forward by `days` and records who did it (one transaction: the audit
 * row exists exactly when the clock moved). The row is dated at the moment of the move on the
 * old clock. Returns the new offset and the shop's new now.
 */
export async function advanceSandboxClock(
  db: Db,
  actorUserId: string,
  days: ClockStepDays,
): Promise<{ offsetMs: number; now: Date }> {
  const deltaMs = days * DAY_MS;
  const offsetMs = await db.transaction(async (tx) => {
    const after = await advanceClock(tx, deltaMs / 1000);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "sandbox.clock_advanced",
      targetType: "sandbox_clock",
      targetId: "1",
      details: { days, fromOffsetMs: after - deltaMs, toOffsetMs: after },
      createdAt: new Date(Date.now() + after - deltaMs),
    });
    return after;
  });
  return { offsetMs, now: new Date(Date.now() + offsetMs) };
}

/**
 * Runs one phase now (the same run as the cron's) and records who ran it with the run's totals;
 * `"disabled"` under the kill switch (nothing ran, nothing recorded).
 */
export async function runPhaseNow(
  deps: BillingDeps,
  actorUserId: string,
  phase: Phase,
  dryRun: boolean,
): Promise<PanelReport | "disabled"> {
  const result = await runBillingPhase(deps, phase, { dryRun });
  // Only the kill switch's answer has no run.
  if (!("runId" in result)) return "disabled";
  await insertAudit(deps.db, {
    actorKind: "user",
    actorUserId,
    action: "billing.phase_run",
    targetType: "billing_run",
    targetId: result.runId,
    details: {
      phase,
      dryRun,
      processed: result.processed,
      charged: result.charged,
      declined: result.declined,
      closed: result.closed,
      postponed: result.postponed,
      unknown: result.unknown,
    },
  });
  return {
    phase: result.phase,
    runId: result.runId,
    dryRun: result.dryRun,
    processed: result.processed,
    charged: result.charged,
    declined: result.declined,
    closed: result.closed,
    postponed: result.postponed,
    unknown: result.unknown,
    hasMore: result.hasMore,
    ...(result.wouldDo ? { wouldDo: result.wouldDo } : {}),
  };
}

/** The shop's now: the virtual clock in sandbox mode (with its offset), else real time. */
export async function readShopTime(
  db: Db,
  isSandbox: boolean,
): Promise<{ now: Date; offsetMs: number; virtual: boolean }> {
  if (!isSandbox) return { now: new Date(), offsetMs: 0, virtual: false };
  const offsetMs = await readClockOffset(db);
  return { now: new Date(Date.now() + offsetMs), offsetMs, virtual: true };
}
