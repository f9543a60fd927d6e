import { describe, expect, it } from "vitest";
import { billingPolicy, nextChargeDayOf } from "./policy";
import { STALE_PENDING_MS } from "./schedule";

const env = {
  billing: { earlyDays: 5, maxAttempts: 3 },
  mail: { remindDays: 3 },
} as unknown as Parameters<typeof billingPolicy>[0];

const agreement = (over: Partial<Parameters<typeof nextChargeDayOf>[0]> = {}) => ({
  status: "active",
  autoRenew: true,
  nextChargeDate: "2026-12-08",
  periodDays: 7,
  ...over,
});

describe("the billing policy of the deployment", () => {
  it("takes the window and attempts from billing, the reminder's lead from mail", () => {
    expect(billingPolicy(env)).toEqual({
      earlyDays: 5,
      maxAttempts: 3,
      stalePendingMs: STALE_PENDING_MS,
      remindDays: 3,
    });
  });

  it("names the day money next leaves: the first attempt, not Alipay's date", () => {
    const policy = billingPolicy(env);
    // Weekly: begun on the 1st, tried three days on (the window opens on the 3rd).
    expect(nextChargeDayOf(agreement(), policy)).toBe("2026-12-04");
    // Monthly: the window's first day.
    expect(nextChargeDayOf(agreement({ periodDays: 30 }), policy)).toBe("2026-12-03");
    // A 3-day window opens later than the lead asks.
    expect(nextChargeDayOf(agreement(), { ...policy, earlyDays: 3 })).toBe("2026-12-05");
  });

  it("names none when nothing will be charged", () => {
    const policy = billingPolicy(env);
    expect(nextChargeDayOf(agreement({ autoRenew: false }), policy)).toBeNull();
    expect(nextChargeDayOf(agreement({ status: "closed" }), policy)).toBeNull();
    expect(nextChargeDayOf(agreement({ status: "unsigned" }), policy)).toBeNull();
    expect(nextChargeDayOf(agreement({ nextChargeDate: null }), policy)).toBeNull();
  });
});
