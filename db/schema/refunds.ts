import "server-only";
import { sql } from "drizzle-orm";
import { check, index, integer, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { paymentProvider } from "./enums";
import { orders, payments } from "./orders";
import { createdAt, tstz, updatedAt } from "./shop-time";
import { users } from "./users";

/**
 * `pending`: committed before the provider is asked (its `out_request_no` is the idempotency key
 * of every retry); `succeeded`: the money went back (or, `manual`, the owner says it did);
 * `failed`: the provider refused — the same row may be tried again with the same number.
 */
export const refundStatus = pgEnum("refund_status", ["pending", "succeeded", "failed"]);
/** `alipay`: alipay.trade.refund; `manual`: the owner returned the money outside the shop. */
export const refundMethod = pgEnum("refund_method", ["alipay", "manual"]);

/** Money given back for one provider trade of an order: one row per refund request. */
export const refunds = pgTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    paymentId: text("payment_id")
      .notNull()
      .references(() => payments.id),
    provider: paymentProvider("provider").notNull(),
    method: refundMethod("method").notNull(),
    /** Alipay's idempotency key (`out_request_no`): one per refund, reused by every retry. */
    outRequestNo: text("out_request_no"),
    amountFen: integer("amount_fen").notNull(),
    status: refundStatus("status").notNull().default("pending"),
    /** The owner's note (required for manual refunds); also sent as `refund_reason`. */
    note: text("note"),
    /** The last refusal: Alipay's `sub_code` (e.g. `ACQ.TRADE_STATUS_ERROR`) and message. */
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    attempts: integer("attempts").notNull().default(0),
    /** Memberships: how much time this refund took off the membership, in seconds. */
    membershipCutSeconds: integer("membership_cut_seconds"),
    requestedBy: text("requested_by").references(() => users.id),
    completedAt: tstz("completed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("refunds_out_request_no_uq").on(t.outRequestNo),
    // One refund in flight per order: a second request (a double click, a retry after a
    // timeout) finds this one and reuses its out_request_no instead of minting another.
    uniqueIndex("refunds_order_pending_uq")
      .on(t.orderId)
      .where(sql`${t.status} = 'pending'`),
    index("refunds_order_idx").on(t.orderId, t.createdAt),
    check("refunds_amount_positive", sql`${t.amountFen} > 0`),
    check(
      "refunds_method_fields",
      sql`COALESCE(
        (${t.method} = 'alipay' AND ${t.outRequestNo} IS NOT NULL)
        OR (${t.method} = 'manual' AND ${t.note} IS NOT NULL AND ${t.outRequestNo} IS NULL),
        false)`,
    ),
    check("refunds_attempts", sql`${t.attempts} >= 0`),
  ],
);

export type Refund = typeof refunds.$inferSelect;
