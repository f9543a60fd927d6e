import "server-only";
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { tstz, updatedAt } from "./shop-time";

/** State of the payment sandboxes lives in its own schema, never in the shop's tables. */
export const sandbox = pgSchema("sandbox");

/** The one virtual clock of sandbox mode: shop and both sandboxes read `now + offset`. */
export const sandboxClock = sandbox.table(
  "clock",
  {
    id: integer("id").primaryKey().default(1),
    offsetMs: bigint("offset_ms", { mode: "number" }).notNull().default(0),
    // Real time, unlike every other updated_at: this row is the clock, and when it was moved is
    // a real instant (reading the offset while changing it would also see the old value).
    updatedAt: tstz("updated_at")
      .notNull()
      .defaultNow()
      .$onUpdate(() => sql`statement_timestamp()`),
  },
  (t) => [check("clock_single_row", sql`${t.id} = 1`)],
);

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

/*
 * Alipay sandbox state (lib/sandbox/alipay). Shapes follow ../shared/specs/alipay.md §9. Amounts
 * are integer fen; deduction dates are Asia/Shanghai calendar dates (`yyyy-MM-dd` text).
 */

/** Single row: the sandbox app's key pair and the "Alipay" key pair (PEM), made on first use. */
export const alipaySandboxKeys = sandbox.table(
  "alipay_keys",
  {
    id: integer("id").primaryKey().default(1),
    appId: text("app_id").notNull(),
    appPrivateKeyPem: text("app_private_key_pem").notNull(),
    appPublicKeyPem: text("app_public_key_pem").notNull(),
    alipayPrivateKeyPem: text("alipay_private_key_pem").notNull(),
    alipayPublicKeyPem: text("alipay_public_key_pem").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [check("alipay_keys_single_row", sql`${t.id} = 1`)],
);

export const alipaySandboxAgreements = sandbox.table(
  "alipay_agreements",
  {
    agreementNo: text("agreement_no").primaryKey(),
    externalAgreementNo: text("external_agreement_no"),
    buyerUserId: text("buyer_user_id").notNull(),
    personalProductCode: text("personal_product_code").notNull(),
    productCode: text("product_code"),
    signScene: text("sign_scene").notNull(),
    /** TEMP, NORMAL, STOP or UNSIGN. */
    status: text("status").notNull(),
    periodType: text("period_type").notNull(),
    period: integer("period").notNull(),
    singleAmountFen: bigint("single_amount_fen", { mode: "number" }).notNull(),
    totalAmountFen: bigint("total_amount_fen", { mode: "number" }),
    totalPayments: integer("total_payments"),
    deductedFen: bigint("deducted_fen", { mode: "number" }).notNull().default(0),
    deductedCount: integer("deducted_count").notNull().default(0),
    nextDeductDate: text("next_deduct_date").notNull(),
    modifyCount: integer("modify_count").notNull().default(0),
    lastDeductTime: tstz("last_deduct_time"),
    signTime: tstz("sign_time").notNull(),
    validTime: tstz("valid_time").notNull(),
    /** From `sign_validity_period`; null = long-term (shown as 2115-02-01 00:00:00). */
    invalidTime: tstz("invalid_time"),
    unsignTime: tstz("unsign_time"),
    /** Where the sign was asked for: `app.pay` (pay then sign) or `page.sign`. */
    source: text("source").notNull(),
  },
  (t) => [uniqueIndex("alipay_agreements_external_no_uq").on(t.externalAgreementNo)],
);

export const alipaySandboxTrades = sandbox.table(
  "alipay_trades",
  {
    tradeNo: text("trade_no").primaryKey(),
    outTradeNo: text("out_trade_no").notNull(),
    /** `alipay.trade.app.pay` or `alipay.trade.pay`. */
    method: text("method").notNull(),
    agreementNo: text("agreement_no"),
    /** WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_CLOSED. */
    status: text("status").notNull(),
    totalFen: bigint("total_fen", { mode: "number" }).notNull(),
    refundedFen: bigint("refunded_fen", { mode: "number" }).notNull().default(0),
    subject: text("subject").notNull(),
    productCode: text("product_code"),
    /** The business params a repeat of this out_trade_no must match (ACQ.CONTEXT_INCONSISTENT). */
    fingerprint: text("fingerprint").notNull(),
    notifyUrl: text("notify_url"),
    passbackParams: text("passback_params"),
    buyerUserId: text("buyer_user_id").notNull(),
    createdAt: tstz("created_at").notNull(),
    paidAt: tstz("paid_at"),
    closedAt: tstz("closed_at"),
    expiresAt: tstz("expires_at"),
  },
  (t) => [uniqueIndex("alipay_trades_out_trade_no_uq").on(t.outTradeNo)],
);

export const alipaySandboxRefunds = sandbox.table(
  "alipay_refunds",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tradeNo: text("trade_no").notNull(),
    outRequestNo: text("out_request_no").notNull(),
    amountFen: bigint("amount_fen", { mode: "number" }).notNull(),
    createdAt: tstz("created_at").notNull(),
  },
  (t) => [uniqueIndex("alipay_refunds_request_uq").on(t.tradeNo, t.outRequestNo)],
);

