import "server-only";
import { and, desc, eq, gt, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { youzanSandboxPushes, youzanSandboxQrCodes, youzanSandboxTrades } from "@/db/schema";
import type { SandboxContext } from "./context";
import { SandboxError } from "./errors";
import { planPushes, type PlannedPush, type TradeEvent } from "./pushes";
import { readSettings } from "./settings";
import { newTid } from "./time";
import type { PayInput, YouzanFaults } from "./types";
import {
  CLOSE_TYPE_EXPIRED,
  PAID_TO_SUCCESS_MS,
  QR_ROW_TTL_MS,
  TRADE_TTL_MS,
  tradeStateAt,
  type QrRow,
  type TradeRow,
} from "./views";

/*
 * The trade state machine of spec §6.2. Every change runs in one transaction that also stores
 * the pushes it emits, under a row lock on the QR code so two payments of one dynamic code
 * cannot both succeed.
 */

const MAX_AMOUNT_FEN = 1_000_000_000;

/** Sandbox QR ids are the identity column; anything else cannot exist. */
export function parseQrId(qrId: string | number): number | null {
  const text = String(qrId).trim();
  if (!/^\d{1,10}$/.test(text)) return null;
  const id = Number(text);
  return id > 0 && id <= 2_147_483_647 ? id : null;
}

export async function findQr(db: Db, qrId: number): Promise<QrRow | undefined> {
  const [qr] = await db
    .select()
    .from(youzanSandboxQrCodes)
    .where(eq(youzanSandboxQrCodes.qrId, qrId));
  return qr;
}

async function lockQr(tx: Db, qrId: number): Promise<QrRow | undefined> {
  const [qr] = await tx
    .select()
    .from(youzanSandboxQrCodes)
    .where(eq(youzanSandboxQrCodes.qrId, qrId))
    .for("update");
  return qr;
}

export async function hasPaidTrade(db: Db, qrId: number): Promise<boolean> {
  const rows = await db
    .select({ tid: youzanSandboxTrades.tid })
    .from(youzanSandboxTrades)
    .where(and(eq(youzanSandboxTrades.qrId, qrId), isNotNull(youzanSandboxTrades.paidAt)))
    .limit(1);
  return rows.length > 0;
}

/** Closes of other trades found on the way are batches of their own (ordering faults are per trade). */
async function storeClosePushes(
  tx: Db,
  app: SandboxContext["app"],
  closes: TradeEvent[],
  faults: YouzanFaults,
  now: Date,
): Promise<void> {
  for (const close of closes) await storePushes(tx, planPushes(app, [close], faults, now), now);
}

export async function storePushes(tx: Db, planned: PlannedPush[], now: Date): Promise<void> {
  if (planned.length === 0) return;
  await tx.insert(youzanSandboxPushes).values(
    planned.map((push) => ({
      msgId: push.msgId,
      type: push.type,
      tid: push.tid,
      payload: push.payload,
      status: push.status,
      sendCount: push.sendCount,
      nextAttemptAt: push.dueAt,
      createdAt: now,
    })),
  );
}

/**
 * Closes unpaid orders past their expiry (all, or those of one QR code): TRADE_CLOSED with
 * close_type 1 at `expires_at`. The qr.get row stays WAIT_RECEIVED until its own 48 h expiry
 * (expireQrRows). The conditional update makes closing idempotent under concurrent ticks.
 */
export async function closeExpiredTrades(tx: Db, now: Date, qrId?: number): Promise<TradeEvent[]> {
  const t = youzanSandboxTrades;
  const closed = await tx
    .update(t)
    .set({
      orderStatus: "TRADE_CLOSED",
      closeType: CLOSE_TYPE_EXPIRED,
      closedAt: sql`${t.expiresAt}`,
    })
    .where(
      and(
        eq(t.orderStatus, "WAIT_BUYER_PAY"),
        isNull(t.paidAt),
        lte(t.expiresAt, now),
        qrId === undefined ? undefined : eq(t.qrId, qrId),
      ),
    )
    .returning();
  if (closed.length === 0) return [];
  const qrs = await tx
    .select()
    .from(youzanSandboxQrCodes)
    .where(inArray(youzanSandboxQrCodes.qrId, [...new Set(closed.map((trade) => trade.qrId))]));
  const byId = new Map(qrs.map((qr) => [qr.qrId, qr]));
  return closed
    .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
    .flatMap((trade) => {
      const qr = byId.get(trade.qrId);
      return qr
        ? [{ kind: "close" as const, at: trade.closedAt ?? trade.expiresAt, qr, trade }]
        : [];
    });
}

/**
 * Keeps the stored qr.get status in step with the views (which derive it from `created_at`):
 * unpaid rows 48 h after their scan become TRADE_EXPIRED. No push: Youzan sends none for it.
 */
async function expireQrRows(db: Db, now: Date): Promise<void> {
  const t = youzanSandboxTrades;
  await db
    .update(t)
    .set({ status: "TRADE_EXPIRED" })
    .where(
      and(
        eq(t.status, "WAIT_RECEIVED"),
        isNull(t.paidAt),
        lte(t.createdAt, new Date(now.getTime() - QR_ROW_TTL_MS)),
      ),
    );
}

async function insertScan(tx: Db, qr: QrRow, now: Date, faults: YouzanFaults): Promise<TradeRow> {
  const [trade] = await tx
    .insert(youzanSandboxTrades)
    .values({
      tid: newTid(now),
      qrId: qr.qrId,
      kdtId: qr.kdtId,
      status: "WAIT_RECEIVED",
      orderStatus: "WAIT_BUYER_PAY",
      createdAt: now,
      expiresAt: new Date(now.getTime() + TRADE_TTL_MS),
      visibleAt: new Date(now.getTime() + faults.tradeVisibleAfterSeconds * 1000),
    })
    .returning();
  if (!trade) throw new Error("trade insert returned nothing");
  return trade;
}

function notFound(qrId: string): SandboxError {
  return new SandboxError(404, `no QR code ${JSON.stringify(qrId)} in the Youzan sandbox`);
}

/** A payer opens the QR code: one WAIT_RECEIVED trade per scan (spec §3.2). */
export async function scanQr(ctx: SandboxContext, qrIdText: string): Promise<{ tid: string }> {
  const qrId = parseQrId(qrIdText);
  if (qrId === null) throw notFound(qrIdText);
  const now = await ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const qr = await lockQr(tx, qrId);
    if (!qr) throw notFound(qrIdText);
    const { faults } = await readSettings(tx);
    await storeClosePushes(tx, ctx.app, await closeExpiredTrades(tx, now, qrId), faults, now);
    const trade = await insertScan(tx, qr, now, faults);
    const events: TradeEvent[] = [{ kind: "create", at: now, qr, trade }];
    await storePushes(tx, planPushes(ctx.app, events, faults, now), now);
    return { tid: trade.tid };
  });
}

