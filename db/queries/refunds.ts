import "server-only";
import { and, asc, count, desc, eq, gte, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../client";
import { isUniqueViolation } from "../errors";
import {
  chargeAttempts,
  entitlements,
  orders,
  payments,
  products,
  refunds,
  type Entitlement,
  type Order,
  type Refund,
} from "../schema";
import type { Payment } from "./payments";

/*
 * Refunds: one row per request, committed before the provider is asked (its out_request_no is
 * the key every retry reuses); the effects (payment, order, grant) are written when it
 * succeeds, in one transaction with the order row locked, and only by the caller that moves the
 * row out of `pending` (a conditional update), so a refund is never applied twice.
 */

export interface OrderForRefund {
  order: Order;
  productKind: string;
  payments: Payment[];
  grant: Entitlement | null;
  pending: Refund | null;
  refundCount: number;
}

/** The order row locked (the refund's serialisation point) and what a refund changes. */
export async function lockOrderForRefund(
  tx: Db,
  orderNo: string,
): Promise<OrderForRefund | undefined> {
  const [locked] = await tx
    .select({ order: orders, productKind: products.kind })
    .from(orders)
    .innerJoin(products, eq(products.id, orders.productId))
    .where(eq(orders.orderNo, orderNo))
    .for("update", { of: orders });
  if (!locked) return undefined;
  const orderId = locked.order.id;
  const [paymentRows, grants, pending, counted] = await Promise.all([
    tx
      .select()
      .from(payments)
      .where(eq(payments.orderId, orderId))
      .orderBy(asc(payments.createdAt))
      .for("update"),
    tx.select().from(entitlements).where(eq(entitlements.orderId, orderId)),
    tx
      .select()
      .from(refunds)
      .where(and(eq(refunds.orderId, orderId), eq(refunds.status, "pending"))),
    tx.select({ n: count() }).from(refunds).where(eq(refunds.orderId, orderId)),
  ]);
  return {
    ...locked,
    payments: paymentRows,
    grant: grants[0] ?? null,
    pending: pending[0] ?? null,
    refundCount: counted[0]?.n ?? 0,
  };
}

export async function findRefund(db: Db, id: string): Promise<Refund | undefined> {
  const [row] = await db.select().from(refunds).where(eq(refunds.id, id));
  return row;
}

export type NewRefund = Pick<
  typeof refunds.$inferInsert,
  | "id"
  | "orderId"
  | "paymentId"
  | "provider"
  | "method"
  | "outRequestNo"
  | "amountFen"
  | "status"
  | "note"
  | "requestedBy"
  | "completedAt"
>;

/**
 * Inserts a refund; null when the order has a pending one already (`refunds_order_pending_uq`):
 * the caller reuses that one.
 */
export async function insertRefund(tx: Db, values: NewRefund): Promise<Refund | null> {
  try {
    const [row] = await tx.insert(refunds).values(values).returning();
    return row ?? null;
  } catch (error) {
    if (isUniqueViolation(error, "refunds_order_pending_uq")) return null;
    throw error;
  }
}

/** A failed refund tried again (same out_request_no): back to pending, if nothing else is. */
export async function reopenFailedRefund(tx: Db, id: string): Promise<Refund | null> {
  try {
    const [row] = await tx
      .update(refunds)
      .set({ status: "pending" })
      .where(and(eq(refunds.id, id), eq(refunds.status, "failed")))
      .returning();
    return row ?? null;
  } catch (error) {
    if (isUniqueViolation(error, "refunds_order_pending_uq")) return null;
    throw error;
  }
}

/**
 * pending → succeeded, once: the caller that gets the row back applies the effects; a second
 * caller (a concurrent retry of the same refund) gets null and changes nothing.
 */
export async function completeRefund(
  tx: Db,
  id: string,
  values: { completedAt: Date; membershipCutSeconds: number | null },
): Promise<Refund | null> {
  const [row] = await tx
    .update(refunds)
    .set({
      status: "succeeded",
      completedAt: values.completedAt,
      membershipCutSeconds: values.membershipCutSeconds,
      failureCode: null,
      failureMessage: null,
      attempts: sql`${refunds.attempts} + 1`,
    })
    .where(and(eq(refunds.id, id), eq(refunds.status, "pending")))
    .returning();
  return row ?? null;
}

/**
 * Records a provider answer that did not refund: `failed` (refused; may be tried again by hand)
 * or still `pending` (unknown outcome: retried with the same number). Only a pending row.
 */
export async function recordRefundAttempt(
  tx: Db,
  id: string,
  values: { status: "pending" | "failed"; code: string; message: string },
): Promise<Refund | null> {
  const [row] = await tx
    .update(refunds)
    .set({
      status: values.status,
      failureCode: values.code.slice(0, 200),
      failureMessage: values.message.slice(0, 1000),
      attempts: sql`${refunds.attempts} + 1`,
    })
    .where(and(eq(refunds.id, id), eq(refunds.status, "pending")))
    .returning();
  return row ?? null;
}

/**
 * Adds a refunded amount to the trade; `payments_refund_within_amount` refuses more than it
 * paid. Fully refunded → status `refunded`. Returns the payment after.
 */
export async function addRefundToPayment(
  tx: Db,
  paymentId: string,
  amountFen: number,
  at: Date,
): Promise<Payment | undefined> {
  const [row] = await tx
    .update(payments)
    .set({
      refundedFen: sql`${payments.refundedFen} + ${amountFen}`,
      status: sql`case when ${payments.refundedFen} + ${amountFen} = ${payments.amountFen}
        then 'refunded'::payment_status else ${payments.status} end`,
      refundedAt: sql`case when ${payments.refundedFen} + ${amountFen} = ${payments.amountFen}
        then ${at.toISOString()}::timestamptz else ${payments.refundedAt} end`,
    })
    .where(eq(payments.id, paymentId))
    .returning();
  return row;
}

export async function markOrderRefunded(tx: Db, orderId: string): Promise<Order | undefined> {
  const [row] = await tx
    .update(orders)
    .set({ status: "refunded" })
    .where(eq(orders.id, orderId))
    .returning();
  return row;
}

/** The grant taken back (a full refund): no longer a live entitlement. */
export async function revokeGrant(tx: Db, grantId: string, at: Date): Promise<void> {
  await tx
    .update(entitlements)
    .set({ revokedAt: at })
    .where(and(eq(entitlements.id, grantId), isNull(entitlements.revokedAt)));
}

/** A membership grant shortened by `seconds` (a partial refund of its period). */
export async function shortenGrant(tx: Db, grantId: string, seconds: number): Promise<void> {
  await tx
    .update(entitlements)
    .set({ expiresAt: sql`${entitlements.expiresAt} - ${seconds} * interval '1 second'` })
    .where(eq(entitlements.id, grantId));
}

/**
 * The buyer's live membership grants stacked after `from` (periods that began when an earlier
 * one ended) move back by `seconds`: time refunded comes off the end of the membership, not
 * out of its middle. Locks the buyer's grants through the order lock the caller holds.
 */
export async function moveLaterMembershipGrants(
  tx: Db,
  userId: string,
  exceptGrantId: string,
  from: Date,
  seconds: number,
): Promise<number> {
  const moved = await tx
    .update(entitlements)
    .set({
      startsAt: sql`${entitlements.startsAt} - ${seconds} * interval '1 second'`,
      expiresAt: sql`${entitlements.expiresAt} - ${seconds} * interval '1 second'`,
    })
    .where(
      and(
        eq(entitlements.userId, userId),
        eq(entitlements.kind, "membership"),
        isNull(entitlements.revokedAt),
        ne(entitlements.id, exceptGrantId),
        gte(entitlements.startsAt, from),
      ),
    )
    .returning({ id: entitlements.id });
  return moved.length;
}

/** The seconds earlier refunds of this order took off its membership grant. */
export async function membershipCutOfOrder(tx: Db, orderId: string): Promise<number> {
  const [row] = await tx
    .select({ total: sql<number>`coalesce(sum(${refunds.membershipCutSeconds}), 0)::int` })
    .from(refunds)
    .where(and(eq(refunds.orderId, orderId), eq(refunds.status, "succeeded")));
  return row?.total ?? 0;
}

/**
 * The `out_trade_no` under which Alipay knows a trade: the charge attempt that paid it (a renewal
 * declined once is paid under `<orderNo>R<n>`), else the order number (period 1, app pay).
 */
export async function outTradeNoOfTrade(
  db: Db,
  orderId: string,
  tradeNo: string,
): Promise<string | undefined> {
  const [row] = await db
    .select({ outTradeNo: chargeAttempts.outTradeNo })
    .from(chargeAttempts)
    .where(and(eq(chargeAttempts.orderId, orderId), eq(chargeAttempts.tradeNo, tradeNo)))
    .orderBy(desc(chargeAttempts.attemptNo))
    .limit(1);
  return row?.outTradeNo;
}