/** Notifications; `target_url` null means the app gateway, resolved at each attempt. */
export const alipaySandboxNotifications = sandbox.table(
  "alipay_notifications",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    notifyId: text("notify_id").notNull(),
    notifyType: text("notify_type").notNull(),
    targetUrl: text("target_url"),
    /** The fields without notify_time, sign and sign_type (added per attempt). */
    params: jsonb("params").notNull(),
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** A copy sent after a `success` (realism switch); it is never copied again. */
    duplicate: integer("duplicate").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull(),
    lastAttemptAt: tstz("last_attempt_at"),
    lastResult: text("last_result"),
    createdAt: tstz("created_at").notNull(),
  },
  (t) => [index("alipay_notifications_due_idx").on(t.status, t.nextAttemptAt)],
);

export const alipaySandboxCalls = sandbox.table(
  "alipay_api_calls",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    method: text("method").notNull(),
    outcome: text("outcome").notNull(),
    createdAt: tstz("created_at").notNull(),
  },
  (t) => [index("alipay_api_calls_method_idx").on(t.method, t.createdAt)],
);

/** Single row: fault knobs, the app gateway URL override and the buyer's balance. */
export const alipaySandboxSettings = sandbox.table("alipay_settings", {
  id: integer("id").primaryKey().default(1),
  faults: jsonb("faults").notNull().default({}),
  appGatewayUrl: text("app_gateway_url"),
  buyerBalanceFen: bigint("buyer_balance_fen", { mode: "number" }).notNull().default(100_000_00),
  updatedAt: updatedAt(),
});

/*
 * The sandbox mailbox (issue #13): in sandbox mode without SMTP_URL every mail the shop sends
 * lands here, as the raw message an SMTP server would have received plus its parts for the
 * viewer at /sandbox/mail (Mailpit-like).
 */
export const sandboxMail = sandbox.table(
  "mail",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    messageId: text("message_id").notNull(),
    mailFrom: text("mail_from").notNull(),
    mailTo: text("mail_to").notNull(),
    subject: text("subject").notNull(),
    html: text("html"),
    text: text("text").notNull(),
    /** Headers worth showing (List-Unsubscribe, X-Xiaopu-Notice…). */
    headers: jsonb("headers").$type<Record<string, string>>().notNull().default({}),
    /** The whole RFC 5322 message, as an SMTP server would store it (download as .eml). */
    raw: text("raw").notNull(),
    noticeId: text("notice_id"),
    receivedAt: tstz("received_at")
      .notNull()
      .defaultNow()
      .$defaultFn(() => sql`statement_timestamp()`),
  },
  (t) => [
    index("sandbox_mail_received_idx").on(t.receivedAt, t.id),
    index("sandbox_mail_to_idx").on(t.mailTo),
  ],
);
