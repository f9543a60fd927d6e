import type { Db } from "@/db/client";
import { insertAudit } from "@/db/queries/audit";
import { insertGrant, lockSettlementFacts } from "@/db/queries/entitlements";
import { flagOrderForReview, lockOrderWithProduct, markOrderPaid } from "@/db/queries/orders";
import { acceptRecordedTrade, insertPayment } from "@/db/queries/payments";
import type { OrderFacts } from "@/db/schema";
import { grantCredits } from "@/lib/credits/ledger";
import { newId } from "@/lib/ids";
import { noticeOrderPaid } from "@/lib/notices/triggers";
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
  /** The order after the settlement (without the QR code's image and URL: `OrderFacts`). */
  order: OrderFacts;
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
  options: {
    /**
     * Written in the same transaction, after the plan (e.g. the agreement brought up to its
     * paid periods): committed with the settlement or not at all. Must lock nothing that is
     * locked before an order elsewhere.
     */
    alsoInTransaction?: (tx: Db, outcome: SettleOutcome) => Promise<unknown>;
  } = {},
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
    const order = await applySettlement(tx, facts.order, trade, plan, options.alsoInTransaction);
    return { outcome: plan.outcome, order };
  });
  log.info(
    { orderId, tradeNo: trade.tradeNo, provider: trade.provider, outcome: result.outcome },
    "settlement",
  );
  return result;
}

/**
 * The owner accepts the payment of an order in review (admin): the same facts, decision and
 * writes as any settlement (`decideSettlement` with `acceptRecorded`), so the order is paid and
 * granted exactly once — a second acceptance finds the order paid and changes nothing. The audit
 * row names the owner; `note` goes into it.
 */
export async function acceptRecordedPayment(
  db: Db,
  orderId: string,
  trade: PaidTrade,
  now: Date,
  actor: { userId: string; note: string | null },
  /** As settlePayment's (an agreement brought up to its paid periods). */
  alsoInTransaction?: (tx: Db, outcome: SettleOutcome) => Promise<unknown>,
): Promise<SettleResult> {
  const result = await db.transaction(async (tx) => {
    const facts = await readFacts(tx, orderId, trade, now);
    const plan = decideSettlement({ ...facts.decision, acceptRecorded: true });
    const order = await applySettlement(
      tx,
      facts.order,
      trade,
      plan,
      plan.outcome === "settled" ? alsoInTransaction : undefined,
      actor,
    );
    return { outcome: plan.outcome, order };
  });
  log.info({ orderId, tradeNo: trade.tradeNo, outcome: result.outcome }, "review accepted");
  return result;
}

async function readFacts(
  tx: Db,
  orderId: string,
  trade: PaidTrade,
  now: Date,
): Promise<{ order: OrderFacts; decision: SettlementFacts }> {
  // The order's lock first, then what another settlement may just have written, read after the
  // lock is held: sent together in one round trip, the server runs each statement in turn with a
  // snapshot of its own (READ COMMITTED). lockSettlementFacts finds the order by its id, so it
  // needs no answer from the lock; it locks the buyer's row for a membership (two periods of one
  // buyer settling at once must not both start from the same end), after the order's lock, as
  // everywhere.
  const [locked, facts] = await Promise.all([
    lockOrderWithProduct(tx, orderId),
    lockSettlementFacts(tx, orderId, trade.provider, trade.tradeNo),
  ]);
  if (!locked) throw new Error(`settlePayment: no order ${orderId}`);
  const { order, product } = locked;
  const membershipEndsAt = product?.kind === "membership" ? facts.membershipEnd : null;
  return {
    order,
    decision: {
      order,
      tradeRecordedFor: facts.tradeRecordedFor,
      product,
      contentOwnedBy: product?.kind === "one_off" ? facts.contentOwnedBy : null,
      membershipEndsAt,
      now,
      trade,
    },
  };
}

/**
 * Carries out a settlement plan inside the caller's transaction; returns the order after it.
 * The writes are independent of each other (every row they point at exists already), so they
 * are sent together: one round trip instead of one per row, still one transaction.
 */
async function applySettlement(
  tx: Db,
  order: OrderFacts,
  trade: PaidTrade,
  plan: SettlementPlan,
  alsoInTransaction?: (tx: Db, outcome: SettleOutcome) => Promise<unknown>,
  /** The owner, when a person (not a provider) settles: named in the audit row. */
  actor?: { userId: string; note: string | null },
): Promise<OrderFacts> {
  const grant = plan.grant;
  const [, after] = await Promise.all([
    plan.payment === "accept"
      ? acceptRecordedTrade(tx, order.id, trade.provider, trade.tradeNo)
      : plan.payment &&
        insertPayment(tx, {
          id: newId("pay"),
          orderId: order.id,
          provider: trade.provider,
          providerTradeNo: trade.tradeNo,
          amountFen: trade.amountFen,
          status: plan.payment,
          buyerRef: trade.buyerRef ?? null,
          paidAt: trade.paidAt,
        }),
    plan.order?.to === "review"
      ? flagOrderForReview(tx, order.id, plan.order.reason)
      : plan.order?.to === "paid"
        ? markOrderPaid(tx, order.id, trade.paidAt)
        : order,
    grant &&
      insertGrant(tx, {
        id: newId("ent"),
        userId: order.userId,
        orderId: order.id,
        productId: order.productId,
        kind: grant.kind,
        ...(grant.kind === "membership"
          ? { credits: null, startsAt: grant.startsAt, expiresAt: grant.expiresAt }
          : { credits: grant.credits, startsAt: trade.paidAt }),
      }),
    // A credit pack's credits go to the ledger with the grant (one per order: the plan grants
    // once; `credit_entries_order_kind_uq` refuses a second).
    grant?.kind === "credits" &&
      grant.credits !== null &&
      grantCredits(tx, { userId: order.userId, orderId: order.id, credits: grant.credits }),
    plan.audit &&
      insertAudit(tx, {
        actorKind: actor ? "user" : "provider",
        actorUserId: actor?.userId ?? null,
        action: plan.audit.action,
        targetType: "order",
        targetId: order.id,
        details: {
          provider: trade.provider,
          tradeNo: trade.tradeNo,
          ...plan.audit.details,
          ...(actor ? { note: actor.note } : {}),
        },
      }),
    // The buyer's receipt and the owner's alert, committed with the payment (the outbox).
    plan.order?.to === "paid" && noticeOrderPaid(tx, order),
    alsoInTransaction?.(tx, plan.outcome),
  ]);
  return after ?? order;
}
