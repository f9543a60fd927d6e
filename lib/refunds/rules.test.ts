import { describe, expect, it } from "vitest";
import {
  checkRefundAmount,
  creditsToTakeBack,
  grantChange,
  parseYuanAmount,
  refundableFen,
} from "./rules";

const DAY = 86_400;
const start = new Date("2026-12-01T00:00:00Z");
const days = (n: number) => new Date(start.getTime() + n * DAY * 1000);
const membership = (length = 7, revokedAt: Date | null = null) => ({
  kind: "membership" as const,
  startsAt: start,
  expiresAt: days(length),
  revokedAt,
});

describe("parseYuanAmount", () => {
  it.each([
    ["9.90", 990],
    ["9.9", 990],
    ["10", 1000],
    [" 0.01 ", 1],
    ["0", 0],
  ])("%s → %d fen", (text, fen) => expect(parseYuanAmount(text)).toBe(fen));

  it.each(["", "-1", "1.234", "1e3", "¥9.90", "9,90", "abc", "1234567890"])(
    "%j is not an amount",
    (text) => expect(parseYuanAmount(text)).toBeNull(),
  );
});

describe("checkRefundAmount", () => {
  const paid = { amountFen: 990, refundedFen: 300 };
  it("more than 0 and at most what is left", () => {
    expect(refundableFen(paid)).toBe(690);
    expect(checkRefundAmount(690, paid)).toBeNull();
    expect(checkRefundAmount(1, paid)).toBeNull();
    expect(checkRefundAmount(691, paid)).toBe("refund.amount_exceeds");
    expect(checkRefundAmount(0, paid)).toBe("refund.amount_invalid");
    expect(checkRefundAmount(-5, paid)).toBe("refund.amount_invalid");
    expect(checkRefundAmount(1.5, paid)).toBe("refund.amount_invalid");
    expect(checkRefundAmount(1, { amountFen: 990, refundedFen: 990 })).toBe(
      "refund.amount_exceeds",
    );
  });
});

describe("grantChange", () => {
  const base = { paidFen: 990, refundedBeforeFen: 0, cutBeforeSeconds: 0 };

  it("content and credits: revoked on a full refund, kept on a partial one", () => {
    const content = { kind: "content" as const, startsAt: start, expiresAt: null, revokedAt: null };
    expect(grantChange({ ...base, grant: content, amountFen: 990 })).toEqual({
      kind: "revoke",
      moveLaterBySeconds: 0,
      cutSeconds: null,
    });
    expect(grantChange({ ...base, grant: content, amountFen: 500 })).toEqual({ kind: "none" });
    // The rest of an earlier partial refund completes it: revoked.
    expect(
      grantChange({ ...base, grant: content, refundedBeforeFen: 500, amountFen: 490 }),
    ).toMatchObject({ kind: "revoke" });
    const credits = { ...content, kind: "credits" as const };
    expect(grantChange({ ...base, grant: credits, amountFen: 990 })).toMatchObject({
      kind: "revoke",
    });
  });

  it("a membership: the refunded share of the period comes off its end", () => {
    expect(grantChange({ ...base, grant: membership(), amountFen: 990 })).toEqual({
      kind: "revoke",
      moveLaterBySeconds: 7 * DAY,
      cutSeconds: 7 * DAY,
    });
    expect(grantChange({ ...base, grant: membership(), amountFen: 495 })).toEqual({
      kind: "shorten",
      cutSeconds: 3.5 * DAY,
    });
    // A third: rounded to the second.
    expect(grantChange({ ...base, grant: membership(30), paidFen: 3000, amountFen: 1000 })).toEqual(
      {
        kind: "shorten",
        cutSeconds: 10 * DAY,
      },
    );
  });

  it("earlier partial refunds count: two halves take exactly one period, never more", () => {
    // After the first half the grant runs 3.5 days; 3.5 days were cut before.
    const afterHalf = membership(3.5);
    expect(
      grantChange({
        ...base,
        grant: afterHalf,
        refundedBeforeFen: 495,
        cutBeforeSeconds: 3.5 * DAY,
        amountFen: 495,
      }),
    ).toEqual({ kind: "revoke", moveLaterBySeconds: 3.5 * DAY, cutSeconds: 3.5 * DAY });
    // Three thirds of 10 days of ¥10: 3.33…, 3.33…, the rest.
    const first = grantChange({ ...base, grant: membership(10), paidFen: 1000, amountFen: 333 });
    expect(first).toEqual({ kind: "shorten", cutSeconds: Math.round(10 * DAY * 0.333) });
  });

  it("nothing to change: no grant, a revoked one, a trade of nothing", () => {
    expect(grantChange({ ...base, grant: null, amountFen: 990 })).toEqual({ kind: "none" });
    expect(grantChange({ ...base, grant: membership(7, days(1)), amountFen: 990 })).toEqual({
      kind: "none",
    });
    expect(grantChange({ ...base, paidFen: 0, grant: membership(), amountFen: 1 })).toEqual({
      kind: "none",
    });
  });
});

describe("creditsToTakeBack", () => {
  it.each([
    [10, 10, 10], // nothing used: the whole pack
    [10, 7, 7], // 3 of 10 used: the 7 left
    [10, 0, 0], // all used: nothing (no entry)
    [10, 17, 10], // two packs, 3 used: the refunded pack's 10, the other pack's 7 stay
    [10, -1, 0], // never below zero, whatever it is given
  ])("pack of %d, balance %d → %d", (pack, balance, taken) =>
    expect(creditsToTakeBack(pack, balance)).toBe(taken),
  );
});
