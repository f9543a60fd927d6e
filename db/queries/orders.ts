import "server-only";
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gt,
  inArray,
  isNotNull,
  isNull,
  lte,
  or,
  sql,
} from "drizzle-orm";
import { alias, type SelectedFields } from "drizzle-orm/pg-core";
import type { Db } from "../client";
import { bind, statement, type Slots } from "../statement";
import { isUniqueViolation } from "../errors";
import {
  entitlements,
  orderStatus,
  orders,
  products,
  sandboxClock,
  users,
  type Order,
  type OrderFacts,
  type Product,
  type User,
} from "../schema";

/**
 * Every column of an order but the QR code's image and URL, which only the checkout page shows:
 * Youzan's image is a ~3 KB data URL that PostgreSQL would de-TOAST and send, and postgres.js
 * decode, in every status poll of every open checkout and three times in every paid push.
 */
const { qrImage: _qrImage, qrUrl: _qrUrl, ...orderFactsColumns } = getTableColumns(orders);

const orderByNo = statement((db, slot: Slots<{ orderNo: string }>) =>
  db.select().from(orders).where(eq(orders.orderNo, slot.orderNo)),
);

export async function findOrderByNo(db: Db, orderNo: string): Promise<Order | undefined> {
  const [row] = await orderByNo.run(db, { orderNo });
  return row;
}

export async function findOrderByQrId(db: Db, qrId: string): Promise<Order | undefined> {
  const [row] = await orderByQrId.run(db, { qrId });
  return row;
}

/**
 * A paid push's first question, in one round trip (issue #14): whether its trade is recorded
 * already (no lock), and the order of the QR code the push names. Undefined when no order has
 * this QR id (then the caller asks about the trade alone).
 */
export async function orderOfQrWithTrade(
  db: Db,
  input: { qrId: string; provider: Order["provider"]; tradeNo: string },
): Promise<{ order: OrderFacts; tradeRecorded: boolean } | undefined> {
  const [row] = await orderOfQrWithTradeStatement.run(db, input);
  return row;
}

const orderOfQrWithTradeStatement = statement(
  (db, slot: Slots<{ qrId: string; provider: Order["provider"]; tradeNo: string }>) =>
    db
      .select({
        order: orderFactsColumns,
        // Aliased: in a one-table select drizzle leaves column names bare, and a bare
        // "provider" here would mean the order's column if payments ever lost its own.
        tradeRecorded: sql<boolean>`exists (select 1 from payments p where p.provider = ${slot.provider} and p.provider_trade_no = ${slot.tradeNo})`,
      })
      .from(orders)
      .where(eq(orders.qrId, slot.qrId)),
);

// Every paid Youzan push looks its order up by QR id: built once.
const orderByQrId = statement((db, slot: Slots<{ qrId: string }>) =>
  db.select().from(orders).where(eq(orders.qrId, slot.qrId)),
);

export async function findOrderById(db: Db, id: string): Promise<Order | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  return row;
}

/**
 * Whether the row as read says another check ran within the interval: then `claimStatusCheck`
 * would fail, and a poll can skip that write (most polls of a pending order land here).
 */
export function checkedWithin(
  order: Pick<Order, "lastCheckedAt">,
  now: Date,
  intervalMs: number,
): boolean {
  return order.lastCheckedAt !== null && order.lastCheckedAt.getTime() > now.getTime() - intervalMs;
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
  const [row] = await orderWithProductByNo.run(db, { orderNo });
  return row;
}

// Read by every status poll and checkout (orderForViewer): built once (db/statement.ts).
const orderWithProductByNo = statement((db, slot: Slots<{ orderNo: string }>) =>
  db
    .select({ order: orders, product: products })
    .from(orders)
    .innerJoin(products, eq(products.id, orders.productId))
    .where(eq(orders.orderNo, slot.orderNo)),
);

