import { describe, expect, it } from "vitest";
import { decideSettlement, type SettlementFacts } from "./settle-decision";

/*
 * The owner's "accept the payment" of an order in review (`acceptRecorded`): the same decision
 * as any settlement, with the amount rule waived and every other rule kept.
 */

const trade = { provider: "youzan" as const, tradeNo: "E1", amountFen: 900, paidAt: new Date(0) };
const review = { id: "ord_1", status: "review" as const, amountFen: 990 };

function facts(over: Partial<SettlementFacts> = {}): SettlementFacts {
  return {
    order: review,
    tradeRecordedFor: "ord_1",
    product: { kind: "one_off", credits: null, periodDays: null },
    contentOwnedBy: null,
    trade,
    acceptRecorded: true,
    ...over,
  };
}

describe("decideSettlement with acceptRecorded", () => {
  it("a trade recorded for the order in review: the trade becomes its payment, paid, granted once", () => {
    expect(decideSettlement(facts())).toEqual({
      outcome: "settled",
      payment: "accept",
      order: { to: "paid" },
      grant: { kind: "content", credits: null },
      audit: {
        action: "order.review_accepted",
        details: {
          amountFen: 900,
          expectedFen: 990,
          before: { status: "review" },
          after: { status: "paid" },
        },
      },
    });
  });

  it.each([
    [
      "the order is not in review (accepted already: a double click)",
      facts({ order: { ...review, status: "paid" } }),
      "order_not_payable",
    ],
    [
      "the order is refunded",
      facts({ order: { ...review, status: "refunded" } }),
      "order_not_payable",
    ],
    [
      "the trade was recorded for another order",
      facts({ tradeRecordedFor: "ord_2" }),
      "order_not_payable",
    ],
    ["the trade was never recorded", facts({ tradeRecordedFor: null }), "order_not_payable"],
    [
      "the buyer owns the content through another order",
      facts({ contentOwnedBy: "ord_9" }),
      "duplicate_payment",
    ],
  ] as const)("%s: nothing changes", (_case, input, outcome) => {
    expect(decideSettlement(input)).toEqual({
      outcome,
      payment: null,
      order: null,
      grant: null,
      audit: null,
    });
  });

  it("credits and memberships are granted as a settlement grants them", () => {
    expect(
      decideSettlement(facts({ product: { kind: "credit_pack", credits: 10, periodDays: null } }))
        .grant,
    ).toEqual({ kind: "credits", credits: 10 });
    const now = new Date("2026-12-01T00:00:00Z");
    const end = new Date("2026-12-05T00:00:00Z");
    expect(
      decideSettlement(
        facts({
          product: { kind: "membership", credits: null, periodDays: 7 },
          membershipEndsAt: end,
          now,
        }),
      ).grant,
    ).toEqual({
      kind: "membership",
      startsAt: end,
      expiresAt: new Date("2026-12-12T00:00:00Z"),
    });
  });

  it("without acceptRecorded a trade for an order in review is still never paid", () => {
    expect(decideSettlement(facts({ acceptRecorded: false, tradeRecordedFor: null })).outcome).toBe(
      "order_not_payable",
    );
  });
});
