import { describe, expect, it } from "vitest";
import { decideSettlement, type SettlementFacts } from "./settle-decision";

const trade = { provider: "youzan" as const, tradeNo: "E1", amountFen: 990, paidAt: new Date(0) };

function facts(over: Partial<SettlementFacts> = {}): SettlementFacts {
  return {
    order: { id: "ord_1", status: "pending", amountFen: 990 },
    tradeRecordedFor: null,
    product: { kind: "one_off", credits: null, periodDays: null },
    contentOwnedBy: null,
    trade,
    ...over,
  };
}

const pending = { id: "ord_1", status: "pending" as const, amountFen: 990 };

describe("decideSettlement", () => {
  it.each([
    // [case, facts, outcome, payment record, order change, grant, audit action]
    [
      "a new trade of the right amount",
      facts(),
      "settled",
      "paid",
      "paid",
      "content",
      "order.paid",
    ],
    [
      "a late payment of an expired order (the money was received)",
      facts({ order: { ...pending, status: "expired" } }),
      "settled",
      "paid",
      "paid",
      "content",
      "order.paid",
    ],
    [
      "a credit pack",
      facts({ product: { kind: "credit_pack", credits: 100, periodDays: null } }),
      "settled",
      "paid",
      "paid",
      "credits",
      "order.paid",
    ],
    [
      "a replayed trade (recorded for this order)",
      facts({ tradeRecordedFor: "ord_1" }),
      "already_settled",
      null,
      null,
      null,
      null,
    ],
    [
      "a trade recorded for another order",
      facts({ tradeRecordedFor: "ord_2" }),
      "already_settled",
      null,
      null,
      null,
      null,
    ],
    [
      "a second trade for a paid order",
      facts({ order: { ...pending, status: "paid" } }),
      "duplicate_payment",
      "mismatch",
      null,
      null,
      "order.duplicate_payment",
    ],
    [
      "a trade for a refunded order",
      facts({ order: { ...pending, status: "refunded" } }),
      "order_not_payable",
      "mismatch",
      null,
      null,
      "order.payment_needs_review",
    ],
    [
      "a trade for an order in review",
      facts({ order: { ...pending, status: "review" } }),
      "order_not_payable",
      "mismatch",
      null,
      null,
      "order.payment_needs_review",
    ],
    [
      "a wrong amount",
      facts({ trade: { ...trade, amountFen: 1 } }),
      "amount_mismatch",
      "mismatch",
      "review",
      null,
      "order.amount_mismatch",
    ],
    [
      "content the buyer already owns",
      facts({ contentOwnedBy: "ord_0" }),
      "duplicate_payment",
      "mismatch",
      "review",
      null,
      "order.duplicate_purchase",
    ],
    [
      "a credit pack bought again (ownership does not apply)",
      facts({
        product: { kind: "credit_pack", credits: 5, periodDays: null },
        contentOwnedBy: "ord_0",
      }),
      "settled",
      "paid",
      "paid",
      "credits",
      "order.paid",
    ],
  ] as const)("%s", (_, input, outcome, payment, order, grant, audit) => {
    const plan = decideSettlement(input);
    expect(plan.outcome).toBe(outcome);
    expect(plan.payment).toBe(payment);
    expect(plan.order?.to ?? null).toBe(order);
    expect(plan.grant?.kind ?? null).toBe(grant);
    expect(plan.audit?.action ?? null).toBe(audit);
  });

  it("a replay wins over every other rule: nothing is written twice", () => {
    const plan = decideSettlement(
      facts({ tradeRecordedFor: "ord_1", order: { ...pending, status: "paid" } }),
    );
    expect(plan).toEqual({
      outcome: "already_settled",
      payment: null,
      order: null,
      grant: null,
      audit: null,
    });
  });

  it("the review reason names both amounts in yuan", () => {
    const plan = decideSettlement(facts({ trade: { ...trade, amountFen: 1 } }));
    expect(plan.order).toEqual({
      to: "review",
      reason: "amount_mismatch: received ¥0.01, expected ¥9.90",
    });
  });

  it("a credit pack grants its credits; content grants none", () => {
    expect(
      decideSettlement(facts({ product: { kind: "credit_pack", credits: 100, periodDays: null } }))
        .grant,
    ).toEqual({ kind: "credits", credits: 100 });
    expect(decideSettlement(facts()).grant).toEqual({ kind: "content", credits: null });
  });

  it("the refused duplicate purchase names the order that owns the content", () => {
    const plan = decideSettlement(facts({ contentOwnedBy: "ord_0" }));
    expect(plan.order).toMatchObject({ to: "review", reason: expect.stringContaining("ord_0") });
    expect(plan.audit?.details).toMatchObject({ ownedBy: "ord_0", amountFen: 990 });
  });

  describe("a membership period", () => {
    const DAY = 86_400_000;
    const now = new Date("2026-11-30T04:00:00Z");
    const weekly = { kind: "membership" as const, credits: null, periodDays: 7 };

    it.each([
      ["a first membership runs from now", null, now],
      ["a lapsed one restarts from now (no back-dating)", new Date(now.getTime() - 3 * DAY), now],
      [
        "a running one is extended from its end (paying early loses nothing)",
        new Date(now.getTime() + 2 * DAY),
        new Date(now.getTime() + 2 * DAY),
      ],
    ])("%s", (_label, endsAt, startsAt) => {
      const plan = decideSettlement(
        facts({
          product: weekly,
          membershipEndsAt: endsAt,
          now,
          trade: { ...trade, paidAt: new Date(0) },
        }),
      );
      expect(plan.outcome).toBe("settled");
      expect(plan.grant).toEqual({
        kind: "membership",
        startsAt,
        expiresAt: new Date(startsAt.getTime() + 7 * DAY),
      });
    });

    it("without a now, runs from the payment time", () => {
      const paidAt = new Date("2026-11-29T00:00:00Z");
      const plan = decideSettlement(facts({ product: weekly, trade: { ...trade, paidAt } }));
      expect(plan.grant).toEqual({
        kind: "membership",
        startsAt: paidAt,
        expiresAt: new Date(paidAt.getTime() + 7 * DAY),
      });
    });

    it("a replayed period grants nothing more", () => {
      const plan = decideSettlement(facts({ product: weekly, tradeRecordedFor: "ord_1", now }));
      expect(plan.grant).toBeNull();
    });
  });
});
