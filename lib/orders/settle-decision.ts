import type { Order, Product } from "@/db/schema";
import { formatFen } from "@/lib/money";

export interface PaidTrade {
  provider: "youzan" | "alipay";
  /** The provider's trade number (Youzan `tid`, Alipay `trade_no`). */
  tradeNo: string;
  /** What the provider says was received, in fen. */
  amountFen: number;
  paidAt: Date;
  buyerRef?: string | null;
}

export type SettleOutcome =
  | "settled" // the order is now paid and granted
  | "already_settled" // this trade was recorded before: nothing changed
  | "amount_mismatch" // recorded, order left unpaid and flagged for review
  | "duplicate_payment" // the order (or the content) was already paid for: recorded for a refund
  | "order_not_payable"; // e.g. refunded or in review: recorded for review, nothing granted

/** What settlement knows when it decides, read inside the transaction with the order locked. */
export interface SettlementFacts {
  order: Pick<Order, "id" | "status" | "amountFen">;
  /** The order this provider trade was recorded for before, if it was. */
  tradeRecordedFor: string | null;
  product: Pick<Product, "kind" | "credits" | "periodDays"> | null;
  /**
   * Memberships: when the buyer's membership currently ends (the latest live grant, read with
   * the buyer locked), and the shop's now; a paid period runs from the later of the two.
   */
  membershipEndsAt?: Date | null;
  now?: Date;
  /** For one-off content: the paid order whose live grant already gives the buyer this content. */
  contentOwnedBy: string | null;
  trade: PaidTrade;
  /**
   * The owner accepts this trade, recorded before for the order in review (the admin's "accept
   * the payment"): the amount rule is the owner's to waive, every other rule still holds.
   */
  acceptRecorded?: boolean;
}

export interface AuditEntry {
  action: string;
  details: Record<string, unknown>;
}

/** Every write settlement makes, decided up front; `applySettlement` carries it out. */
export interface SettlementPlan {
  outcome: SettleOutcome;
  /**
   * How the provider trade is recorded (`payments`), or null for no record at all; `accept`: the
   * trade recorded for review becomes the order's paying trade.
   */
  payment: "paid" | "mismatch" | "accept" | null;
  order: { to: "paid" } | { to: "review"; reason: string } | null;
  grant:
    | { kind: "content" | "credits"; credits: number | null }
    | { kind: "membership"; startsAt: Date; expiresAt: Date }
    | null;
  audit: AuditEntry | null;
}

const mismatch = (
  outcome: SettleOutcome,
  audit: AuditEntry,
  review: string | null = null,
): SettlementPlan => ({
  outcome,
  payment: "mismatch",
  order: review === null ? null : { to: "review", reason: review },
  grant: null,
  audit,
});

/**
 * The settlement rules, as a pure function. In order: a trade is recorded once (a replay changes
 * nothing); a paid order is never paid again (a second trade is kept for a refund); an order in
 * review or refunded is never paid by a trade; the amount must match to the fen; content is
 * granted once per buyer; otherwise the order becomes paid and one grant is made. An expired
 * order is still paid: the buyer's money was received.
 */
export function decideSettlement(facts: SettlementFacts): SettlementPlan {
  if (facts.acceptRecorded) return decideAcceptance(facts);
  const { order, trade, product } = facts;
  const amountFen = trade.amountFen;
  if (facts.tradeRecordedFor !== null) {
    return { outcome: "already_settled", payment: null, order: null, grant: null, audit: null };
  }
  if (order.status === "paid") {
    return mismatch("duplicate_payment", {
      action: "order.duplicate_payment",
      details: { amountFen },
    });
  }
  if (order.status === "refunded" || order.status === "review") {
    return mismatch("order_not_payable", {
      action: "order.payment_needs_review",
      details: { amountFen, status: order.status },
    });
  }
  if (amountFen !== order.amountFen) {
    return mismatch(
      "amount_mismatch",
      { action: "order.amount_mismatch", details: { amountFen, expectedFen: order.amountFen } },
      `amount_mismatch: received ${formatFen(amountFen)}, expected ${formatFen(order.amountFen)}`,
    );
  }
  if (product?.kind === "one_off" && facts.contentOwnedBy !== null) {
    // Defence in depth behind the one-open-order rule: content is granted once per buyer.
    return mismatch(
      "duplicate_payment",
      { action: "order.duplicate_purchase", details: { amountFen, ownedBy: facts.contentOwnedBy } },
      `already_owned: content granted by order ${facts.contentOwnedBy}; refund this payment`,
    );
  }
  const credits = product?.kind === "credit_pack";
  return {
    outcome: "settled",
    payment: "paid",
    order: { to: "paid" },
    grant:
      product?.kind === "membership" && product.periodDays
        ? membershipGrant(product.periodDays, facts)
        : { kind: credits ? "credits" : "content", credits: credits ? product.credits : null },
    audit: { action: "order.paid", details: { amountFen, previousStatus: order.status } },
  };
}

const nothing = (outcome: SettleOutcome): SettlementPlan => ({
  outcome,
  payment: null,
  order: null,
  grant: null,
  audit: null,
});

/**
 * The owner accepts the payment of an order in review: only a trade recorded for this very
 * order, only while it is in review, and content is still granted once per buyer (an owner who
 * accepts a second payment of owned content must refund it instead). The order becomes paid
 * and one grant is made, as any settlement would.
 */
function decideAcceptance(facts: SettlementFacts): SettlementPlan {
  const { order, trade, product } = facts;
  if (order.status !== "review" || facts.tradeRecordedFor !== order.id) {
    return nothing("order_not_payable");
  }
  if (product?.kind === "one_off" && facts.contentOwnedBy !== null) {
    return nothing("duplicate_payment");
  }
  const credits = product?.kind === "credit_pack";
  return {
    outcome: "settled",
    payment: "accept",
    order: { to: "paid" },
    grant:
      product?.kind === "membership" && product.periodDays
        ? membershipGrant(product.periodDays, facts)
        : { kind: credits ? "credits" : "content", credits: credits ? product.credits : null },
    audit: {
      action: "order.review_accepted",
      details: {
        amountFen: trade.amountFen,
        expectedFen: order.amountFen,
        before: { status: order.status },
        after: { status: "paid" },
      },
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * A paid period extends the membership from the later of now and its current end: paying early
 * loses nothing, paying after a lapse does not back-date the new period.
 */
function membershipGrant(
  periodDays: number,
  facts: SettlementFacts,
): { kind: "membership"; startsAt: Date; expiresAt: Date } {
  const now = facts.now ?? facts.trade.paidAt;
  const end = facts.membershipEndsAt ?? null;
  const startsAt = end !== null && end.getTime() > now.getTime() ? end : now;
  return {
    kind: "membership",
    startsAt,
    expiresAt: new Date(startsAt.getTime() + periodDays * DAY_MS),
  };
}
