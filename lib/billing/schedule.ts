import { addDays, shanghaiDate, startOfShanghaiDate } from "@/lib/clock";

/*
 * When to charge, retry and postpone a membership period: pure functions of the agreement, its
 * attempts for the period and the time. Dates are Asia/Shanghai calendar dates (`YYYY-MM-DD`),
 * the ones Alipay's deduction window is counted in, whatever the process's time zone.
 *
 * Alipay deducts a period only in [scheduled date − W days, scheduled date] (W = 5 by default,
 * 3 by some accounts: `BILLING_EARLY_DAYS`), once per period; the next scheduled date is the
 * previous one plus the period, never the day it was actually charged.
 *
 * A buyer is told `remindDays` before money leaves (NOTICE_REMIND_DAYS, 3 by default; an Alipay
 * periodic-deduction merchant is expected to remind before deducting). A period that starts less
 * than that before its window opens — a weekly plan: 7 − 5 = 2 days — is therefore first tried
 * `remindDays` after it started, not when the window opens, so that its reminder can go out in
 * time (`firstAttemptDate`).
 */

export interface BillingPolicy {
  /** The early window W in days (3–5). */
  earlyDays: number;
  /** Attempts per period before it is postponed (`BILLING_MAX_ATTEMPTS`). */
  maxAttempts: number;
  /** A `pending` attempt older than this was cut short: its outcome is unknown. */
  stalePendingMs: number;
  /** Days between the renewal reminder and the first attempt (`NOTICE_REMIND_DAYS`). */
  remindDays: number;
}

/** A charge attempt still `pending` after this long was cut short: its outcome is unknown. */
export const STALE_PENDING_MS = 2 * 60_000;

export const DEFAULT_POLICY: BillingPolicy = {
  earlyDays: 5,
  maxAttempts: 3,
  stalePendingMs: STALE_PENDING_MS,
  remindDays: 3,
};

export interface ScheduledAgreement {
  status: string;
  autoRenew: boolean;
  /** The scheduled date of the period the next charge pays for. */
  nextChargeDate: string | null;
  periodDays: number;
}

export interface PeriodAttempt {
  attemptNo: number;
  status: "pending" | "succeeded" | "failed" | "unknown";
  createdAt: Date;
  /** Set on a failed attempt that may be retried (a decline): not before this instant. */
  nextRetryAt: Date | null;
}

/** Where a period stands, and so which phase (if any) acts on it now. */
export type PeriodState =
  /** Not an agreement that is charged (not active, or auto-renewal off). */
  | { kind: "inactive" }
  /** Paid. */
  | { kind: "paid" }
  /** Before its window opens. */
  | { kind: "not_due"; opensOn: string }
  /** Inside its window, never tried: the charge phase. */
  | { kind: "due" }
  /** A call in flight (a young pending attempt): nobody acts. */
  | { kind: "in_flight" }
  /** The outcome of an attempt is unknown (or a pending one went stale): the reconcile phase. */
  | { kind: "unknown"; attemptNo: number }
  /** Declined, retryable, under the limit, its day has come, inside the window: the retry phase. */
  | { kind: "retry_due"; attemptNo: number }
  /** Declined and retryable, but not before `at` (one attempt per day). */
  | { kind: "retry_wait"; at: Date }
  /** No more attempts (limit reached or not retryable), or the window passed: postpone. */
  | { kind: "postpone"; reason: "exhausted" | "not_retryable" | "date_passed" };

/** The Asia/Shanghai date of an instant: the "today" of every billing rule. */
export const billingToday = (now: Date): string => shanghaiDate(now);

/** The first and last day Alipay accepts a deduction for a scheduled date. */
export function windowOf(scheduled: string, earlyDays: number): { from: string; to: string } {
  return { from: addDays(scheduled, -earlyDays), to: scheduled };
}

/**
 * The day the charge phase first tries a period: the first day of Alipay's window, or, when the
 * period began less than `remindDays` before that, `remindDays` after it began (so the buyer can
 * be reminded `remindDays` ahead), never after the scheduled date itself. A period begins one
 * period before its scheduled date (the previous scheduled date, never later than the day the
 * previous period was paid). Renewal reminders are counted back from this day
 * (db/queries/notice-sweeps.ts, the same rule in SQL as `firstAttemptSql`), and the buyer's pages
 * name it as the next charge.
 */
