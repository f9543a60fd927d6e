import type { Phase, RunReport } from "./run";

/*
 * What the admin's sandbox billing panel (/admin/billing) and its server action share: the
 * allowed clock steps, the phases, and the shape of an action's answer. Client-safe (the panel
 * imports it); the work itself is in ./admin.ts, the action in ./admin-actions.ts.
 */

/** The steps the sandbox clock may be moved forward by, in days. */
export const CLOCK_STEP_DAYS = [1, 7, 30] as const;
export type ClockStepDays = (typeof CLOCK_STEP_DAYS)[number];

/** The billing phases in the order the panel offers them (the same list as `PHASES`). */
export const PANEL_PHASES = [
  "charge",
  "retry",
  "postpone",
  "reconcile",
] as const satisfies readonly Phase[];

/** Keys under `admin.billing.errors` in the messages. */
export type PanelError =
  "unauthorized" | "forbidden" | "not_sandbox" | "invalid" | "disabled" | "failed";

/** A run's report as the panel shows it. */
export type PanelReport = Pick<
  RunReport,
  | "phase"
  | "runId"
  | "dryRun"
  | "processed"
  | "charged"
  | "declined"
  | "closed"
  | "postponed"
  | "unknown"
  | "hasMore"
  | "wouldDo"
>;

export interface PanelState {
  error?: PanelError;
  /** After a clock move: the step, the new offset and the shop's new now (ISO). */
  clock?: { days: ClockStepDays; offsetMs: number; now: string };
  /** After a phase run. */
  report?: PanelReport;
}
