import { describe, expect, it } from "vitest";
import {
  firstAttemptDate,
  billingToday,
  DEFAULT_POLICY,
  nextDateAfterSuccess,
  nextRetryAt,
  periodState,
  postponedDate,
  windowOf,
  type PeriodAttempt,
  type ScheduledAgreement,
} from "./schedule";

/** An instant given as Asia/Shanghai wall time. */
const sh = (wall: string) => new Date(`${wall}+08:00`);

/** A monthly plan: its periods begin long before Alipay's window opens. */
const monthly = (next: string): ScheduledAgreement => ({
  status: "active",
  autoRenew: true,
  nextChargeDate: next,
  periodDays: 30,
});

const weekly = (next: string): ScheduledAgreement => ({ ...monthly(next), periodDays: 7 });

const failed = (attemptNo: number, at: Date, retryable = true): PeriodAttempt => ({
  attemptNo,
  status: "failed",
  createdAt: at,
  nextRetryAt: retryable ? nextRetryAt(at) : null,
});

describe("the Asia/Shanghai day", () => {
  it("turns at 16:00 UTC, not at UTC midnight", () => {
    expect(billingToday(new Date("2026-12-31T15:59:59Z"))).toBe("2026-12-31");
    expect(billingToday(new Date("2026-12-31T16:00:00Z"))).toBe("2027-01-01");
    expect(billingToday(sh("2027-01-01T00:00:00"))).toBe("2027-01-01");
  });

  it("a retry waits for the next Shanghai day, however late the decline", () => {
    expect(nextRetryAt(sh("2026-12-01T23:59:59"))).toEqual(sh("2026-12-02T00:00:00"));
    expect(nextRetryAt(sh("2026-12-01T00:00:00"))).toEqual(sh("2026-12-02T00:00:00"));
    // 01:00 UTC on the 1st is 09:00 in Shanghai: the next day is the 2nd there.
    expect(nextRetryAt(new Date("2026-12-01T01:00:00Z"))).toEqual(new Date("2026-12-01T16:00:00Z"));
  });
});

describe("windows and dates", () => {
  it("the early window runs W days before the date up to it, across month, year and leap days", () => {
    expect(windowOf("2026-12-08", 5)).toEqual({ from: "2026-12-03", to: "2026-12-08" });
    expect(windowOf("2027-01-02", 5)).toEqual({ from: "2026-12-28", to: "2027-01-02" });
    expect(windowOf("2028-03-01", 3)).toEqual({ from: "2028-02-27", to: "2028-03-01" });
    expect(windowOf("2027-03-01", 3)).toEqual({ from: "2027-02-26", to: "2027-03-01" });
  });

  it("the next date is the scheduled one plus the period, never the day it was charged", () => {
    expect(nextDateAfterSuccess("2026-12-29", 7)).toBe("2027-01-05");
    expect(nextDateAfterSuccess("2028-02-26", 7)).toBe("2028-03-04");
    expect(nextDateAfterSuccess("2028-02-28", 1)).toBe("2028-02-29");
    expect(nextDateAfterSuccess("2026-01-31", 30)).toBe("2026-03-02");
    // Four renewals of a weekly plan: exactly 28 days on.
    let date = "2026-12-01";
    for (let i = 0; i < 4; i++) date = nextDateAfterSuccess(date, 7);
    expect(date).toBe("2026-12-29");
  });

  it("a postponed period moves one period on, or past every date the shop let go by", () => {
    expect(postponedDate("2026-12-08", 7, "2026-12-08")).toEqual({
      date: "2026-12-15",
      periodsSkipped: 1,
    });
    expect(postponedDate("2026-12-08", 7, "2026-12-09")).toEqual({
      date: "2026-12-15",
      periodsSkipped: 1,
    });
    // Billing was off for three weeks: the first scheduled date not yet passed.
    expect(postponedDate("2026-12-08", 7, "2026-12-30")).toEqual({
      date: "2027-01-05",
      periodsSkipped: 4,
    });
    expect(postponedDate("2028-02-22", 7, "2028-02-29")).toEqual({
      date: "2028-02-29",
      periodsSkipped: 1,
    });
  });
});

