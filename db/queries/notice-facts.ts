import "server-only";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  agreements,
  chargeAttempts,
  orders,
  passwordResetTokens,
  products,
  refunds,
  users,
} from "@/db/schema";

/*
 * What a notice's template needs, read when the notice is sent (lib/notices/load.ts): the state
 * at that moment, so a notice overtaken by events (a failed renewal paid since, a reset token
 * used) is skipped rather than sent.
 */

const productColumns = {
  slug: products.slug,
  kind: products.kind,
  nameZh: products.nameZh,
  nameEn: products.nameEn,
  credits: products.credits,
  periodDays: products.periodDays,
  priceFen: products.priceFen,
};

const orderFactsQuery = (db: Db) =>
  db
    .select({
      order: orders,
      product: productColumns,
      buyerEmail: users.email,
    })
    .from(orders)
    .innerJoin(products, eq(products.id, orders.productId))
    .innerJoin(users, eq(users.id, orders.userId));

export type OrderFacts = Awaited<ReturnType<ReturnType<typeof orderFactsQuery>["execute"]>>[number];

export async function orderFacts(db: Db, orderId: string): Promise<OrderFacts | null> {
  const [row] = await orderFactsQuery(db).where(eq(orders.id, orderId)).limit(1);
  return row ?? null;
}

/** The facts of several orders in one query (a sender's batch), by order id. */
export async function orderFactsByIds(
  db: Db,
  orderIds: readonly string[],
): Promise<Map<string, OrderFacts>> {
  if (orderIds.length === 0) return new Map();
  const rows = await orderFactsQuery(db).where(inArray(orders.id, [...new Set(orderIds)]));
  return new Map(rows.map((row) => [row.order.id, row]));
}

export async function agreementFacts(db: Db, agreementId: string) {
  const [row] = await db
    .select({ agreement: agreements, product: productColumns })
    .from(agreements)
    .innerJoin(products, eq(products.id, agreements.productId))
    .where(eq(agreements.id, agreementId))
    .limit(1);
  return row ?? null;
}

/** The latest attempt of a period, and whether any attempt of it succeeded. */
export async function periodAttemptFacts(db: Db, agreementId: string, periodIndex: number) {
  const rows = await db
    .select({
      status: chargeAttempts.status,
      errorCode: chargeAttempts.errorCode,
      nextRetryAt: chargeAttempts.nextRetryAt,
      attemptNo: chargeAttempts.attemptNo,
    })
    .from(chargeAttempts)
    .where(
      and(eq(chargeAttempts.agreementId, agreementId), eq(chargeAttempts.periodIndex, periodIndex)),
    )
    .orderBy(desc(chargeAttempts.attemptNo));
  return { latest: rows[0] ?? null, paid: rows.some((r) => r.status === "succeeded") };
}

export async function refundFacts(db: Db, refundId: string) {
  const [row] = await db
    .select({
      refund: refunds,
      orderNo: orders.orderNo,
      orderAmountFen: orders.amountFen,
      product: productColumns,
    })
    .from(refunds)
    .innerJoin(orders, eq(orders.id, refunds.orderId))
    .innerJoin(products, eq(products.id, orders.productId))
    .where(eq(refunds.id, refundId))
    .limit(1);
  return row ?? null;
}

export async function resetTokenFacts(db: Db, tokenId: string) {
  const [row] = await db
    .select({
      expiresAt: passwordResetTokens.expiresAt,
      usedAt: passwordResetTokens.usedAt,
      revokedAt: passwordResetTokens.revokedAt,
    })
    .from(passwordResetTokens)
    .where(eq(passwordResetTokens.id, tokenId))
    .limit(1);
  return row ?? null;
}

/** The product a membership grant came from (for "your membership ended"). */
export async function productOfOrder(db: Db, orderId: string) {
  const [row] = await db
    .select(productColumns)
    .from(orders)
    .innerJoin(products, eq(products.id, orders.productId))
    .where(eq(orders.id, orderId))
    .limit(1);
  return row ?? null;
}

export type ProductFacts = NonNullable<Awaited<ReturnType<typeof productOfOrder>>>;
