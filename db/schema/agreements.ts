import "server-only";
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { products } from "./catalogue";
import { agreementStatus } from "./enums";
import { createdAt, tstz, updatedAt } from "./shop-time";
import { users } from "./users";

/** Alipay periodic-deduction agreements; their charges are in charges.ts. */
export const agreements = pgTable(
  "agreements",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    /** Ours, sent as `external_agreement_no`. */
    externalAgreementNo: text("external_agreement_no").notNull(),
    /** Alipay's, known once signed. */
    agreementNo: text("agreement_no"),
    alipayUserId: text("alipay_user_id"),
    status: agreementStatus("status").notNull().default("pending_sign"),
    singleAmountFen: integer("single_amount_fen").notNull(),
    periodDays: integer("period_days").notNull(),
    /** Asia/Shanghai calendar date of the next charge. */
    nextChargeDate: date("next_charge_date", { mode: "string" }),
    /** Number of the period the next charge pays for (1 = the first). */
    currentPeriod: integer("current_period").notNull().default(1),
    autoRenew: boolean("auto_renew").notNull().default(true),
    /**
     * How the buyer signs: `page_sign` (the browser: sign first, then the shop charges period 1
     * with alipay.trade.pay) or `app_pay` (an app: alipay.trade.app.pay pays period 1 and signs
     * in one step, so the sign notification must never charge it again).
     */
    signFlow: text("sign_flow").notNull().default("page_sign"),
    /** Periods paid under this agreement so far. */
    paidPeriods: integer("paid_periods").notNull().default(0),
    /** The last period postponed (`executionplan.modify`) because it could not be charged. */
    postponedPeriod: integer("postponed_period"),
    /**
     * A billing run working on this agreement until then (claimed with FOR UPDATE SKIP LOCKED,
     * kept across the Alipay call by this lease; a run that dies lets it lapse).
     */
    billingLeaseUntil: tstz("billing_lease_until"),
    signedAt: tstz("signed_at"),
    unsignedAt: tstz("unsigned_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("agreements_external_no_uq").on(t.externalAgreementNo),
    uniqueIndex("agreements_agreement_no_uq").on(t.agreementNo),
    index("agreements_due_idx").on(t.status, t.nextChargeDate),
    index("agreements_user_idx").on(t.userId),
    check("agreements_amount_positive", sql`${t.singleAmountFen} > 0`),
    check("agreements_period_positive", sql`${t.periodDays} > 0 AND ${t.currentPeriod} > 0`),
    check("agreements_sign_flow", sql`${t.signFlow} IN ('page_sign', 'app_pay')`),
    check("agreements_paid_periods", sql`${t.paidPeriods} >= 0`),
    // An active agreement has Alipay's number and a next charge date.
    check(
      "agreements_active_fields",
      sql`${t.status} <> 'active' OR (${t.agreementNo} IS NOT NULL AND ${t.nextChargeDate} IS NOT NULL)`,
    ),
    // One agreement waiting for a signature per buyer and plan: a second "subscribe" reuses it.
    uniqueIndex("agreements_open_sign_uq")
      .on(t.userId, t.productId)
      .where(sql`${t.status} = 'pending_sign'`),
  ],
);

export type Agreement = typeof agreements.$inferSelect;
