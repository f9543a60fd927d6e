import "server-only";
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { creditEntryKind } from "./enums";
import { orders } from "./orders";
import { createdAt, updatedAt } from "./shop-time";
import { users } from "./users";

/**
 * The credit ledger (issue #12): every change of a buyer's credits is an entry — a grant when a
 * credit pack is paid, a use the owner records (one consultation), a refund taking back what is
 * left of a refunded pack. `credit_balances` holds the running balance, changed in the same
 * transaction as each entry by one `UPDATE … SET balance = balance + delta`: its CHECK refuses a
 * negative balance, so two uses racing on a balance of one leave it at zero and the second fails
 * in the database, whatever the code above it does.
 */
export const creditBalances = pgTable(
  "credit_balances",
  {
    userId: text("user_id")
      .primaryKey()
      .references(() => users.id),
    balance: integer("balance").notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [check("credit_balances_nonnegative", sql`${t.balance} >= 0`)],
);

export const creditEntries = pgTable(
  "credit_entries",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    kind: creditEntryKind("kind").notNull(),
    /** Credits added (grant, > 0) or taken (use, refund, < 0). */
    delta: integer("delta").notNull(),
    /** The balance right after this entry. */
    balanceAfter: integer("balance_after").notNull(),
    /** Grants and refunds: the credit pack's order. */
    orderId: text("order_id").references(() => orders.id),
    /** Uses: what the credit was spent on, written by the owner (shown to the buyer). */
    note: text("note"),
    /** Uses: the admin who recorded it. */
    actorId: text("actor_id").references(() => users.id),
    /** Uses: the form's one-time key, so a double submit records one use. */
    requestKey: text("request_key"),
    createdAt: createdAt(),
  },
  (t) => [
    index("credit_entries_user_idx").on(t.userId, t.createdAt),
    // One grant and at most one refund per credit-pack order, whatever replays or races happen.
    uniqueIndex("credit_entries_order_kind_uq")
      .on(t.orderId, t.kind)
      .where(sql`${t.orderId} IS NOT NULL`),
    uniqueIndex("credit_entries_request_key_uq")
      .on(t.requestKey)
      .where(sql`${t.requestKey} IS NOT NULL`),
    check("credit_entries_balance_after", sql`${t.balanceAfter} >= 0`),
    check(
      "credit_entries_kind_fields",
      sql`COALESCE(
        (${t.kind} = 'grant' AND ${t.delta} > 0 AND ${t.orderId} IS NOT NULL)
        OR (${t.kind} = 'use' AND ${t.delta} < 0 AND ${t.note} IS NOT NULL AND ${t.orderId} IS NULL
            AND char_length(${t.note}) BETWEEN 1 AND 500)
        OR (${t.kind} = 'refund' AND ${t.delta} < 0 AND ${t.orderId} IS NOT NULL),
        false)`,
    ),
  ],
);

export type CreditEntry = typeof creditEntries.$inferSelect;
