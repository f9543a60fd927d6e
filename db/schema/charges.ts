import "server-only";
import { sql } from "drizzle-orm";
import {
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { agreements } from "./agreements";
import { chargeAttemptStatus, paymentProvider } from "./enums";
import { billingRuns } from "./operations";
import { orders } from "./orders";
import { createdAt, tstz } from "./shop-time";

/*
 * The charges made under an agreement. Apart from agreements.ts because they reference orders,
 * which reference agreements: one file each keeps the schema's imports free of cycles.
 */

export const chargeAttempts = pgTable(
  "charge_attempts",
  {
    id: text("id").primaryKey(),
    agreementId: text("agreement_id")
      .notNull()
      .references(() => agreements.id),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    periodIndex: integer("period_index").notNull(),
    attemptNo: integer("attempt_no").notNull(),
    /** Deterministic per (agreement, period, attempt): a replayed request cannot charge twice. */
    outTradeNo: text("out_trade_no").notNull(),
    amountFen: integer("amount_fen").notNull(),
    status: chargeAttemptStatus("status").notNull().default("pending"),
    tradeNo: text("trade_no"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    billingRunId: text("billing_run_id").references(() => billingRuns.id),
    nextRetryAt: tstz("next_retry_at"),
    createdAt: createdAt(),
    finishedAt: tstz("finished_at"),
  },
  (t) => [
    uniqueIndex("charge_attempts_out_trade_no_uq").on(t.outTradeNo),
    uniqueIndex("charge_attempts_period_attempt_uq").on(t.agreementId, t.periodIndex, t.attemptNo),
    // At most one successful charge per agreement and period.
    uniqueIndex("charge_attempts_period_succeeded_uq")
      .on(t.agreementId, t.periodIndex)
      .where(sql`${t.status} = 'succeeded'`),
    index("charge_attempts_status_idx").on(t.status, t.nextRetryAt),
    check("charge_attempts_amount_positive", sql`${t.amountFen} > 0`),
  ],
);

/** Every request to and response from a provider, per attempt (secrets and keys stripped). */
export const deductionLogs = pgTable(
  "deduction_logs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    provider: paymentProvider("provider").notNull(),
    apiMethod: text("api_method").notNull(),
    agreementId: text("agreement_id").references(() => agreements.id),
    chargeAttemptId: text("charge_attempt_id").references(() => chargeAttempts.id),
    orderId: text("order_id").references(() => orders.id),
    request: jsonb("request"),
    response: jsonb("response"),
    httpStatus: integer("http_status"),
    outcome: text("outcome").notNull(),
    durationMs: integer("duration_ms"),
    createdAt: createdAt(),
  },
  (t) => [
    index("deduction_logs_agreement_idx").on(t.agreementId, t.createdAt),
    index("deduction_logs_attempt_idx").on(t.chargeAttemptId),
    // The admin's logs and exports by time (keyset pagination on (created_at, id)).
    index("deduction_logs_created_idx").on(t.createdAt, t.id),
  ],
);
