import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgSchema,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/*
 * The whole domain. Money is integer fen (`*_fen` columns, CHECKed non-negative); business dates
 * (next charge date) are `date` columns holding Asia/Shanghai calendar dates; instants are
 * `timestamptz`. Unique constraints carry the invariants of ARCHITECTURE.md; each is named
 * `*_uq` and tested in tests/integration/invariants.test.ts.
 */

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();
const tstz = (name: string) => timestamp(name, { withTimezone: true });

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
export const inboxStatus = pgEnum("inbox_status", [
  "received",
  "processed",
  "failed",
  "ignored",
  "rejected",
]);
export const billingRunStatus = pgEnum("billing_run_status", [
  "running",
  "completed",
  "failed",
  "aborted",
]);
export const actorKind = pgEnum("actor_kind", ["user", "system", "cron", "provider"]);

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Stored lower-cased; the unique index is the duplicate-sign-up guard. */
    email: text("email").notNull(),
    name: text("name"),
    passwordHash: text("password_hash").notNull(),
    role: userRole("role").notNull().default("buyer"),
    locale: text("locale"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_uq").on(t.email),
    check("users_email_lowercase", sql`${t.email} = lower(${t.email})`),
  ],
);

/** Every sign-in attempt; failures inside a window throttle further attempts per email and IP. */
export const signinAttempts = pgTable(
  "signin_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    succeeded: boolean("succeeded").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("signin_attempts_email_idx").on(t.email, t.createdAt),
    index("signin_attempts_ip_idx").on(t.ip, t.createdAt),
  ],
);

export const products = pgTable(
  "products",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    kind: productKind("kind").notNull(),
    priceFen: integer("price_fen").notNull(),
    /** Membership plans: length of one billing period. */
    periodDays: integer("period_days"),
    /** Credit packs: credits granted per purchase. */
    credits: integer("credits"),
    nameZh: text("name_zh").notNull(),
    nameEn: text("name_en").notNull(),
    descriptionZh: text("description_zh").notNull(),
    descriptionEn: text("description_en").notNull(),
    /** What a paid one-off purchase unlocks (download link or text); never shown before payment. */
    contentZh: text("content_zh"),
    contentEn: text("content_en"),
    active: boolean("active").notNull().default(true),
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("products_slug_uq").on(t.slug),
    check("products_price_positive", sql`${t.priceFen} > 0`),
    check(
      "products_kind_fields",
      // COALESCE: a NULL comparison would make the whole CHECK unknown, which passes.
      sql`COALESCE(
        (${t.kind} = 'membership' AND ${t.periodDays} > 0 AND ${t.credits} IS NULL)
        OR (${t.kind} = 'credit_pack' AND ${t.credits} > 0 AND ${t.periodDays} IS NULL)
        OR (${t.kind} = 'one_off' AND ${t.periodDays} IS NULL AND ${t.credits} IS NULL),
        false)`,
    ),
  ],
);

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
  ],
);

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
    index("orders_status_idx").on(t.status, t.createdAt),
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
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("payments_provider_trade_uq").on(t.provider, t.providerTradeNo),
    // An order is paid by at most one trade; a second paying trade is recorded as a mismatch.
    uniqueIndex("payments_order_paid_uq")
      .on(t.orderId)
      .where(sql`${t.status} = 'paid'`),
    check("payments_amount_nonnegative", sql`${t.amountFen} >= 0`),
  ],
);

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

/**
 * Provider notifications, recorded before they are acknowledged. `event_key` is the provider's
 * event identity (Youzan msg_id, Alipay notify_id); deliveries that fail verification have none
 * and are kept for the record only.
 */
export const webhookInbox = pgTable(
  "webhook_inbox",
  {
    id: text("id").primaryKey(),
    provider: paymentProvider("provider").notNull(),
    eventKey: text("event_key"),
    eventType: text("event_type"),
    signatureValid: boolean("signature_valid").notNull(),
    headers: jsonb("headers"),
    body: text("body").notNull(),
    status: inboxStatus("status").notNull().default("received"),
    outcome: text("outcome"),
    attempts: integer("attempts").notNull().default(0),
    deliveries: integer("deliveries").notNull().default(1),
    lastError: text("last_error"),
    receivedAt: tstz("received_at").notNull().defaultNow(),
    processedAt: tstz("processed_at"),
  },
  (t) => [
    uniqueIndex("webhook_inbox_event_uq").on(t.provider, t.eventKey),
    index("webhook_inbox_status_idx").on(t.status, t.receivedAt),
  ],
);

export const billingRuns = pgTable(
  "billing_runs",
  {
    id: text("id").primaryKey(),
    job: text("job").notNull(),
    status: billingRunStatus("status").notNull().default("running"),
    dryRun: boolean("dry_run").notNull().default(false),
    claimed: integer("claimed").notNull().default(0),
    succeeded: integer("succeeded").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    unknown: integer("unknown").notNull().default(0),
    postponed: integer("postponed").notNull().default(0),
    summary: jsonb("summary"),
    error: text("error"),
    startedAt: tstz("started_at").notNull().defaultNow(),
    finishedAt: tstz("finished_at"),
  },
  (t) => [index("billing_runs_job_idx").on(t.job, t.startedAt)],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    actorKind: actorKind("actor_kind").notNull(),
    actorUserId: text("actor_user_id").references(() => users.id),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    details: jsonb("details"),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_log_created_idx").on(t.createdAt),
    index("audit_log_target_idx").on(t.targetType, t.targetId),
  ],
);

