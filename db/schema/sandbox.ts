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