export function firstAttemptDate(
  scheduled: string,
  periodDays: number,
  policy: Pick<BillingPolicy, "earlyDays" | "remindDays">,
): string {
  const windowFrom = windowOf(scheduled, policy.earlyDays).from;
  const afterReminder = addDays(scheduled, policy.remindDays - periodDays);
  const notBefore = afterReminder < scheduled ? afterReminder : scheduled;
  return notBefore > windowFrom ? notBefore : windowFrom;
}

/** The scheduled date after a paid one: one period on from the schedule, never from the day paid. */
export function nextDateAfterSuccess(scheduled: string, periodDays: number): string {
  return addDays(scheduled, periodDays);
}

/**
 * When a declined attempt may be tried again: the start of the next Asia/Shanghai day (at most one
 * attempt per agreement per day), however late in the day it was declined.
 */
export function nextRetryAt(declinedAt: Date): Date {
  return startOfShanghaiDate(addDays(shanghaiDate(declinedAt), 1));
}

/**
 * The date a period that could not be charged is moved to: the first scheduled date of a later
 * period that has not passed — one period on, or more when the shop fell behind (billing switched
 * off for weeks) — and how many periods that skips. Alipay's `executionplan.modify` only moves
 * plans later, which this always does.
 */
export function postponedDate(
  scheduled: string,
  periodDays: number,
  today: string,
): { date: string; periodsSkipped: number } {
  let periodsSkipped = 1;
  let date = addDays(scheduled, periodDays);
  while (date < today) {
    date = addDays(date, periodDays);
    periodsSkipped++;
  }
  return { date, periodsSkipped };
}

/**
 * The state of the period an agreement's next charge is for. `attempts` are that period's, in any
 * order. A succeeded attempt wins over everything; an attempt whose outcome is unknown blocks
 * every new attempt until reconciled (a replay could otherwise charge twice under two numbers).
 */
export function periodState(
  agreement: ScheduledAgreement,
  attempts: readonly PeriodAttempt[],
  now: Date,
  policy: BillingPolicy = DEFAULT_POLICY,
): PeriodState {
  if (agreement.status !== "active" || !agreement.autoRenew || !agreement.nextChargeDate) {
    return { kind: "inactive" };
  }
  if (attempts.some((a) => a.status === "succeeded")) return { kind: "paid" };
  const open = [...attempts]
    .filter((a) => a.status === "unknown" || a.status === "pending")
    .sort((a, b) => a.attemptNo - b.attemptNo)[0];
  if (open) {
    const stale = now.getTime() - open.createdAt.getTime() >= policy.stalePendingMs;
    if (open.status === "pending" && !stale) return { kind: "in_flight" };
    return { kind: "unknown", attemptNo: open.attemptNo };
  }

  const today = billingToday(now);
  const window = windowOf(agreement.nextChargeDate, policy.earlyDays);
  const first = firstAttemptDate(agreement.nextChargeDate, agreement.periodDays, policy);
  if (today < first) return { kind: "not_due", opensOn: first };
  if (today > window.to) return { kind: "postpone", reason: "date_passed" };
  const last = [...attempts].sort((a, b) => b.attemptNo - a.attemptNo)[0];
  if (!last) return { kind: "due" };
  // Every attempt here failed; only a retryable decline carries a retry time.
  if (last.nextRetryAt === null) return { kind: "postpone", reason: "not_retryable" };
  if (last.attemptNo >= policy.maxAttempts) return { kind: "postpone", reason: "exhausted" };
  if (now < last.nextRetryAt) {
    // The next day may already be past the window: then nothing is left to wait for.
    if (billingToday(last.nextRetryAt) > window.to) {
      return { kind: "postpone", reason: "exhausted" };
    }
    return { kind: "retry_wait", at: last.nextRetryAt };
  }
  return { kind: "retry_due", attemptNo: last.attemptNo + 1 };
}
