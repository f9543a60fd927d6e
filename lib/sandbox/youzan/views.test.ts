import { describe, expect, it } from "vitest";
import {
  qrCodeView,
  qrTradeRow,
  tradeDetailV3,
  tradeDetailV4,
  tradeNotFoundSkeleton,
  tradeStateAt,
  yuan,
  type QrRow,
  type TradeRow,
} from "./views";

const T0 = new Date("2026-03-01T02:00:00Z"); // 10:00:00 China time
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const qr: QrRow = {
  qrId: 1_000_001,
  kdtId: "55667788",
  qrType: "QR_TYPE_DYNAMIC",
  qrName: "电子书",
  qrPriceFen: 990,
  qrSource: "XP1",
  labelIds: null,
  qrUrl: "http://x/pay?qr_id=1000001",
  qrCode: "data:image/png;base64,AA==",
  createdAt: T0,
};

const waiting: TradeRow = {
  tid: "E20260301100000123456789",
  qrId: qr.qrId,
  kdtId: qr.kdtId,
  status: "WAIT_RECEIVED",
  orderStatus: "WAIT_BUYER_PAY",
  closeType: 0,
  realPriceFen: null,
  payType: null,
  payerNick: null,
  createdAt: T0,
  paidAt: null,
  successAt: null,
  closedAt: null,
  expiresAt: at(1800),
  visibleAt: T0,
};

const paid: TradeRow = {
  ...waiting,
  status: "TRADE_RECEIVED",
  orderStatus: "TRADE_PAID",
  realPriceFen: 990,
  payType: "WXPAY",
  payerNick: "小明",
  paidAt: at(60),
  successAt: at(61),
};

describe("trade state from timestamps", () => {
  it("unpaid → the order closes at expires_at (close_type 1); the qr.get row expires at 48 h", () => {
    expect(tradeStateAt(waiting, at(1799))).toMatchObject({
      qrStatus: "WAIT_RECEIVED",
      orderStatus: "WAIT_BUYER_PAY",
    });
    expect(tradeStateAt(waiting, at(1800))).toMatchObject({
      qrStatus: "WAIT_RECEIVED",
      orderStatus: "TRADE_CLOSED",
      closeType: 1,
      closedAt: at(1800),
    });
    expect(tradeStateAt(waiting, at(48 * 3600 - 1)).qrStatus).toBe("WAIT_RECEIVED");
    expect(tradeStateAt(waiting, at(48 * 3600))).toMatchObject({
      qrStatus: "TRADE_EXPIRED",
      orderStatus: "TRADE_CLOSED",
      closedAt: at(1800),
    });
  });

  it("paid → TRADE_PAID for one second, then TRADE_SUCCESS; as of before the payment it was waiting", () => {
    expect(tradeStateAt(paid, at(30)).orderStatus).toBe("WAIT_BUYER_PAY");
    expect(tradeStateAt(paid, at(60))).toMatchObject({
      qrStatus: "TRADE_RECEIVED",
      orderStatus: "TRADE_PAID",
      successAt: null,
    });
    expect(tradeStateAt(paid, at(61)).orderStatus).toBe("TRADE_SUCCESS");
    // Paid trades never expire.
    expect(tradeStateAt(paid, at(86_400)).orderStatus).toBe("TRADE_SUCCESS");
  });
});

describe("wire views", () => {
  it("yuan strings have two decimals", () => {
    expect(yuan(990)).toBe("9.90");
    expect(yuan(1)).toBe("0.01");
    expect(yuan(null)).toBe("0.00");
  });

  it("qr.get rows: qr_id string, yuan prices, empty pay fields while unpaid", () => {
    expect(qrTradeRow(qr, waiting, at(10))).toEqual({
      tid: waiting.tid,
      qr_id: "1000001",
      qr_url: qr.qrUrl,
      qr_name: "电子书",
      qr_price: "9.90",
      real_price: "",
      payer_nick: "",
      outer_tid: "",
      status: "WAIT_RECEIVED",
      pay_type: "",
      book_date: "2026-03-01 10:00:00",
      created_date: "2026-03-01 10:00:00",
      pay_date: "",
    });
    expect(qrTradeRow(qr, paid, at(120))).toMatchObject({
      status: "TRADE_RECEIVED",
      real_price: "9.90",
      payer_nick: "小明",
      pay_type: "WXPAY",
      pay_date: "2026-03-01 10:01:00",
    });
  });

  it("trade.get 4.x: qr_info.qr_id is a number beside full_order_info", () => {
    const detail = tradeDetailV4(qr, paid, at(61)) as {
      full_order_info: { order_info: Record<string, unknown>; pay_info: Record<string, unknown> };
      qr_info: Record<string, unknown>;
    };
    expect(detail.qr_info).toMatchObject({ qr_id: 1_000_001, qr_name: "电子书" });
    expect(detail.full_order_info.order_info).toMatchObject({
      tid: paid.tid,
      status: "TRADE_SUCCESS",
      type: 6,
      created: "2026-03-01 10:00:00",
      pay_time: "2026-03-01 10:01:00",
      success_time: "2026-03-01 10:01:01",
      expired_time: "2026-03-01 10:30:00",
      update_time: "2026-03-01 10:01:01",
      pay_type_str: "WEIXIN_DAIXIAO",
    });
    expect(detail.full_order_info.pay_info).toMatchObject({ payment: "9.90", total_fee: "9.90" });
    // Stable derived ids.
    expect(tradeDetailV4(qr, paid, at(61))).toEqual(detail);
  });

  it("trade.get 3.0.0 carries trade.qr_id", () => {
    expect(tradeDetailV3(qr, paid, at(60))).toMatchObject({
      trade: { tid: paid.tid, qr_id: 1_000_001, status: "TRADE_PAID", payment: "9.90" },
    });
  });

  it("the not-found skeleton has no qr_info and empty parts", () => {
    expect(tradeNotFoundSkeleton()).toEqual({
      full_order_info: { order_info: {}, pay_info: {}, buyer_info: {}, orders: [] },
      order_promotion: {},
      refund_order: [],
      delivery_order: [],
    });
  });

  it("qrcode.get: fen, numeric qr_id, enum qr_type", () => {
    expect(qrCodeView(qr)).toMatchObject({
      qr_id: 1_000_001,
      qr_price: 990,
      qr_type: "QR_TYPE_DYNAMIC",
      qr_created_time: "2026-03-01 10:00:00",
    });
  });
});