/** State of the payment sandboxes lives in its own schema, never in the shop's tables. */
export const sandbox = pgSchema("sandbox");

/** The one virtual clock of sandbox mode: shop and both sandboxes read `now + offset`. */
export const sandboxClock = sandbox.table(
  "clock",
  {
    id: integer("id").primaryKey().default(1),
    offsetMs: bigint("offset_ms", { mode: "number" }).notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [check("clock_single_row", sql`${t.id} = 1`)],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Product = typeof products.$inferSelect;
export type NewProduct = typeof products.$inferInsert;
export type Order = typeof orders.$inferSelect;
export type Agreement = typeof agreements.$inferSelect;
export type Entitlement = typeof entitlements.$inferSelect;
export type WebhookInboxRow = typeof webhookInbox.$inferSelect;
export type BillingRun = typeof billingRuns.$inferSelect;
export type AuditLogRow = typeof auditLog.$inferSelect;

/*
 * Youzan sandbox state (lib/sandbox/youzan). Ids and shapes follow ../shared/specs/youzan.md §6.
 */

export const youzanSandboxTokens = sandbox.table("youzan_tokens", {
  token: text("token").primaryKey(),
  clientId: text("client_id").notNull(),
  kdtId: text("kdt_id").notNull(),
  issuedAt: tstz("issued_at").notNull(),
  expiresAt: tstz("expires_at").notNull(),
  revokedAt: tstz("revoked_at"),
});

export const youzanSandboxQrCodes = sandbox.table("youzan_qr_codes", {
  qrId: integer("qr_id").primaryKey().generatedAlwaysAsIdentity({ startWith: 1_000_001 }),
  kdtId: text("kdt_id").notNull(),
  qrType: text("qr_type").notNull(),
  qrName: text("qr_name").notNull(),
  qrPriceFen: integer("qr_price_fen"),
  qrSource: text("qr_source"),
  labelIds: text("label_ids"),
  qrUrl: text("qr_url").notNull(),
  qrCode: text("qr_code").notNull(),
  createdAt: tstz("created_at").notNull(),
});

/** One row per scan; `status` is the qr.get view, `order_status` the trade.get view. */
export const youzanSandboxTrades = sandbox.table(
  "youzan_trades",
  {
    tid: text("tid").primaryKey(),
    qrId: integer("qr_id").notNull(),
    kdtId: text("kdt_id").notNull(),
    status: text("status").notNull(),
    orderStatus: text("order_status").notNull(),
    closeType: integer("close_type").notNull().default(0),
    realPriceFen: integer("real_price_fen"),
    payType: text("pay_type"),
    payerNick: text("payer_nick"),
    createdAt: tstz("created_at").notNull(),
    paidAt: tstz("paid_at"),
    successAt: tstz("success_at"),
    closedAt: tstz("closed_at"),
    /** Order closes unpaid at this instant (created + 30 min by default). */
    expiresAt: tstz("expires_at").notNull(),
    /** Before this instant trade.get / trades.qr.get do not show the trade (lag fault). */
    visibleAt: tstz("visible_at").notNull(),
  },
  (t) => [index("youzan_trades_qr_idx").on(t.qrId, t.createdAt)],
);

export const youzanSandboxPushes = sandbox.table(
  "youzan_pushes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    msgId: text("msg_id"),
    type: text("type").notNull(),
    tid: text("tid"),
    /** The body without `sendCount`, which changes per attempt. */
    payload: jsonb("payload").notNull(),
    status: text("status").notNull().default("pending"),
    sendCount: integer("send_count").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull(),
    lastAttemptAt: tstz("last_attempt_at"),
    lastResult: text("last_result"),
    createdAt: tstz("created_at").notNull(),
  },
  (t) => [index("youzan_pushes_due_idx").on(t.status, t.nextAttemptAt)],
);

/** Every gateway call the sandbox answered: tests count provider queries from here. */
export const youzanSandboxCalls = sandbox.table(
  "youzan_api_calls",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    api: text("api").notNull(),
    version: text("version").notNull(),
    qrId: text("qr_id"),
    outcome: text("outcome").notNull(),
    createdAt: tstz("created_at").notNull(),
  },
  (t) => [index("youzan_api_calls_api_idx").on(t.api, t.createdAt)],
);

/** Single row: fault knobs and where pushes go. */
export const youzanSandboxSettings = sandbox.table("youzan_settings", {
  id: integer("id").primaryKey().default(1),
  faults: jsonb("faults").notNull().default({}),
  pushUrl: text("push_url"),
  updatedAt: updatedAt(),
});