/** What the status poll reads, in one round trip (its hottest route: many requests a minute). */
export interface PollFacts {
  /** The session's user with the version its sessions must carry; null when there is none. */
  viewer: Pick<User, "id" | "email" | "name" | "role" | "sessionVersion"> | null;
  /** The order; null when no order has that number. (The poll needs no product.) */
  found: { order: OrderFacts } | null;
  /** The sandbox clock's offset in ms (0 when it never moved; read in live mode too, unused). */
  clockOffsetMs: number;
}

/** The viewer, the order and the sandbox clock's offset: one statement. */
export async function findPollFacts(
  db: Db,
  values: { userId: string; orderNo: string },
): Promise<PollFacts> {
  const [row] = await pollFacts.run(db, values);
  if (!row) return { viewer: null, found: null, clockOffsetMs: 0 };
  const { viewer, order, clockOffsetMs } = row;
  return { viewer, found: order ? { order } : null, clockOffsetMs: clockOffsetMs ?? 0 };
}

// The user row is the anchor: with no such user there is no row (and no order is read for it).
const pollFacts = statement((db, slot: Slots<{ userId: string; orderNo: string }>) =>
  db
    .select({
      viewer: {
        id: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        sessionVersion: users.sessionVersion,
      },
      order: orderFactsColumns,
      clockOffsetMs: sql<
        number | null
      >`(select ${sandboxClock.offsetMs} from ${sandboxClock} where ${sandboxClock.id} = 1)`.mapWith(
        Number,
      ),
    })
    .from(users)
    .leftJoin(orders, eq(orders.orderNo, slot.orderNo))
    .where(eq(users.id, slot.userId)),
);

export type OrderStatus = (typeof orderStatus.enumValues)[number];

export function toOrderStatus(value: unknown): OrderStatus | undefined {
  return orderStatus.enumValues.find((s) => s === value);
}

/** The order row, locked until the transaction ends (settlement serialises on it). */
export async function lockOrder(tx: Db, orderId: string): Promise<Order | undefined> {
  const [row] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update");
  return row;
}

/**
 * The order row locked (only it: `for update of orders`) with its product, in one round trip.
 * A product row does not change under a settlement, so reading it in the locking statement is
 * safe; anything another transaction may just have written is read after the lock, apart.
 */
export async function lockOrderWithProduct(
  tx: Db,
  orderId: string,
): Promise<{ order: OrderFacts; product: Product | null } | undefined> {
  const [row] = await lockOrderWithProductStatement.run(tx, { orderId });
  return row;
}

const lockOrderWithProductStatement = statement((db, slot: Slots<{ orderId: string }>) =>
  db
    .select({ order: orderFactsColumns, product: products })
    .from(orders)
    .leftJoin(products, eq(products.id, orders.productId))
    .where(eq(orders.id, slot.orderId))
    .for("update", { of: orders }),
);

export type NewPurchaseOrder = Pick<
  typeof orders.$inferInsert,
  "id" | "orderNo" | "userId" | "productId" | "amountFen" | "expiresAt" | "createdAt"
>;

/**
 * Inserts a pending Youzan QR purchase. Returns null when the buyer already has an open order
 * for this product (`orders_open_purchase_uq`, also under races): the caller reuses that one.
 */
export async function insertPurchaseOrder(db: Db, values: NewPurchaseOrder): Promise<Order | null> {
  try {
    const [order] = await db
      .insert(orders)
      .values({ ...values, kind: "purchase", provider: "youzan", status: "pending" })
      .returning();
    return order ?? null;
  } catch (error) {
    if (isUniqueViolation(error, "orders_open_purchase_uq")) return null;
    throw error;
  }
}

export type NewAgreementOrder = Pick<
  typeof orders.$inferInsert,
  "id" | "orderNo" | "userId" | "productId" | "amountFen" | "agreementId" | "periodIndex"
> & { kind: "membership_initial" | "renewal" };

/**
 * Inserts the order of one period of an agreement. Null when that period has its order already
 * (`orders_agreement_period_uq`, also under races): the caller reads that one.
 */