function validatePayInput(input: PayInput): void {
  if (input.payType !== undefined && !/^[A-Z][A-Z0-9_]{1,31}$/.test(input.payType)) {
    throw new SandboxError(400, "payType must be a Youzan pay_type name such as WXPAY or ALIPAY");
  }
  if (
    input.payerNick !== undefined &&
    (typeof input.payerNick !== "string" || input.payerNick.length > 64)
  ) {
    throw new SandboxError(400, "payerNick must be a string of at most 64 characters");
  }
  if (
    input.amountFen !== undefined &&
    (!Number.isSafeInteger(input.amountFen) ||
      input.amountFen < 1 ||
      input.amountFen > MAX_AMOUNT_FEN)
  ) {
    throw new SandboxError(400, `amountFen must be an integer from 1 to ${MAX_AMOUNT_FEN}`);
  }
  if (input.tid !== undefined && typeof input.tid !== "string") {
    throw new SandboxError(400, "tid must be a string");
  }
}

function alreadyPaid(qrId: number): SandboxError {
  return new SandboxError(
    409,
    `QR code ${qrId} is a QR_TYPE_DYNAMIC code and is already paid: it cannot be paid again`,
  );
}

/** The scan the payer asked for by `tid`, refused unless it can still be paid. */
async function requestedScan(tx: Db, qrId: number, tid: string, now: Date): Promise<TradeRow> {
  const t = youzanSandboxTrades;
  const [trade] = await tx
    .select()
    .from(t)
    .where(and(eq(t.tid, tid), eq(t.qrId, qrId)));
  if (!trade) throw new SandboxError(404, `no trade ${JSON.stringify(tid)} for QR code ${qrId}`);
  if (trade.paidAt) throw new SandboxError(409, `trade ${trade.tid} is already paid`);
  if (tradeStateAt(trade, now).orderStatus !== "WAIT_BUYER_PAY") {
    throw new SandboxError(409, `trade ${trade.tid} is closed and can no longer be paid`);
  }
  return trade;
}

/** The newest scan of this QR code whose order is still open, if any. */
async function newestOpenScan(tx: Db, qrId: number, now: Date): Promise<TradeRow | undefined> {
  const t = youzanSandboxTrades;
  const [trade] = await tx
    .select()
    .from(t)
    .where(
      and(
        eq(t.qrId, qrId),
        eq(t.orderStatus, "WAIT_BUYER_PAY"),
        isNull(t.paidAt),
        gt(t.expiresAt, now),
      ),
    )
    .orderBy(desc(t.createdAt), desc(t.tid))
    .limit(1);
  return trade;
}

