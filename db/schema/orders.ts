import "server-only";
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { agreements } from "./agreements";
import { products } from "./catalogue";
import { entitlementKind, orderKind, orderStatus, paymentProvider, paymentStatus } from "./enums";
import { createdAt, tstz, updatedAt } from "./shop-time";
import { users } from "./users";

export const orders = pgTable(
  "orders",
  {
    id: text("id").primaryKey(),
    /** Public order number: URLs, Youzan `qr_source`, Alipay `out_trade_no` of the first charge. */
    orderNo: text("order_no").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    kind: orderKind("kind").notNull(),
    provider: paymentProvider("provider").notNull(),
    amountFen: integer("amount_fen").notNull(),
    status: orderStatus("status").notNull().default("pending"),
    /** Youzan dynamic QR id; the only link from a Youzan trade back to this order. */
    qrId: text("qr_id"),
    qrUrl: text("qr_url"),
    qrImage: text("qr_image"),
    agreementId: text("agreement_id").references(() => agreements.id),
    /** Renewal orders: which period of the agreement this order pays for. */
    periodIndex: integer("period_index"),
    reviewReason: text("review_reason"),
    expiresAt: tstz("expires_at"),
    /** Throttles provider status queries across every poller (conditional update). */
    lastCheckedAt: tstz("last_checked_at"),
    paidAt: tstz("paid_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("orders_order_no_uq").on(t.orderNo),
    uniqueIndex("orders_qr_id_uq").on(t.qrId),
    // One renewal order per agreement and period (NULLs, i.e. purchases, are distinct).
    uniqueIndex("orders_agreement_period_uq").on(t.agreementId, t.periodIndex),
    // One open QR purchase per buyer and product: a second "buy" must reuse it, never mint a
    // second payable QR code (concurrent requests included).
    uniqueIndex("orders_open_purchase_uq")
      .on(t.userId, t.productId)
      .where(sql`${t.kind} = 'purchase' AND ${t.status} = 'pending'`),
    index("orders_user_idx").on(t.userId, t.createdAt),
    // The admin's list filtered by status, newest first, keyset-paged on (created_at, id).
    index("orders_status_idx").on(t.status, t.createdAt, t.id),
    // The admin's lists and exports by creation time (keyset pagination on (created_at, id)).
    index("orders_created_idx").on(t.createdAt, t.id),
    // The admin's list filtered by kind (its channel), newest first, keyset-paged.
    index("orders_kind_created_idx").on(t.kind, t.createdAt, t.id),
    // The admin's search by order number prefix (LIKE 'XP2026%' needs pattern ops).
    index("orders_order_no_pattern_idx").on(t.orderNo.op("text_pattern_ops")),
    check("orders_amount_positive", sql`${t.amountFen} > 0`),
    check(
      "orders_renewal_fields",
      sql`COALESCE(
        (${t.kind} = 'purchase') OR (${t.agreementId} IS NOT NULL AND ${t.periodIndex} > 0),
        false)`,
    ),
    check("orders_paid_at", sql`${t.status} <> 'paid' OR ${t.paidAt} IS NOT NULL`),
  ],
);

/** One row per provider trade; the unique key makes one trade settle exactly one order. */
export const payments = pgTable(
  "payments",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    provider: paymentProvider("provider").notNull(),
    providerTradeNo: text("provider_trade_no").notNull(),
    amountFen: integer("amount_fen").notNull(),
    status: paymentStatus("status").notNull(),
    buyerRef: text("buyer_ref"),
    paidAt: tstz("paid_at"),
    refundedAt: tstz("refunded_at"),
    /** What was given back of this trade so far (succeeded refunds), in fen. */
    refundedFen: integer("refunded_fen").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("payments_provider_trade_uq").on(t.provider, t.providerTradeNo),
    // An order's trades (the admin's list and order page, refunds).
    index("payments_order_idx").on(t.orderId),
    // The admin's search by provider trade number (exact or prefix, any provider).
    index("payments_trade_no_pattern_idx").on(t.providerTradeNo.op("text_pattern_ops")),
    // An order is paid by at most one trade; a second paying trade is recorded as a mismatch.
    uniqueIndex("payments_order_paid_uq")
      .on(t.orderId)
      .where(sql`${t.status} = 'paid'`),
    check("payments_amount_nonnegative", sql`${t.amountFen} >= 0`),
    // A refund never gives back more than the trade paid, however many partial refunds.
    check(
      "payments_refund_within_amount",
      sql`${t.refundedFen} >= 0 AND ${t.refundedFen} <= ${t.amountFen}`,
    ),
  ],
);

/** What a paid order granted. One grant per order, whatever replays or races happen. */
export const entitlements = pgTable(
  "entitlements",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    kind: entitlementKind("kind").notNull(),
    credits: integer("credits"),
    startsAt: tstz("starts_at").notNull(),
    /** Memberships: the end of the paid period. */
    expiresAt: tstz("expires_at"),
    revokedAt: tstz("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("entitlements_order_uq").on(t.orderId),
    index("entitlements_user_idx").on(t.userId, t.kind),
    check(
      "entitlements_kind_fields",
      sql`COALESCE(
        (${t.kind} = 'credits' AND ${t.credits} > 0)
        OR (${t.kind} = 'membership' AND ${t.expiresAt} IS NOT NULL)
        OR (${t.kind} = 'content'),
        false)`,
    ),
  ],
);

export type Order = typeof orders.$inferSelect;
/**
 * An order without its QR code's image and URL (Youzan's, ~3 KB): what the status poll reads
 * (db/queries/orders.ts `findPollFacts`) and every function it calls takes.
 */
export type OrderFacts = Omit<Order, "qrImage" | "qrUrl">;
export type Entitlement = typeof entitlements.$inferSelect;