describe("periodState", () => {
  const policy = { ...DEFAULT_POLICY, earlyDays: 5, maxAttempts: 3 };

  it("inactive, paid and not yet due", () => {
    expect(
      periodState({ ...monthly("2026-12-08"), status: "unsigned" }, [], sh("2026-12-08T10:00:00")),
    ).toEqual({ kind: "inactive" });
    expect(
      periodState({ ...monthly("2026-12-08"), autoRenew: false }, [], sh("2026-12-08T10:00:00")),
    ).toEqual({ kind: "inactive" });
    expect(
      periodState(
        monthly("2026-12-08"),
        [{ ...failed(1, sh("2026-12-03T09:00:00")), status: "succeeded" }],
        sh("2026-12-04T09:00:00"),
      ),
    ).toEqual({ kind: "paid" });
    expect(periodState(monthly("2026-12-08"), [], sh("2026-12-02T23:59:59"), policy)).toEqual({
      kind: "not_due",
      opensOn: "2026-12-03",
    });
  });

  it("due from the first minute of the window (Shanghai) to the last of the date", () => {
    expect(firstAttemptDate("2026-12-08", 30, policy)).toBe("2026-12-03");
    expect(firstAttemptDate("2027-03-02", 30, { ...policy, earlyDays: 3 })).toBe("2027-02-27");
    // 2026-12-02T16:00Z is 00:00 on the 3rd in Shanghai: the window has opened there.
    expect(
      periodState(monthly("2026-12-08"), [], new Date("2026-12-02T16:00:00Z"), policy),
    ).toEqual({ kind: "due" });
    expect(
      periodState(monthly("2026-12-08"), [], new Date("2026-12-02T15:59:59Z"), policy).kind,
    ).toBe("not_due");
    expect(periodState(monthly("2026-12-08"), [], sh("2026-12-08T23:59:59"), policy)).toEqual({
      kind: "due",
    });
    expect(periodState(monthly("2026-12-08"), [], sh("2026-12-09T00:00:00"), policy)).toEqual({
      kind: "postpone",
      reason: "date_passed",
    });
    // A 3-day window opens later.
    expect(
      periodState(monthly("2026-12-08"), [], sh("2026-12-04T12:00:00"), { ...policy, earlyDays: 3 })
        .kind,
    ).toBe("not_due");
  });

  it("a weekly period is first tried remindDays after it began, so its reminder can go out in time", () => {
    // Scheduled on the 8th, begun on the 1st: the window opens on the 3rd, but a reminder three
    // days ahead of the 3rd would have had to go out before the period began.
    expect(firstAttemptDate("2026-12-08", 7, policy)).toBe("2026-12-04");
    expect(firstAttemptDate("2026-12-08", 7, { ...policy, remindDays: 2 })).toBe("2026-12-03");
    expect(firstAttemptDate("2026-12-08", 7, { ...policy, remindDays: 1 })).toBe("2026-12-03");
    // Never after the scheduled date, however long the lead.
    expect(firstAttemptDate("2026-12-08", 7, { ...policy, remindDays: 14 })).toBe("2026-12-08");
    // Across a month and a year.
    expect(firstAttemptDate("2027-01-02", 7, policy)).toBe("2026-12-29");
    // A 3-day window opens on the 5th: later than the reminder's lead asks for.
    expect(firstAttemptDate("2026-12-08", 7, { ...policy, earlyDays: 3 })).toBe("2026-12-05");

    expect(periodState(weekly("2026-12-08"), [], sh("2026-12-03T12:00:00"), policy)).toEqual({
      kind: "not_due",
      opensOn: "2026-12-04",
    });
    expect(periodState(weekly("2026-12-08"), [], sh("2026-12-04T00:00:00"), policy)).toEqual({
      kind: "due",
    });
    // Retries still run to the window's last day.
    const declined = [failed(1, sh("2026-12-04T09:00:00")), failed(2, sh("2026-12-05T09:00:00"))];
    expect(periodState(weekly("2026-12-08"), declined, sh("2026-12-06T09:00:00"), policy)).toEqual({
      kind: "retry_due",
      attemptNo: 3,
    });
  });

  it("a call in flight blocks everyone; a stale or unknown one goes to reconcile before any new attempt", () => {
    const at = sh("2026-12-03T09:00:00");
    const pending: PeriodAttempt = {
      attemptNo: 1,
      status: "pending",
      createdAt: at,
      nextRetryAt: null,
    };
    expect(
      periodState(monthly("2026-12-08"), [pending], new Date(at.getTime() + 60_000), policy),
    ).toEqual({ kind: "in_flight" });
    expect(
      periodState(monthly("2026-12-08"), [pending], new Date(at.getTime() + 120_000), policy),
    ).toEqual({ kind: "unknown", attemptNo: 1 });
    const unknown: PeriodAttempt = { ...pending, status: "unknown" };
    // Even after the window: what is unknown is settled before anything else happens.
    expect(
      periodState(
        monthly("2026-12-08"),
        [failed(1, at), { ...unknown, attemptNo: 2 }],
        sh("2026-12-20T09:00:00"),
        policy,
      ),
    ).toEqual({ kind: "unknown", attemptNo: 2 });
  });

  it("declines retry once a day up to the limit, inside the window, then postpone", () => {
    const a = monthly("2026-12-08");
    const first = failed(1, sh("2026-12-03T09:00:00"));
    expect(periodState(a, [first], sh("2026-12-03T23:00:00"), policy)).toEqual({
      kind: "retry_wait",
      at: sh("2026-12-04T00:00:00"),
    });
    expect(periodState(a, [first], sh("2026-12-04T00:00:00"), policy)).toEqual({
      kind: "retry_due",
      attemptNo: 2,
    });
    const second = failed(2, sh("2026-12-04T09:00:00"));
    expect(periodState(a, [second, first], sh("2026-12-05T08:00:00"), policy)).toEqual({
      kind: "retry_due",
      attemptNo: 3,
    });
    const third = failed(3, sh("2026-12-05T09:00:00"));
    expect(periodState(a, [first, second, third], sh("2026-12-05T09:00:01"), policy)).toEqual({
      kind: "postpone",
      reason: "exhausted",
    });
  });

  it("a decline on the last day of the window leaves nothing to wait for", () => {
    const last = failed(1, sh("2026-12-08T20:00:00"));
    expect(periodState(monthly("2026-12-08"), [last], sh("2026-12-08T20:00:01"), policy)).toEqual({
      kind: "postpone",
      reason: "exhausted",
    });
  });

  it("a refusal that no retry can cure postpones at once", () => {
    const refused = failed(1, sh("2026-12-03T09:00:00"), false);
    expect(
      periodState(monthly("2026-12-08"), [refused], sh("2026-12-04T09:00:00"), policy),
    ).toEqual({
      kind: "postpone",
      reason: "not_retryable",
    });
  });
});