export async function insertAgreementOrder(
  db: Db,
  values: NewAgreementOrder,
): Promise<Order | null> {
  const [order] = await insertAgreementOrderStatement.run(db, values);
  return order ?? null;
}

const insertAgreementOrderStatement = statement((db, slot: Slots<NewAgreementOrder>) =>
  agreementOrderInsert(db, slot).returning(),
);

/** The INSERT of a period's order, nothing when the period has one (also in a CTE elsewhere). */
export const agreementOrderInsert = (db: Db, slot: Slots<NewAgreementOrder>) =>
  db
    .insert(orders)
    .values({
      id: slot.id,
      orderNo: slot.orderNo,
      userId: slot.userId,
      productId: slot.productId,
      amountFen: slot.amountFen,
      agreementId: slot.agreementId,
      periodIndex: slot.periodIndex,
      kind: slot.kind,
      provider: "alipay",
      status: "pending",
    })
    .onConflictDoNothing({ target: [orders.agreementId, orders.periodIndex] });

export async function findAgreementOrder(
  db: Db,
  agreementId: string,
  periodIndex: number,
): Promise<Order | undefined> {
  const [order] = await agreementOrderStatement.run(db, { agreementId, periodIndex });
  return order;
}

const agreementOrderStatement = statement(
  (db, slot: Slots<{ agreementId: string; periodIndex: number }>) =>
    db
      .select()
      .from(orders)
      .where(
        and(eq(orders.agreementId, slot.agreementId), eq(orders.periodIndex, slot.periodIndex)),
      ),
);

export async function attachQr(
  db: Db,
  orderId: string,
  qr: { qrId: string; qrUrl: string | null; qrImage: string | null },
): Promise<Order | undefined> {
  const [row] = await db
    .update(orders)
    .set({ qrId: qr.qrId, qrUrl: qr.qrUrl, qrImage: qr.qrImage })
    .where(eq(orders.id, orderId))
    .returning();
  return row;
}

/** An order whose QR code could not be created: closed, with the reason, never payable. */
export async function closeOrder(db: Db, orderId: string, reason: string): Promise<void> {
  await db
    .update(orders)
    .set({ status: "closed", reviewReason: reason })
    .where(eq(orders.id, orderId));
}

/** pending → closed with the reason, only if still pending (never a paid or reviewed order). */
export async function closePendingOrder(db: Db, orderId: string, reason: string): Promise<boolean> {
  const rows = await db
    .update(orders)
    .set({ status: "closed", reviewReason: reason })
    .where(and(eq(orders.id, orderId), eq(orders.status, "pending")))
    .returning({ id: orders.id });
  return rows.length > 0;
}

/** pending → expired, only if still pending (a payment may have settled it meanwhile). */
export async function expirePendingOrder(db: Db, orderId: string): Promise<boolean> {
  const rows = await db
    .update(orders)
    .set({ status: "expired" })
    .where(and(eq(orders.id, orderId), eq(orders.status, "pending")))
    .returning({ id: orders.id });
  return rows.length === 1;
}

export async function markOrderPaid(
  tx: Db,
  orderId: string,
  paidAt: Date,
): Promise<OrderFacts | undefined> {
  const [row] = await markOrderPaidStatement.run(tx, { orderId, paidAt });
  return row;
}

const markOrderPaidStatement = statement((db, slot: Slots<{ orderId: string; paidAt: Date }>) =>
  db
    .update(orders)
    .set({ status: "paid", paidAt: bind(slot.paidAt, orders.paidAt) })
    .where(eq(orders.id, slot.orderId))
    .returning(orderFactsColumns),
);

/** Leaves the order unpaid for the owner to look at, with the reason shown in the admin. */
export async function flagOrderForReview(
  tx: Db,
  orderId: string,
  reason: string,
): Promise<Order | undefined> {
  const [row] = await tx
    .update(orders)
    .set({ status: "review", reviewReason: reason })
    .where(eq(orders.id, orderId))
    .returning();
  return row;
}

const youzanPurchases = and(eq(orders.provider, "youzan"), eq(orders.kind, "purchase"));