/**
 * What the payer pays: `amountFen` when given (a wrong amount on purpose), else the QR price;
 * a payer-priced code always needs the amount.
 */
function amountToPay(qr: QrRow, input: PayInput): number {
  const amountFen =
    qr.qrType === "QR_TYPE_FIXED_BY_PERSON" ? input.amountFen : (input.amountFen ?? qr.qrPriceFen);
  if (amountFen === undefined || amountFen === null) {
    throw new SandboxError(400, "this QR code lets the payer choose the amount: send amountFen");
  }
  return amountFen;
}

/** TRADE_PAID now and TRADE_SUCCESS one second later; a lagging trade stays hidden a while. */
async function markPaid(
  tx: Db,
  trade: TradeRow,
  payment: { amountFen: number; payType?: string; payerNick?: string },
  lagSeconds: number,
  now: Date,
): Promise<TradeRow> {
  const t = youzanSandboxTrades;
  const visibleAt = new Date(
    Math.max(trade.visibleAt.getTime(), now.getTime() + lagSeconds * 1000),
  );
  const [paid] = await tx
    .update(t)
    .set({
      status: "TRADE_RECEIVED",
      orderStatus: "TRADE_PAID",
      realPriceFen: payment.amountFen,
      payType: payment.payType ?? "WXPAY",
      payerNick: payment.payerNick ?? "匿名",
      paidAt: now,
      successAt: new Date(now.getTime() + PAID_TO_SUCCESS_MS),
      visibleAt,
    })
    .where(
      and(
        eq(t.tid, trade.tid),
        eq(t.orderStatus, "WAIT_BUYER_PAY"),
        isNull(t.paidAt),
        gt(t.expiresAt, now),
      ),
    )
    .returning();
  if (!paid) throw new SandboxError(409, `trade ${trade.tid} closed before it was paid`);
  return paid;
}

/**
 * The payer pays: scan + pay in one, reusing the newest open scan of this QR code (or the
 * given `tid`). TRADE_PAID now, TRADE_SUCCESS one second later; pushes for both.
 */
export async function payQr(ctx: SandboxContext, input: PayInput): Promise<{ tid: string }> {
  validatePayInput(input);
  const qrId = parseQrId(input.qrId);
  if (qrId === null) throw notFound(input.qrId);
  const now = await ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const qr = await lockQr(tx, qrId);
    if (!qr) throw notFound(input.qrId);
    if (qr.qrType === "QR_TYPE_DYNAMIC" && (await hasPaidTrade(tx, qrId))) {
      throw alreadyPaid(qrId);
    }
    const payment = { ...input, amountFen: amountToPay(qr, input) };
    const { faults } = await readSettings(tx);
    await storeClosePushes(tx, ctx.app, await closeExpiredTrades(tx, now, qrId), faults, now);

    const events: TradeEvent[] = [];
    let trade =
      input.tid !== undefined
        ? await requestedScan(tx, qrId, input.tid, now)
        : await newestOpenScan(tx, qrId, now);
    if (!trade) {
      trade = await insertScan(tx, qr, now, faults);
      events.push({ kind: "create", at: now, qr, trade });
    }
    const paid = await markPaid(tx, trade, payment, faults.tradeVisibleAfterSeconds, now);
    events.push({ kind: "paid", at: now, qr, trade: paid });
    events.push({ kind: "success", at: paid.successAt ?? now, qr, trade: paid });
    await storePushes(tx, planPushes(ctx.app, events, faults, now), now);
    return { tid: paid.tid };
  });
}

/**
 * tick(): closes what expired, emitting close pushes; flips TRADE_PAID rows whose second passed;
 * expires qr.get rows older than 48 h.
 */
export async function closeDueTrades(ctx: SandboxContext, now: Date): Promise<number> {
  const closed = await ctx.db.transaction(async (tx) => {
    const events = await closeExpiredTrades(tx, now);
    if (events.length > 0) {
      await storeClosePushes(tx, ctx.app, events, (await readSettings(tx)).faults, now);
    }
    return events.length;
  });
  const t = youzanSandboxTrades;
  await ctx.db
    .update(t)
    .set({ orderStatus: "TRADE_SUCCESS" })
    .where(and(eq(t.orderStatus, "TRADE_PAID"), lte(t.successAt, now)));
  await expireQrRows(ctx.db, now);
  return closed;
}
