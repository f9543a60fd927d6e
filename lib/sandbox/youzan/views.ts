import "server-only";
import { createHash } from "node:crypto";
import type { youzanSandboxQrCodes, youzanSandboxTrades } from "@/db/schema";
import { fenToYuan } from "@/lib/money";
import type { JsonObject } from "./envelopes";
import { formatYouzanTime, formatYouzanTimeOrEmpty } from "./time";

/*
 * Pure views of the stored QR codes and trades, in Youzan's wire shapes (spec §3, §6.2). The
 * state at any instant is derived from the row's timestamps, so a trade reads the same whether
 * or not tick() has run yet: paid → TRADE_PAID until `success_at` (1 s later), then
 * TRADE_SUCCESS; unpaid past `expires_at` (30 min) → the order is closed; unpaid 48 h after the
 * scan → the qr.get row is expired. The two views describe different objects with their own
 * clocks (spec §3.3), so for most of those 48 h a closed order still lists as WAIT_RECEIVED.
 */

export type QrRow = typeof youzanSandboxQrCodes.$inferSelect;
/** A QR code without its image (a ~3 KB data URL): what the trade views need. */
export type QrFacts = Omit<QrRow, "qrCode">;
export type TradeRow = typeof youzanSandboxTrades.$inferSelect;

export const QR_TYPES = ["QR_TYPE_DYNAMIC", "QR_TYPE_NOLIMIT", "QR_TYPE_FIXED_BY_PERSON"] as const;
export type QrType = (typeof QR_TYPES)[number];

export const QR_TRADE_STATUSES = ["WAIT_RECEIVED", "TRADE_RECEIVED", "TRADE_EXPIRED"] as const;
export type QrTradeStatus = (typeof QR_TRADE_STATUSES)[number];
export type OrderStatus = "WAIT_BUYER_PAY" | "TRADE_PAID" | "TRADE_SUCCESS" | "TRADE_CLOSED";

/** An order closes this long after the scan when unpaid. */
export const TRADE_TTL_MS = 30 * 60 * 1000;
/** An unpaid qr.get row turns TRADE_EXPIRED this long after the scan ("unpaid within 48 h"). */
export const QR_ROW_TTL_MS = 48 * 60 * 60 * 1000;
/** QR orders are virtual goods: TRADE_PAID lasts about a second before TRADE_SUCCESS. */
export const PAID_TO_SUCCESS_MS = 1000;
export const CLOSE_TYPE_EXPIRED = 1;
export const CLOSE_REASON_EXPIRED = "超时未支付，订单自动关闭";

/** The undocumented numeric `qr_type` of the create answer; only 4 (dynamic) is sourced. */
const NUMERIC_QR_TYPE: Record<string, number> = {
  QR_TYPE_DYNAMIC: 4,
  QR_TYPE_NOLIMIT: 3,
  QR_TYPE_FIXED_BY_PERSON: 1,
};

export function numericQrType(qrType: string): number {
  return NUMERIC_QR_TYPE[qrType] ?? 0;
}

/** trade.get's numeric `pay_type` and `pay_type_str` for the qr.get `pay_type` names. */
const ORDER_PAY_TYPE: Record<string, [number, string]> = {
  WXPAY: [10, "WEIXIN_DAIXIAO"],
  WXPAY_BIGUNSIGN: [10, "WEIXIN_DAIXIAO"],
  WXPAY_BIGSIGN: [10, "WEIXIN_DAIXIAO"],
  WXAPPPAY: [10, "WEIXIN_DAIXIAO"],
  ALIPAY: [2, "ALIPAY"],
  ALIWAP: [2, "ALIPAY"],
  UNIONPAY: [3, "UNIONPAY"],
  UNIONWAP: [3, "UNIONPAY"],
};

const STATUS_STR: Record<OrderStatus, string> = {
  WAIT_BUYER_PAY: "待付款",
  TRADE_PAID: "已支付",
  TRADE_SUCCESS: "已完成",
  TRADE_CLOSED: "已关闭",
};

export interface TradeState {
  qrStatus: QrTradeStatus;
  orderStatus: OrderStatus;
  paidAt: Date | null;
  successAt: Date | null;
  closedAt: Date | null;
  closeType: number;
  updatedAt: Date;
}

const notAfter = (instant: Date | null, asOf: Date) =>
  instant !== null && instant.getTime() <= asOf.getTime() ? instant : null;

