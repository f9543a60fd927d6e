import { and, desc, eq, inArray, isNull, lte, or } from "drizzle-orm";
import type { Db } from "../client";
import { entitlements, orders, products, type Order, type Product } from "../schema";

export async function findOrderByNo(db: Db, orderNo: string): Promise<Order | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.orderNo, orderNo));
  return row;
}

export async function findOrderByQrId(db: Db, qrId: string): Promise<Order | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.qrId, qrId));
  return row;
}

export async function findOrderById(db: Db, id: string): Promise<Order | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  return row;
}

/** The buyer's open QR purchase of this product (at most one: `orders_open_purchase_uq`). */
export async function findPendingPurchase(
  db: Db,
  userId: string,
  productId: string,
): Promise<Order | undefined> {
  const [row] = await db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.userId, userId),
        eq(orders.productId, productId),
        eq(orders.kind, "purchase"),
        eq(orders.status, "pending"),
      ),
    )
    .limit(1);
  return row;
}

/**
 * Claims the right to ask the provider about this order now: succeeds for one caller per
 * interval, however many tabs, processes or instances poll (a conditional UPDATE, not memory).
 */
export async function claimStatusCheck(
  db: Db,
  orderId: string,
  now: Date,
  intervalMs: number,
  statuses: Order["status"][] = ["pending"],
): Promise<boolean> {
  const threshold = new Date(now.getTime() - intervalMs);
  const claimed = await db
    .update(orders)
    .set({ lastCheckedAt: now })
    .where(
      and(
        eq(orders.id, orderId),
        inArray(orders.status, statuses),
        or(isNull(orders.lastCheckedAt), lte(orders.lastCheckedAt, threshold)),
      ),
    )
    .returning({ id: orders.id });
  return claimed.length === 1;
}

export interface OrderWithProduct {
  order: Order;
  product: Product;
}

export async function listOrdersOfUser(db: Db, userId: string): Promise<OrderWithProduct[]> {
  return db
    .select({ order: orders, product: products })
    .from(orders)
    .innerJoin(products, eq(products.id, orders.productId))
    .where(eq(orders.userId, userId))
    .orderBy(desc(orders.createdAt))
    .limit(200);
}

export async function findOrderWithProduct(
  db: Db,
  orderNo: string,
): Promise<OrderWithProduct | undefined> {
  const [row] = await db
    .select({ order: orders, product: products })
    .from(orders)
    .innerJoin(products, eq(products.id, orders.productId))
    .where(eq(orders.orderNo, orderNo));
  return row;
}

/** Whether the buyer already owns this product's content (a live grant from a paid order). */
export async function ownsContent(db: Db, userId: string, productId: string): Promise<boolean> {
  const rows = await db
    .select({ id: entitlements.id })
    .from(entitlements)
    .where(
      and(
        eq(entitlements.userId, userId),
        eq(entitlements.productId, productId),
        eq(entitlements.kind, "content"),
        isNull(entitlements.revokedAt),
      ),
    )
    .limit(1);
  return rows.length > 0;
}
