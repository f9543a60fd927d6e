import "server-only";
import { and, eq, getTableColumns, lte, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { bind, statement, type Slots } from "@/db/statement";
import {
  alipaySandboxAgreements as agreements,
  alipaySandboxRefunds as refunds,
  alipaySandboxTrades as trades,
} from "@/db/schema";
import {
  agreementQueryFields,
  findAgreement,
  isExpired,
  unsignAgreement,
  type AgreementRow,
} from "./agreements";
import { BUYER, type AlipayContext } from "./context";
import type { AlipayFaults } from "./faults";
import { enqueueNotifications, type PlannedNotification } from "./notify";
import { bizError, SUCCESS, type JsonObject } from "./responses";
import { creditBalance, ensureRow } from "./settings";
import {
  alipaySandboxCalls as callsTable,
  alipaySandboxSettings as settingsTable,
} from "@/db/schema";
import {
  formatAlipayTime,
  inDeductWindow,
  isCalendarDate,
  newTradeNo,
  nextPeriodDate,
  parseYuan,
  yuan,
} from "./time";

/*
 * The business methods of the gateway (spec §4.4–4.9, §9.8–9.11). Each takes the decoded
 * biz_content and returns the inner response object (success or a 40004 business failure).
 */

export type TradeRow = typeof trades.$inferSelect;
export type Biz = Record<string, unknown>;

export interface MethodInput {
  biz: Biz;
  /** Top-level protocol params (notify_url …). */
  top: Record<string, string>;
  now: Date;
  faults: AlipayFaults;
  /** The settings row existed when the request read it (else a charge creates it first). */
  settingsStored: boolean;
  /**
   * Set by the gateway when nothing else may change the call's outcome (no injection): a method
   * may then record the call itself inside its own transaction (`recorded`), and the gateway
   * does not record it again.
   */
  recordCall?: { method: string; recorded: boolean };
}

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value !== ""
    ? value
    : typeof value === "number"
      ? String(value)
      : undefined;

const invalid = (what: string) => bizError("ACQ.INVALID_PARAMETER", `参数无效: ${what}`);

const OUT_TRADE_NO = /^[A-Za-z0-9_]{1,64}$/;

export function tradeNotifyFields(trade: TradeRow): PlannedNotification["fields"] {
  return {
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_id: trade.buyerUserId,
    buyer_logon_id: BUYER.logonId,
    seller_id: undefined,
    trade_status: trade.status,
    total_amount: yuan(trade.totalFen),
    receipt_amount: yuan(trade.totalFen),
    invoice_amount: yuan(trade.totalFen),
    buyer_pay_amount: yuan(trade.totalFen),
    point_amount: "0.00",
    subject: trade.subject,
    gmt_create: formatAlipayTime(trade.createdAt),
    gmt_payment: trade.paidAt ? formatAlipayTime(trade.paidAt) : undefined,
    gmt_close: trade.closedAt ? formatAlipayTime(trade.closedAt) : undefined,
    fund_bill_list: trade.paidAt
      ? JSON.stringify([{ amount: yuan(trade.totalFen), fundChannel: "ALIPAYACCOUNT" }])
      : undefined,
    passback_params: trade.passbackParams,
  };
}

/** A trade notify to the trade's notify_url; none without one (§5.1). */
export function tradeNotify(
  ctx: AlipayContext,
  trade: TradeRow,
  extra: Record<string, string> = {},
): PlannedNotification[] {
  if (!trade.notifyUrl) return [];
  return [
    {
      notifyType: "trade_status_sync",
      targetUrl: trade.notifyUrl,
      fields: { ...tradeNotifyFields(trade), seller_id: ctx.sellerId, ...extra },
    },
  ];
}

export async function findTrade(ctx: AlipayContext, biz: Biz): Promise<TradeRow | null> {
  const tradeNo = str(biz.trade_no);
  const outTradeNo = str(biz.out_trade_no);
  const where = tradeNo
    ? eq(trades.tradeNo, tradeNo)
    : outTradeNo
      ? eq(trades.outTradeNo, outTradeNo)
      : null;
  if (!where) return null;
  const [row] = await ctx.db.select().from(trades).where(where);
  return row ?? null;
}

function paidFields(ctx: AlipayContext, trade: TradeRow) {
  return {
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_logon_id: BUYER.logonId,
    total_amount: yuan(trade.totalFen),
    receipt_amount: yuan(trade.totalFen),
    buyer_pay_amount: yuan(trade.totalFen),
    point_amount: "0.00",
    invoice_amount: yuan(trade.totalFen),
    fund_bill_list: [{ fund_channel: "ALIPAYACCOUNT", amount: yuan(trade.totalFen) }],
    buyer_user_id: trade.buyerUserId,
    seller_id: ctx.sellerId,
  };
}

const fingerprintOf = (parts: Record<string, string | null | undefined>) => JSON.stringify(parts);

/** A user-side decline chosen by a fault injection. */
export const DECLINES = {
  balance_insufficient: ["ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足"],
  bankcard_insufficient: ["ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH", "买家银行卡余额不足"],
  payment_fail: ["ACQ.PAYMENT_FAIL", "支付失败"],
  risk: ["ACQ.PAYMENT_REQUEST_HAS_RISK", "支付有风险"],
} as const;

/** What the charge transaction decided; `repeat`: the trade is read again once it committed. */
type PayOutcome =
  { error: JsonObject } | { existing: TradeRow } | { repeat: true } | { trade: TradeRow };

class TakenByAnother extends Error {}
/** The buyer's balance does not cover the charge: nothing of this call stays. */
class Declined extends Error {}

/** `alipay.trade.pay` with `agreement_params.agreement_no` (§4.4, §6, §9.8–9.9). */
export async function tradePay(ctx: AlipayContext, input: MethodInput): Promise<JsonObject> {
  const { biz, top, now, faults, settingsStored } = input;
  const outTradeNo = str(biz.out_trade_no);
  if (!outTradeNo || !OUT_TRADE_NO.test(outTradeNo)) return invalid("out_trade_no");
  const totalFen = parseYuan(str(biz.total_amount));
  if (totalFen === null || totalFen < 1 || totalFen > 100_000_000_00)
    return invalid("total_amount");
  const subject = str(biz.subject);
  if (!subject || /[/=&]/.test(subject)) return invalid("subject");
  const productCode = str(biz.product_code);
  if (productCode !== "CYCLE_PAY_AUTH" && productCode !== "GENERAL_WITHHOLDING") {
    return bizError(
      "ACQ.ACCESS_FORBIDDEN",
      "product_code 须为 CYCLE_PAY_AUTH 或 GENERAL_WITHHOLDING",
    );
  }
  const params = (biz.agreement_params ?? {}) as Biz;
  const agreementNo = str(params.agreement_no);
  if (!agreementNo) return bizError("ACQ.AGREEMENT_NOT_EXIST", "协议不存在");
  const fingerprint = fingerprintOf({
    totalFen: String(totalFen),
    subject,
    agreementNo,
    productCode,
  });

  const outcome = await ctx.db
    .transaction(async (tx): Promise<PayOutcome> => {
      // A repeat, or a concurrent call with the same out_trade_no that charged while we waited
      // for the lock: read after the lock, in a statement of its own, so it sees what the holder
      // did. Both are sent at once (one round trip): the server runs the read after the lock is
      // granted, with a snapshot of its own taken then.
      const [[agreement], [existing]] = await Promise.all([
        lockAgreementStatement.run(tx, { agreementNo }),
        tradeByOutTradeNo.run(tx, { outTradeNo }),
      ]);
      if (existing) return { existing };
      if (!settingsStored) await ensureRow(tx);
      const refusal = deductionRefusal(agreement, totalFen, now, faults.windowDays);
      if (refusal) return { error: refusal };
      const a = agreement as AgreementRow;
      const trade: TradeRow = {
        tradeNo: newTradeNo(now),
        outTradeNo,
        method: "alipay.trade.pay",
        agreementNo,
        status: "TRADE_SUCCESS",
        totalFen,
        refundedFen: 0,
        subject,
        productCode,
        fingerprint,
        notifyUrl: top.notify_url ?? null,
        passbackParams: str(biz.passback_params) ?? null,
        buyerUserId: a.buyerUserId,
        createdAt: now,
        paidAt: now,
        closedAt: null,
        expiresAt: null,
      };
      // The trade's notification is stored with it, sent together with the charge: when the
      // charge does not go through, the transaction is rolled back and the notification with it.
      const [charged] = await Promise.all([
        charge(tx, trade, a, now),
        enqueueNotifications({ ...ctx, db: tx }, tradeNotify(ctx, trade), now, faults),
        // The call's record ("ok") too: kept only if the charge goes through.
        input.recordCall &&
          recordCallStatement.run(tx, { method: input.recordCall.method, createdAt: now }),
      ]);
      if (charged === "balance") throw new Declined();
      // Another call stored this out_trade_no first (for another agreement: its lock is not
      // ours): this call's debit must not stay, so the transaction is rolled back.
      if (charged === "taken") throw new TakenByAnother();
      if (input.recordCall) input.recordCall.recorded = true;
      return { trade };
    })
    .catch((error: unknown): PayOutcome => {
      if (error instanceof TakenByAnother) return { repeat: true };
      if (error instanceof Declined) return { error: bizError(...DECLINES.balance_insufficient) };
      throw error;
    });
  if ("error" in outcome) return outcome.error;
  if ("existing" in outcome) return repeatAnswer(ctx, outcome.existing, fingerprint);
  if ("repeat" in outcome) {
    const [again] = await tradeByOutTradeNo.run(ctx.db, { outTradeNo });
    return again ? repeatAnswer(ctx, again, fingerprint) : bizError("ACQ.SYSTEM_ERROR", "系统错误");
  }
  const { trade } = outcome;
  return { ...SUCCESS, ...paidFields(ctx, trade), gmt_payment: formatAlipayTime(now) };
}

/**
 * The charge of a trade.pay in one statement: the buyer's balance is debited if it suffices,
 * the trade is inserted only if it was, the agreement moves on only if the trade went in. The
 * debit is a plain UPDATE (row lock, its condition checked again after a wait), so the balance
 * never goes negative. "taken": debited, but a concurrent call stored this out_trade_no first.
 */
async function charge(
  tx: Db,
  trade: TradeRow,
  agreement: AgreementRow,
  now: Date,
): Promise<"charged" | "balance" | "taken"> {
  const [row] = await chargeStatement.run(tx, {
    ...trade,
    nextDeductDate: nextPeriodDate(
      agreement.nextDeductDate,
      agreement.periodType as "DAY" | "MONTH",
      agreement.period,
    ),
    lastDeductTime: now,
  });
  if (!row) return "balance";
  return row.tradeNo === null ? "taken" : "charged";
}

const chargeStatement = statement(
  (tx, slot: Slots<TradeRow & { nextDeductDate: string; lastDeductTime: Date }>) => {
    const debit = tx.$with("debit").as(
      tx
        .update(settingsTable)
        .set({ buyerBalanceFen: sql`${settingsTable.buyerBalanceFen} - ${slot.totalFen}` })
        .where(
          and(eq(settingsTable.id, 1), sql`${settingsTable.buyerBalanceFen} >= ${slot.totalFen}`),
        )
        .returning({ id: settingsTable.id }),
    );
    // Every column, in the table's order (drizzle checks it): one row if the debit went through.
    const values = Object.fromEntries(
      Object.entries(getTableColumns(trades)).map(([key, column]) => [
        key,
        bind(slot[key as keyof TradeRow], column).as(column.name),
      ]),
    ) as Record<keyof TradeRow, SQL.Aliased>;
    const inserted = tx
      .$with("inserted")
      .as(
        tx
          .insert(trades)
          .select(tx.select(values).from(debit))
          .onConflictDoNothing()
          .returning({ tradeNo: trades.tradeNo }),
      );
    const moved = tx.$with("moved").as(
      tx
        .update(agreements)
        .set({
          nextDeductDate: bind(slot.nextDeductDate, agreements.nextDeductDate),
          lastDeductTime: bind(slot.lastDeductTime, agreements.lastDeductTime),
          deductedFen: sql`${agreements.deductedFen} + ${slot.totalFen}`,
          deductedCount: sql`${agreements.deductedCount} + 1`,
        })
        .where(
          and(
            eq(agreements.agreementNo, slot.agreementNo),
            sql`exists (select 1 from ${inserted})`,
          ),
        ),
    );
    return tx
      .with(debit, inserted, moved)
      .select({ tradeNo: inserted.tradeNo })
      .from(debit)
      .leftJoin(inserted, sql`true`);
  },
);

const lockAgreementStatement = statement((db, slot: Slots<{ agreementNo: string }>) =>
  db.select().from(agreements).where(eq(agreements.agreementNo, slot.agreementNo)).for("update"),
);

const tradeByOutTradeNo = statement((db, slot: Slots<{ outTradeNo: string }>) =>
  db.select().from(trades).where(eq(trades.outTradeNo, slot.outTradeNo)),
);

const recordCallStatement = statement((db, slot: Slots<{ method: string; createdAt: Date }>) =>
  db.insert(callsTable).values({ method: slot.method, outcome: "ok", createdAt: slot.createdAt }),
);

function repeatAnswer(ctx: AlipayContext, trade: TradeRow, fingerprint: string): JsonObject {
  if (trade.fingerprint !== fingerprint) {
    return bizError("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改");
  }
  if (trade.status === "TRADE_CLOSED") return bizError("ACQ.TRADE_HAS_CLOSE", "交易已经关闭");
  if (trade.status === "TRADE_SUCCESS" || trade.status === "TRADE_FINISHED") {
    return bizError("ACQ.TRADE_HAS_SUCCESS", "交易已被支付");
  }
  void ctx;
  return bizError("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
}

/** Why the agreement cannot be charged now, or null (§9.7–9.8). */
export function deductionRefusal(
  agreement: AgreementRow | undefined,
  totalFen: number,
  now: Date,
  windowDays: number,
): JsonObject | null {
  if (!agreement || agreement.status === "UNSIGN" || agreement.status === "TEMP") {
    return bizError("ACQ.AGREEMENT_NOT_EXIST", "协议不存在");
  }
  if (isExpired(agreement, now)) return bizError("ACQ.AGREEMENT_INVALID", "用户协议已失效");
  if (agreement.status !== "NORMAL") {
    return bizError("ACQ.AGREEMENT_STATUS_NOT_NORMAL", "协议状态非正常状态");
  }
  if (!inDeductWindow(now, agreement.nextDeductDate, windowDays)) {
    return bizError("ACQ.CYCLE_PAY_DATE_NOT_MATCH", "扣款日期不在签约时的允许范围之内");
  }
  if (totalFen > agreement.singleAmountFen) {
    return bizError("ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED", "周期扣款的单笔金额超过签约时限制");
  }
  if (
    agreement.totalAmountFen !== null &&
    agreement.deductedFen + totalFen > agreement.totalAmountFen
  ) {
    return bizError("ACQ.CYCLE_PAY_TOTAL_FEE_EXCEED", "周期扣款的累计金额超过签约时限制");
  }
  if (agreement.totalPayments !== null && agreement.deductedCount >= agreement.totalPayments) {
    return bizError("ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED", "周期扣款的累计次数超过签约时限制");
  }
  return null;
}

function queryFields(ctx: AlipayContext, trade: TradeRow): JsonObject {
  const paid = trade.paidAt !== null;
  return {
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_logon_id: BUYER.logonId,
    trade_status: trade.status,
    total_amount: yuan(trade.totalFen),
    buyer_pay_amount: paid ? yuan(trade.totalFen) : "0.00",
    point_amount: "0.00",
    invoice_amount: paid ? yuan(trade.totalFen) : "0.00",
    ...(paid && trade.paidAt ? { send_pay_date: formatAlipayTime(trade.paidAt) } : {}),
    receipt_amount: paid ? yuan(trade.totalFen) : "0.00",
    buyer_user_id: trade.buyerUserId,
    ...(trade.passbackParams ? { passback_params: trade.passbackParams } : {}),
    ...(paid
      ? { fund_bill_list: [{ fund_channel: "ALIPAYACCOUNT", amount: yuan(trade.totalFen) }] }
      : {}),
    seller_id: ctx.sellerId,
  };
}

export async function tradeQuery(ctx: AlipayContext, input: MethodInput): Promise<JsonObject> {
  if (!str(input.biz.trade_no) && !str(input.biz.out_trade_no)) return invalid("out_trade_no");
  const trade = await findTrade(ctx, input.biz);
  if (!trade) return bizError("ACQ.TRADE_NOT_EXIST", "交易不存在");
  return { ...SUCCESS, ...queryFields(ctx, trade) };
}

export async function tradeClose(ctx: AlipayContext, input: MethodInput): Promise<JsonObject> {
  const trade = await findTrade(ctx, input.biz);
  if (!trade) return bizError("ACQ.TRADE_NOT_EXIST", "交易不存在");
  const closed = await closeTrade(ctx, trade, input.now, input.faults);
  if (!closed) return bizError("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
  return { ...SUCCESS, trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo };
}

/** WAIT_BUYER_PAY → TRADE_CLOSED with its notify; false in any other state. */
export async function closeTrade(
  ctx: AlipayContext,
  trade: TradeRow,
  now: Date,
  faults?: AlipayFaults,
): Promise<boolean> {
  const [row] = await ctx.db
    .update(trades)
    .set({ status: "TRADE_CLOSED", closedAt: now })
    .where(and(eq(trades.tradeNo, trade.tradeNo), eq(trades.status, "WAIT_BUYER_PAY")))
    .returning();
  if (!row) return false;
  await enqueueNotifications(ctx, tradeNotify(ctx, row), now, faults);
  return true;
}

/** Unpaid trades past their expiry close (§9.6). */
export async function closeExpiredTrades(ctx: AlipayContext, now: Date): Promise<number> {
  const due = await ctx.db
    .select()
    .from(trades)
    .where(and(eq(trades.status, "WAIT_BUYER_PAY"), lte(trades.expiresAt, now)));
  let closed = 0;
  for (const trade of due) if (await closeTrade(ctx, trade, now)) closed++;
  return closed;
}

/** `alipay.trade.refund` (§4.7, §9.18): once per out_request_no; repeats answer fund_change N. */
export async function tradeRefund(ctx: AlipayContext, input: MethodInput): Promise<JsonObject> {
  const { biz, now } = input;
  const trade = await findTrade(ctx, biz);
  if (!trade) return bizError("ACQ.TRADE_NOT_EXIST", "交易不存在");
  const amountFen = parseYuan(str(biz.refund_amount));
  if (amountFen === null || amountFen < 1) return invalid("refund_amount");
  const outRequestNo = str(biz.out_request_no) ?? trade.outTradeNo;
  const answerFor = (t: TradeRow, fundChange: "Y" | "N"): JsonObject => ({
    ...SUCCESS,
    trade_no: t.tradeNo,
    out_trade_no: t.outTradeNo,
    buyer_logon_id: BUYER.logonId,
    buyer_user_id: t.buyerUserId,
    fund_change: fundChange,
    refund_fee: yuan(t.refundedFen),
    gmt_refund_pay: formatAlipayTime(now),
    send_back_fee: yuan(amountFen),
  });
  const outcome = await ctx.db.transaction(async (tx) => {
    const [locked] = await tx
      .select()
      .from(trades)
      .where(eq(trades.tradeNo, trade.tradeNo))
      .for("update");
    if (!locked) return { error: bizError("ACQ.TRADE_NOT_EXIST", "交易不存在") };
    const [previous] = await tx
      .select()
      .from(refunds)
      .where(and(eq(refunds.tradeNo, locked.tradeNo), eq(refunds.outRequestNo, outRequestNo)));
    if (previous) {
      if (previous.amountFen !== amountFen) {
        return { error: bizError("ACQ.DISCORDANT_REPEAT_REQUEST", "请求信息不一致") };
      }
      return { answer: answerFor(locked, "N") };
    }
    if (locked.status !== "TRADE_SUCCESS") {
      return { error: bizError("ACQ.TRADE_STATUS_ERROR", "交易状态不合法") };
    }
    if (locked.refundedFen + amountFen > locked.totalFen) {
      return { error: bizError("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限") };
    }
    await tx.insert(refunds).values({
      tradeNo: locked.tradeNo,
      outRequestNo,
      amountFen,
      createdAt: now,
    });
    const full = locked.refundedFen + amountFen === locked.totalFen;
    const [updated] = await tx
      .update(trades)
      .set({
        refundedFen: locked.refundedFen + amountFen,
        ...(full ? { status: "TRADE_CLOSED", closedAt: now } : {}),
      })
      .where(eq(trades.tradeNo, locked.tradeNo))
      .returning();
    return { refunded: updated as TradeRow, full };
  });
  if ("error" in outcome && outcome.error) return outcome.error;
  if ("answer" in outcome && outcome.answer) return outcome.answer;
  const { refunded } = outcome as { refunded: TradeRow; full: boolean };
  await creditBalance(ctx.db, amountFen);
  await enqueueNotifications(
    ctx,
    tradeNotify(ctx, refunded, {
      refund_fee: yuan(refunded.refundedFen),
      gmt_refund: formatAlipayTime(now),
      out_biz_no: outRequestNo,
    }),
    now,
    input.faults,
  );
  return answerFor(refunded, "Y");
}

function agreementBy(biz: Biz) {
  return {
    agreementNo: str(biz.agreement_no),
    externalAgreementNo: str(biz.external_agreement_no),
  };
}

const NOT_EXIST = () => bizError("USER_AGREEMENT_NOT_EXIST", "用户协议不存在");

export async function agreementQuery(ctx: AlipayContext, input: MethodInput): Promise<JsonObject> {
  const row = await findAgreement(ctx, agreementBy(input.biz));
  if (!row || row.status === "UNSIGN") return NOT_EXIST();
  return { ...SUCCESS, ...agreementQueryFields(row) };
}

export async function agreementUnsign(ctx: AlipayContext, input: MethodInput): Promise<JsonObject> {
  const row = await findAgreement(ctx, agreementBy(input.biz));
  if (!row || row.status === "UNSIGN") return NOT_EXIST();
  const done = await unsignAgreement(ctx, row.agreementNo, input.now, {
    targetUrl: input.top.notify_url ?? null,
    notify: true,
    faults: input.faults,
  });
  return done ? { ...SUCCESS } : NOT_EXIST();
}

/** `executionplan.modify` (§4.8, §9.10): postpone only; MONTH target day 1–28. */
export async function agreementModify(ctx: AlipayContext, input: MethodInput): Promise<JsonObject> {
  const row = await findAgreement(ctx, { agreementNo: str(input.biz.agreement_no) });
  if (!row || row.status === "UNSIGN") return NOT_EXIST();
  const deductTime = str(input.biz.deduct_time) ?? "";
  if (!isCalendarDate(deductTime)) return bizError("INVALID_PARAMETER", "deduct_time 格式错误");
  if (input.faults.modifyLimit !== null && row.modifyCount >= input.faults.modifyLimit) {
    return bizError("INVALID_PARAMETER", `修改次数已达上限 ${input.faults.modifyLimit}`);
  }
  if (deductTime <= row.nextDeductDate) {
    return bizError("INVALID_PARAMETER", "只能延后扣款日期");
  }
  if (row.periodType === "MONTH" && Number(deductTime.slice(8)) > 28) {
    return bizError("INVALID_PARAMETER", "按月扣款的日期须在 1-28 日");
  }
  await ctx.db
    .update(agreements)
    .set({ nextDeductDate: deductTime, modifyCount: sql`${agreements.modifyCount} + 1` })
    .where(eq(agreements.agreementNo, row.agreementNo));
  return { ...SUCCESS, agreement_no: row.agreementNo, deduct_time: deductTime };
}