export function tradeStateAt(trade: TradeRow, asOf: Date): TradeState {
  const paidAt = notAfter(trade.paidAt, asOf);
  if (paidAt) {
    const successAt = notAfter(trade.successAt, asOf);
    return {
      qrStatus: "TRADE_RECEIVED",
      orderStatus: successAt ? "TRADE_SUCCESS" : "TRADE_PAID",
      paidAt,
      successAt,
      closedAt: null,
      closeType: 0,
      updatedAt: successAt ?? paidAt,
    };
  }
  const closedAt = notAfter(trade.closedAt, asOf) ?? notAfter(trade.expiresAt, asOf);
  if (closedAt) {
    return {
      qrStatus: notAfter(qrRowExpiresAt(trade), asOf) ? "TRADE_EXPIRED" : "WAIT_RECEIVED",
      orderStatus: "TRADE_CLOSED",
      paidAt: null,
      successAt: null,
      closedAt,
      closeType: trade.closeType || CLOSE_TYPE_EXPIRED,
      updatedAt: closedAt,
    };
  }
  return {
    qrStatus: "WAIT_RECEIVED",
    orderStatus: "WAIT_BUYER_PAY",
    paidAt: null,
    successAt: null,
    closedAt: null,
    closeType: 0,
    updatedAt: trade.createdAt,
  };
}

export function qrRowExpiresAt(trade: Pick<TradeRow, "createdAt">): Date {
  return new Date(trade.createdAt.getTime() + QR_ROW_TTL_MS);
}

export function isVisible(trade: TradeRow, asOf: Date): boolean {
  return trade.visibleAt.getTime() <= asOf.getTime();
}

/** 2-decimal yuan string of a fen amount; a missing amount (payer-chosen type) reads "0.00". */
export function yuan(fen: number | null | undefined): string {
  return fenToYuan(fen ?? 0);
}

/** Stable digit strings derived from the tid (the sandbox stores no separate payment ids). */
function derivedDigits(tid: string, salt: string, digits: number): string {
  const hex = createHash("md5").update(`${salt}:${tid}`).digest("hex");
  const floor = 10n ** BigInt(digits - 1);
  return (floor + (BigInt(`0x${hex}`) % (9n * floor))).toString();
}

export const qrPayIdOf = (tid: string) => Number(derivedDigits(tid, "qr_pay_id", 9));

/** One row of `youzan.trades.qr.get` (spec §3.2): `qr_id` is a string, prices in yuan. */
export function qrTradeRow(qr: QrFacts, trade: TradeRow, asOf: Date): JsonObject {
  const state = tradeStateAt(trade, asOf);
  const paid = state.paidAt !== null;
  const created = formatYouzanTime(trade.createdAt);
  return {
    tid: trade.tid,
    qr_id: String(qr.qrId),
    qr_url: qr.qrUrl,
    qr_name: qr.qrName,
    qr_price: yuan(qr.qrPriceFen),
    real_price: paid ? yuan(trade.realPriceFen) : "",
    payer_nick: paid ? (trade.payerNick ?? "") : "",
    outer_tid: "",
    status: state.qrStatus,
    pay_type: paid ? (trade.payType ?? "") : "",
    book_date: created,
    created_date: created,
    pay_date: formatYouzanTimeOrEmpty(state.paidAt),
  };
}

function amounts(qr: QrFacts, trade: TradeRow, state: TradeState) {
  const totalFen = qr.qrPriceFen ?? trade.realPriceFen ?? 0;
  const paymentFen = state.paidAt ? (trade.realPriceFen ?? totalFen) : totalFen;
  return { total: yuan(totalFen), payment: yuan(paymentFen) };
}

function buyerNick(trade: TradeRow, state: TradeState): string {
  return state.paidAt ? (trade.payerNick ?? "") : "";
}

