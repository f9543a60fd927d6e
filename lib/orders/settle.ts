import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, entitlements, orders, payments, products, type Order } from "@/db/schema";
import { newId } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";
import { formatFen } from "@/lib/money";

const log = moduleLogger("settle");

export interface PaidTrade {
  provider: "youzan" | "alipay";
  /** The provider's trade number (Youzan `tid`). */
  tradeNo: string;
  /** What the provider says was received, in fen. */
  amountFen: number;
  paidAt: Date;
  buyerRef?: string | null;
}

export type SettleOutcome =
  | "settled" // the order is now paid and granted
  | "already_settled" // this trade settled this order before: nothing changed
  | "amount_mismatch" // recorded, order left unpaid and flagged for review
  | "duplicate_payment" // the order was already paid by another trade: recorded for a refund
  | "order_not_payable"; // e.g. refunded: recorded for review, nothing granted

export interface SettleResult {
  outcome: SettleOutcome;
  order: Order;
}

/**
 * The one way an order becomes paid — used by the status poll, the webhook and the reconcile
 * job. In one transaction with the order row locked: record the provider trade once (its unique
 * key makes replays no-ops), check the amount, mark the order paid once and grant once.
 * A payment that arrives after our time-to-live closed the order is still honoured: the buyer's
 * money was received.
 */
export async function settlePayment(
  db: Db,
  orderId: string,
  trade: PaidTrade,
): Promise<SettleResult> {
  if (!Number.isSafeInteger(trade.amountFen) || trade.amountFen < 0) {
    throw new RangeError(`settlePayment: amount must be integer fen, got ${trade.amountFen}`);
  }
  const result = await db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update");
    if (!order) throw new Error(`settlePayment: no order ${orderId}`);

    const [existing] = await tx
      .select()
      .from(payments)
      .where(
        and(eq(payments.provider, trade.provider), eq(payments.providerTradeNo, trade.tradeNo)),
      )
      .for("update");
    if (existing) {
      if (existing.orderId !== order.id) {
        log.error(
          { orderId, tradeNo: trade.tradeNo, recordedFor: existing.orderId },
          "trade already recorded for another order",
        );
      }
      return { outcome: "already_settled" as const, order };
    }

    const recordPayment = (status: "paid" | "mismatch") =>
      tx.insert(payments).values({
        id: newId("pay"),
        orderId: order.id,
        provider: trade.provider,
        providerTradeNo: trade.tradeNo,
        amountFen: trade.amountFen,
        status,
        buyerRef: trade.buyerRef ?? null,
        paidAt: trade.paidAt,
      });
    const audit = (action: string, details: Record<string, unknown>) =>
      tx.insert(auditLog).values({
        actorKind: "provider",
        action,
        targetType: "order",
        targetId: order.id,
        details: { provider: trade.provider, tradeNo: trade.tradeNo, ...details },
      });

    if (order.status === "paid") {
      await recordPayment("mismatch");
      await audit("order.duplicate_payment", { amountFen: trade.amountFen });
      return { outcome: "duplicate_payment" as const, order };
    }
    if (order.status === "refunded" || order.status === "review") {
      await recordPayment("mismatch");
      await audit("order.payment_needs_review", {
        amountFen: trade.amountFen,
        status: order.status,
      });
      return { outcome: "order_not_payable" as const, order };
    }
    if (trade.amountFen !== order.amountFen) {
      await recordPayment("mismatch");
      const reason = `amount_mismatch: received ${formatFen(trade.amountFen)}, expected ${formatFen(order.amountFen)}`;
      const [flagged] = await tx
        .update(orders)
        .set({ status: "review", reviewReason: reason, updatedAt: new Date() })
        .where(eq(orders.id, order.id))
        .returning();
      await audit("order.amount_mismatch", {
        amountFen: trade.amountFen,
        expectedFen: order.amountFen,
      });
      return { outcome: "amount_mismatch" as const, order: flagged ?? order };
    }

    const [product] = await tx.select().from(products).where(eq(products.id, order.productId));
    if (product?.kind === "one_off") {
      // Defence in depth behind the one-open-order rule: content is granted once per buyer.
      const [owned] = await tx
        .select({ orderId: entitlements.orderId })
        .from(entitlements)
        .where(
          and(
            eq(entitlements.userId, order.userId),
            eq(entitlements.productId, order.productId),
            eq(entitlements.kind, "content"),
            isNull(entitlements.revokedAt),
          ),
        )
        .limit(1);
      if (owned) {
        await recordPayment("mismatch");
        const reason = `already_owned: content granted by order ${owned.orderId}; refund this payment`;
        const [flagged] = await tx
          .update(orders)
          .set({ status: "review", reviewReason: reason, updatedAt: new Date() })
          .where(eq(orders.id, order.id))
          .returning();
        await audit("order.duplicate_purchase", {
          amountFen: trade.amountFen,
          ownedBy: owned.orderId,
        });
        return { outcome: "duplicate_payment" as const, order: flagged ?? order };
      }
    }

    await recordPayment("paid");
    const [paid] = await tx
      .update(orders)
      .set({ status: "paid", paidAt: trade.paidAt, updatedAt: new Date() })
      .where(eq(orders.id, order.id))
      .returning();
    await tx
      .insert(entitlements)
      .values({
        id: newId("ent"),
        userId: order.userId,
        orderId: order.id,
        productId: order.productId,
        kind: product?.kind === "credit_pack" ? "credits" : "content",
        credits: product?.kind === "credit_pack" ? product.credits : null,
        startsAt: trade.paidAt,
      })
      .onConflictDoNothing({ target: entitlements.orderId });
    await audit("order.paid", { amountFen: trade.amountFen, previousStatus: order.status });
    return { outcome: "settled" as const, order: paid ?? order };
  });
  log.info(
    { orderId, tradeNo: trade.tradeNo, provider: trade.provider, outcome: result.outcome },
    "settlement",
  );
  return result;
}
