import "server-only";
import { pgEnum } from "drizzle-orm/pg-core";

export const userRole = pgEnum("user_role", ["buyer", "admin"]);
export const productKind = pgEnum("product_kind", ["one_off", "membership", "credit_pack"]);
export const paymentProvider = pgEnum("payment_provider", ["youzan", "alipay"]);
export const orderKind = pgEnum("order_kind", ["purchase", "membership_initial", "renewal"]);
export const orderStatus = pgEnum("order_status", [
  "pending",
  "paid",
  "expired",
  "closed",
  "review",
  "refunded",
]);
export const paymentStatus = pgEnum("payment_status", ["paid", "refunded", "mismatch"]);
export const agreementStatus = pgEnum("agreement_status", [
  "pending_sign",
  "active",
  "unsigned",
  "closed",
]);
export const chargeAttemptStatus = pgEnum("charge_attempt_status", [
  "pending",
  "succeeded",
  "failed",
  "unknown",
]);
export const entitlementKind = pgEnum("entitlement_kind", ["content", "membership", "credits"]);
export const creditEntryKind = pgEnum("credit_entry_kind", ["grant", "use", "refund"]);
/**
 * `failed` rows are retried by the reconcile job; `dead` rows are not: they cannot be retried or
 * have used up their attempts, and wait for a person.
 */
export const inboxStatus = pgEnum("inbox_status", [
  "received",
  "processed",
  "failed",
  "ignored",
  "rejected",
  "dead",
]);
export const billingRunStatus = pgEnum("billing_run_status", [
  "running",
  "completed",
  "failed",
  "aborted",
]);
export const actorKind = pgEnum("actor_kind", ["user", "system", "cron", "provider"]);
