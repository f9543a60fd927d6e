import type { Db } from "@/db/client";
import { insertAudit } from "@/db/queries/audit";
import { findContentGrant, insertGrant, lockMembershipEnd } from "@/db/queries/entitlements";
import { flagOrderForReview, lockOrder, markOrderPaid } from "@/db/queries/orders";
import { insertPayment, lockPaymentByTrade } from "@/db/queries/payments";
import { findProductById } from "@/db/queries/products";
import type { Order } from "@/db/schema";
import { newId } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";
import {
  decideSettlement,
  type PaidTrade,
  type SettlementFacts,
  type SettlementPlan,
  type SettleOutcome,
} from "./settle-decision";

export type { PaidTrade, SettleOutcome } from "./settle-decision";

const log = moduleLogger("settle");

export interface SettleResult {
  outcome: SettleOutcome;
  order: Order;
}

/**
 * The one way an order becomes paid — used by the status poll, the webhook and the reconcile
 * job. In one transaction with the order row locked: read the facts, decide (`decideSettlement`,
 * pure), apply the plan. The provider trade's unique key (`payments_provider_trade_uq`) makes a
 * replay a no-op even across processes.
 */
export async function settlePayment(
  db: Db,
  orderId: string,
  trade: PaidTrade,
  /** The shop's now (memberships run from it); the trade's payment time when not given. */
  now: Date = trade.paidAt,
): Promise<SettleResult> {
  if (!Number.isSafeInteger(trade.amountFen) || trade.amountFen < 0) {
    throw new RangeError(`settlePayment: amount must be integer fen, got ${trade.amountFen}`);
  }
  const result = await db.transaction(async (tx) => {
    const facts = await readFacts(tx, orderId, trade, now);
    const plan = decideSettlement(facts.decision);
    if (facts.decision.tradeRecordedFor !== null && facts.decision.tradeRecordedFor !== orderId) {
      log.error(
        { orderId, tradeNo: trade.tradeNo, recordedFor: facts.decision.tradeRecordedFor },
        "trade already recorded for another order",
      );
    }
    return { outcome: plan.outcome, order: await applySettlement(tx, facts.order, trade, plan) };
  });
  log.info(
    { orderId, tradeNo: trade.tradeNo, provider: trade.provider, outcome: result.outcome },
    "settlement",
  );
  return result;
}

async function readFacts(
  tx: Db,
  orderId: string,
  trade: PaidTrade,
  now: Date,
): Promise<{ order: Order; decision: SettlementFacts }> {
  const order = await lockOrder(tx, orderId);
  if (!order) throw new Error(`settlePayment: no order ${orderId}`);
  const existing = await lockPaymentByTrade(tx, trade.provider, trade.tradeNo);
  const product = (await findProductById(tx, order.productId)) ?? null;
  const owned =
    product?.kind === "one_off"
      ? await findContentGrant(tx, order.userId, order.productId)
      : undefined;
  // Two periods of one buyer settling at once must not both start from the same end: the buyer
  // row is the lock that orders them (after the order lock, as everywhere).
  const membershipEndsAt =
    product?.kind === "membership" ? await lockMembershipEnd(tx, order.userId) : null;
  return {
    order,
    decision: {
      order,
      tradeRecordedFor: existing?.orderId ?? null,
      product,
      contentOwnedBy: owned?.orderId ?? null,
      membershipEndsAt,
      now,
      trade,
    },
  };
}

/** Carries out a settlement plan inside the caller's transaction; returns the order after it. */
async function applySettlement(
  tx: Db,
  order: Order,
  trade: PaidTrade,
  plan: SettlementPlan,
): Promise<Order> {
  if (plan.payment) {
    await insertPayment(tx, {
      id: newId("pay"),
      orderId: order.id,
      provider: trade.provider,
      providerTradeNo: trade.tradeNo,
      amountFen: trade.amountFen,
      status: plan.payment,
      buyerRef: trade.buyerRef ?? null,
      paidAt: trade.paidAt,
    });
  }
  let after: Order | undefined = order;
  if (plan.order?.to === "review")
    after = await flagOrderForReview(tx, order.id, plan.order.reason);
  if (plan.order?.to === "paid") after = await markOrderPaid(tx, order.id, trade.paidAt);
  if (plan.grant) {
    const grant = plan.grant;
    await insertGrant(tx, {
      id: newId("ent"),
      userId: order.userId,
      orderId: order.id,
      productId: order.productId,
      kind: grant.kind,
      ...(grant.kind === "membership"
        ? { credits: null, startsAt: grant.startsAt, expiresAt: grant.expiresAt }
        : { credits: grant.credits, startsAt: trade.paidAt }),
    });
  }
  if (plan.audit) {
    await insertAudit(tx, {
      actorKind: "provider",
      action: plan.audit.action,
      targetType: "order",
      targetId: order.id,
      details: { provider: trade.provider, tradeNo: trade.tradeNo, ...plan.audit.details },
    });
  }
  return after ?? order;
}