/** Pending QR purchases, the ones asked about longest ago first (a failing one moves back). */
export async function listPendingQrPurchases(db: Db, limit: number): Promise<Order[]> {
  return db
    .select()
    .from(orders)
    .where(and(youzanPurchases, eq(orders.status, "pending")))
    .orderBy(asc(orders.lastCheckedAt), asc(orders.createdAt))
    .limit(limit);
}

/** QR purchases that expired after `since`: a scan just before the TTL may still be paid. */
export async function listRecentlyExpiredQrPurchases(
  db: Db,
  since: Date,
  limit: number,
): Promise<Order[]> {
  return db
    .select()
    .from(orders)
    .where(
      and(
        youzanPurchases,
        eq(orders.status, "expired"),
        isNotNull(orders.qrId),
        gt(orders.expiresAt, since),
      ),
    )
    .orderBy(asc(orders.lastCheckedAt), asc(orders.createdAt))
    .limit(limit);
}

export interface AdminOrderRow {
  order: Order;
  productNameZh: string;
  productNameEn: string;
  buyerEmail: string;
}

/**
 * Orders as the admin sees them (with the product's names and the buyer's email), plus `extra`
 * fields; the caller adds its joins, conditions, order and limit. The admin's list and the CSV
 * export read the same rows.
 */
export function selectAdminOrders<Extra extends SelectedFields>(db: Db, extra: Extra) {
  return db
    .select({
      order: orders,
      productNameZh: products.nameZh,
      productNameEn: products.nameEn,
      buyerEmail: users.email,
      ...extra,
    })
    .from(orders)
    .innerJoin(products, eq(products.id, orders.productId))
    .innerJoin(users, eq(users.id, orders.userId));
}

/**
 * What a checkout decides on, in one statement (issue #14: the checkout made a round trip for
 * each): the product on sale under `slug`, whether the buyer holds its content already, the
 * buyer's open purchase of it (`orders_open_purchase_uq`: at most one), and the buyer's open QR
 * purchases that can still be paid at `now` (how many, and when the first expires). Undefined
 * when no product with this slug is on sale.
 */
export interface PurchaseFacts {
  product: Product;
  ownsContent: boolean;
  openOrder: Order | null;
  openCount: number;
  nextOpenExpiry: Date | null;
}

export async function purchaseFacts(
  db: Db,
  input: { userId: string; slug: string; now: Date },
): Promise<PurchaseFacts | undefined> {
  const [row] = await purchaseFactsStatement.run(db, input);
  return row;
}

const openOrder = alias(orders, "open_order");

const purchaseFactsStatement = statement(
  (db, slot: Slots<{ userId: string; slug: string; now: Date }>) => {
    const open = sql`${orders.userId} = ${slot.userId} and ${orders.kind} = 'purchase' and ${orders.status} = 'pending' and ${orders.expiresAt} > ${bind(slot.now, orders.expiresAt)}`;
    return (
      db
        .select({
          product: products,
          ownsContent: sql<boolean>`exists (select 1 from ${entitlements} where ${entitlements.userId} = ${slot.userId} and ${entitlements.productId} = ${products.id} and ${entitlements.kind} = 'content' and ${entitlements.revokedAt} is null)`,
          openOrder,
          openCount: sql<number>`(select count(*) from ${orders} where ${open})`.mapWith(Number),
          nextOpenExpiry:
            sql<Date | null>`(select min(${orders.expiresAt}) from ${orders} where ${open})`.mapWith(
              orders.expiresAt,
            ),
        })
        .from(products)
        // The open purchase of this product (orders_open_purchase_uq: at most one row joins).
        .leftJoin(
          openOrder,
          and(
            eq(openOrder.userId, slot.userId),
            eq(openOrder.productId, products.id),
            eq(openOrder.kind, "purchase"),
            eq(openOrder.status, "pending"),
          ),
        )
        .where(and(eq(products.slug, slot.slug), eq(products.active, true)))
    );
  },
);