/** `data` of `youzan.trade.get` 4.x, and the `msg` of trade_TradeCreate / trade_TradePaid. */
export function tradeDetailV4(qr: QrFacts, trade: TradeRow, asOf: Date): JsonObject {
  const state = tradeStateAt(trade, asOf);
  const { total, payment } = amounts(qr, trade, state);
  const [payType, payTypeStr] = state.paidAt
    ? (ORDER_PAY_TYPE[trade.payType ?? ""] ?? [0, trade.payType ?? ""])
    : [0, ""];
  const nick = buyerNick(trade, state);
  const qrPayId = qrPayIdOf(trade.tid);
  return {
    full_order_info: {
      order_info: {
        tid: trade.tid,
        status: state.orderStatus,
        status_str: STATUS_STR[state.orderStatus],
        type: 6,
        created: formatYouzanTime(trade.createdAt),
        update_time: formatYouzanTime(state.updatedAt),
        pay_time: formatYouzanTimeOrEmpty(state.paidAt),
        expired_time: formatYouzanTime(trade.expiresAt),
        success_time: formatYouzanTimeOrEmpty(state.successAt),
        consign_time: "",
        confirm_time: "",
        pay_type: payType,
        pay_type_str: payTypeStr,
        team_type: 1,
        close_type: state.closeType,
        refund_state: 0,
        express_type: 9,
        is_retail_order: false,
        node_kdt_id: Number(trade.kdtId),
        order_tags: {
          is_payed: state.paidAt !== null,
          is_secured_transactions: false,
          is_virtual: true,
        },
        order_extra: {},
      },
      pay_info: {
        payment,
        total_fee: total,
        post_fee: "0.00",
        transaction: state.paidAt ? [`${qrPayId}${trade.tid.slice(-6)}`] : [],
        outer_transactions: [],
      },
      buyer_info: {
        buyer_id: 0,
        fans_id: 0,
        fans_type: 0,
        fans_nickname: nick,
        yz_open_id: state.paidAt ? `sandbox-${qrPayId}` : "",
        buyer_phone: "",
        outer_user_id: "",
      },
      orders: [
        {
          oid: derivedDigits(trade.tid, "oid", 18),
          item_type: 30,
          title: qr.qrName,
          num: 1,
          item_id: 2147483647,
          sku_id: 0,
          outer_item_id: "null",
          outer_sku_id: "",
          price: total,
          total_fee: total,
          payment,
          discount_price: payment,
          is_present: false,
          pic_path: "",
        },
      ],
      remark_info: { buyer_message: "", star: 0, trade_memo: "" },
    },
    qr_info: { qr_id: qr.qrId, qr_pay_id: qrPayId, qr_name: qr.qrName },
    order_promotion: { adjust_fee: "0.00", item: [], order: [] },
    refund_order: [],
    delivery_order: [],
  };
}

/** `response` of `youzan.trade.get` 3.0.0: the old TradeDetail with `trade.qr_id` (a number). */
export function tradeDetailV3(qr: QrFacts, trade: TradeRow, asOf: Date): JsonObject {
  const state = tradeStateAt(trade, asOf);
  const { total, payment } = amounts(qr, trade, state);
  const nick = buyerNick(trade, state);
  return {
    trade: {
      tid: trade.tid,
      status: state.orderStatus,
      type: "QRCODE",
      title: qr.qrName,
      num: 1,
      price: total,
      total_fee: total,
      post_fee: "0.00",
      payment,
      created: formatYouzanTime(trade.createdAt),
      update_time: formatYouzanTime(state.updatedAt),
      pay_time: formatYouzanTimeOrEmpty(state.paidAt),
      pay_type: state.paidAt ? (trade.payType ?? "") : "",
      qr_id: qr.qrId,
      fans_info: {
        fans_id: 0,
        buyer_id: 0,
        fans_weixin_openid: "",
        fans_nickname: nick,
        fans_type: 0,
      },
      orders: [
        {
          item_type: 30,
          title: qr.qrName,
          num: 1,
          item_id: 2147483647,
          outer_item_id: "null",
          price: total,
          total_fee: total,
          payment,
        },
      ],
    },
  };
}

/** What 4.x returns in `data` with code 5000 for an unknown or not-yet-visible trade. */
export function tradeNotFoundSkeleton(): JsonObject {
  return {
    full_order_info: { order_info: {}, pay_info: {}, buyer_info: {}, orders: [] },
    order_promotion: {},
    refund_order: [],
    delivery_order: [],
  };
}

/** `youzan.pay.qrcode.get`: prices in fen, `qr_id` a number, `qr_type` the enum name. */
export function qrCodeView(qr: QrRow): JsonObject {
  return {
    qr_id: qr.qrId,
    qr_name: qr.qrName,
    qr_price: qr.qrPriceFen ?? 0,
    qr_code: qr.qrCode,
    qr_url: qr.qrUrl,
    qr_type: qr.qrType,
    qr_source: qr.qrSource ?? "",
    label_ids: qr.labelIds ?? "",
    activityInfo: null,
    qr_created_time: formatYouzanTime(qr.createdAt),
  };
}
