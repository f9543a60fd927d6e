import { describe, expect, it } from "vitest";
import { idOrNull, parseChinaTime, toCreatedQr, toQrTrades, toTradeDetail } from "./transform";
import { YouzanError } from "./types";

// Payloads follow the field lists of spec §3 (api-pages demos, java-models, 2018/2021 captures).

const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAOwAAADsCAIAAAD1d3z4AAAA";
const QR_URL = "https://trade.koudaitong.com/wxpay/confirmQr?qr_id=6154839&kdt_id=40093718";

function thrown(fn: () => unknown): YouzanError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(YouzanError);
    return error as YouzanError;
  }
  throw new Error("expected a YouzanError");
}

describe("parseChinaTime", () => {
  it.each([
    ["2018-07-03 10:48:59", "2018-07-03T02:48:59.000Z"],
    ["2021-03-22+17:41:11", "2021-03-22T09:41:11.000Z"], // `+` left by decodeURIComponent
    ["2021-03-22T17:41:11", "2021-03-22T09:41:11.000Z"],
    ["2025-01-01 07:59:59", "2024-12-31T23:59:59.000Z"], // Shanghai midnight boundary
    [" 2020-02-29 00:00:00 ", "2020-02-28T16:00:00.000Z"],
  ])("%j → %s", (text, iso) => {
    expect(parseChinaTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    "",
    "0000-00-00 00:00:00",
    "2021-02-30 10:00:00",
    "2021-03-22 25:00:00",
    "2021-03-22",
    "yesterday",
    null,
    undefined,
    {},
  ])("%j → null", (value) => {
    expect(parseChinaTime(value)).toBeNull();
  });

  it("accepts epoch seconds and milliseconds", () => {
    expect(parseChinaTime(1530586139)?.toISOString()).toBe("2018-07-03T02:48:59.000Z");
    expect(parseChinaTime(1530586139000)?.toISOString()).toBe("2018-07-03T02:48:59.000Z");
  });
});

describe("idOrNull", () => {
  it.each([
    [6154839, "6154839"],
    ["6154839", "6154839"],
    [" 6154839 ", "6154839"],
    ["", null],
    [0, null],
    ["0", null],
    [null, null],
    [1.5, null],
  ])("%j → %j", (value, expected) => {
    expect(idOrNull(value)).toBe(expected);
  });
});

describe("toCreatedQr", () => {
  it("reads the demo response (qr_id as a numeric string)", () => {
    expect(toCreatedQr({ qr_id: "6154839", qr_url: QR_URL, qr_code: PNG, qr_type: 4 })).toEqual({
      qrId: "6154839",
      qrUrl: QR_URL,
      qrImage: PNG,
    });
  });

  it("accepts a numeric qr_id and no image", () => {
    expect(toCreatedQr({ qr_id: 6154839, qr_url: QR_URL })).toEqual({
      qrId: "6154839",
      qrUrl: QR_URL,
      qrImage: null,
    });
    expect(toCreatedQr({ qr_id: 1, qr_url: QR_URL, qr_code: "" }).qrImage).toBeNull();
    expect(
      toCreatedQr({ qr_id: 1, qr_url: QR_URL, qr_code: "https://x/y.png" }).qrImage,
    ).toBeNull();
  });

  it("unwraps a whole `response` body", () => {
    expect(toCreatedQr({ response: { qr_id: 7, qr_url: QR_URL } }).qrId).toBe("7");
  });

  it("fails (retryably) without qr_id or qr_url", () => {
    expect(thrown(() => toCreatedQr({ qr_url: QR_URL }))).toMatchObject({
      code: "unavailable",
      retryable: true,
    });
    expect(thrown(() => toCreatedQr({ qr_id: 1 })).code).toBe("unavailable");
    expect(thrown(() => toCreatedQr(null)).code).toBe("unavailable");
  });
});

const receivedRow = {
  tid: "E20180703104845038600006",
  qr_id: "6154839",
  qr_url: QR_URL,
  qr_name: "Order ord_8KQ2 — 《小铺指南》",
  qr_price: "260.00",
  real_price: "259.90",
  payer_nick: "alipay_2088102122524333",
  outer_tid: "",
  status: "TRADE_RECEIVED",
  pay_type: "ALIWAP",
  book_date: "2018-07-03 10:48:45",
  created_date: "2018-07-03 10:48:45",
  pay_date: "2018-07-03 10:48:59",
};

const waitingRow = {
  tid: "E20180703105045038600007",
  qr_id: "6154839",
  qr_url: QR_URL,
  qr_name: "Order ord_8KQ2 — 《小铺指南》",
  qr_price: "260.00",
  real_price: "",
  payer_nick: "",
  outer_tid: "",
  status: "WAIT_RECEIVED",
  pay_type: "",
  book_date: "2018-07-03 10:50:45",
  created_date: "2018-07-03 10:50:45",
  pay_date: "",
};

describe("toQrTrades", () => {
  it("reads paid and unpaid rows, newest first", () => {
    const trades = toQrTrades({ qr_trades: [receivedRow, waitingRow], total_results: 2 });
    expect(trades).toEqual([
      {
        tid: "E20180703105045038600007",
        qrId: "6154839",
        status: "WAIT_RECEIVED",
        realPriceFen: null,
        qrPriceFen: 26000,
        payType: null,
        payerNick: null,
        paidAt: null,
        createdAt: new Date("2018-07-03T02:50:45Z"),
      },
      {
        tid: "E20180703104845038600006",
        qrId: "6154839",
        status: "TRADE_RECEIVED",
        realPriceFen: 25990,
        qrPriceFen: 26000,
        payType: "ALIWAP",
        payerNick: "alipay_2088102122524333",
        paidAt: new Date("2018-07-03T02:48:59Z"),
        createdAt: new Date("2018-07-03T02:48:45Z"),
      },
    ]);
  });

  it("survives type drift and missing optional fields", () => {
    const drifted = {
      tid: "E20210322174100000000001",
      qr_id: 6154839, // a number where the doc says string
      qr_price: 9.9, // a number where the doc says a yuan string
      real_price: "9.9",
      status: "TRADE_RECEIVED",
      payer_nick: "????", // mojibake is kept as text
      // pay_type, book_date missing entirely (SSRPanel #590, #948)
      created_date: "2021-03-22+17:41:00",
      pay_date: "2021-03-22+17:41:11",
    };
    expect(toQrTrades({ qr_trades: [drifted] })).toEqual([
      {
        tid: "E20210322174100000000001",
        qrId: "6154839",
        status: "TRADE_RECEIVED",
        realPriceFen: 990,
        qrPriceFen: 990,
        payType: null,
        payerNick: "????",
        paidAt: new Date("2021-03-22T09:41:11Z"),
        createdAt: new Date("2021-03-22T09:41:00Z"),
      },
    ]);
  });

  it("falls back to book_date and to the requested qr_id", () => {
    const [trade] = toQrTrades(
      { qr_trades: [{ ...waitingRow, qr_id: "", created_date: undefined }] },
      { qrId: "6154839" },
    );
    expect(trade?.qrId).toBe("6154839");
    expect(trade?.createdAt).toEqual(new Date("2018-07-03T02:50:45Z"));
  });

  it("reads an empty or absent list as no rows", () => {
    expect(toQrTrades({ qr_trades: [], total_results: 0 })).toEqual([]);
    expect(toQrTrades({ total_results: 0 })).toEqual([]);
    expect(toQrTrades({ qr_trades: null })).toEqual([]);
    expect(toQrTrades({ response: { qr_trades: [receivedRow] } })).toHaveLength(1);
  });

  it("refuses a row whose amount is not yuan, rather than guessing", () => {
    const error = thrown(() =>
      toQrTrades({ qr_trades: [{ ...receivedRow, real_price: "1.999" }] }),
    );
    expect(error).toMatchObject({ code: "unavailable", retryable: true });
    expect(error.message).toMatch(/real_price/);
    expect(thrown(() => toQrTrades({ qr_trades: [{ ...receivedRow, qr_price: {} }] })).code).toBe(
      "unavailable",
    );
  });

  it("refuses a row without tid, status or any qr_id", () => {
    const { tid: _tid, ...noTid } = receivedRow;
    expect(thrown(() => toQrTrades({ qr_trades: [noTid] })).code).toBe("unavailable");
    const { status: _status, ...noStatus } = receivedRow;
    expect(thrown(() => toQrTrades({ qr_trades: [noStatus] })).code).toBe("unavailable");
    expect(thrown(() => toQrTrades({ qr_trades: [{ ...receivedRow, qr_id: "" }] })).code).toBe(
      "unavailable",
    );
    expect(thrown(() => toQrTrades({ qr_trades: "none" })).code).toBe("unavailable");
  });
});

/** `youzan.trade.get` 4.0.2 `data` for a paid QR order (2018 capture layout). */
function tradeV4(overrides: { orderInfo?: object; qrInfo?: object | null; inner?: object } = {}) {
  return {
    full_order_info: {
      order_info: {
        tid: "E20180703104845038600006",
        status: "TRADE_SUCCESS",
        status_str: "已完成",
        type: 6,
        created: "2018-07-03 10:48:45",
        update_time: "2018-07-03 10:49:00",
        pay_time: "2018-07-03 10:48:59",
        expired_time: "2018-07-03 11:18:45",
        success_time: "2018-07-03 10:49:00",
        pay_type: 10,
        pay_type_str: "WEIXIN_DAIXIAO",
        team_type: 1,
        close_type: 0,
        refund_state: 0,
        express_type: 9,
        order_tags: { is_payed: true, is_secured_transactions: true },
        order_extra: {},
        ...overrides.orderInfo,
      },
      buyer_info: { buyer_id: 0, fans_id: 5501, fans_type: 1, fans_nickname: "小明" },
      pay_info: {
        payment: "260.00",
        total_fee: "260.00",
        post_fee: "0.00",
        transaction: ["180703104859000001"],
        outer_transactions: ["4200000123201807031234567890"],
      },
      orders: [
        {
          item_type: 30,
          title: "Order ord_8KQ2",
          num: 1,
          item_id: 2147483647,
          outer_item_id: "null",
          price: "260.00",
          payment: "260.00",
        },
      ],
      ...overrides.inner,
    },
    ...(overrides.qrInfo === null
      ? {}
      : { qr_info: overrides.qrInfo ?? { qr_id: 6154839, qr_pay_id: 88001, qr_name: "Order" } }),
    order_promotion: {},
    refund_order: [],
    delivery_order: [],
  };
}

describe("toTradeDetail", () => {
  it("reads 4.0.2 with qr_info at the top level", () => {
    expect(toTradeDetail(tradeV4(), "4.0.2")).toEqual({
      tid: "E20180703104845038600006",
      qrId: "6154839",
      status: "TRADE_SUCCESS",
      paymentFen: 26000,
      paidAt: new Date("2018-07-03T02:48:59Z"),
    });
  });

  it("tolerates qr_info inside full_order_info, as a string, or absent", () => {
    const inside = tradeV4({ qrInfo: null, inner: { qr_info: { qr_id: "6154839" } } });
    expect(toTradeDetail(inside, "4.0.2")?.qrId).toBe("6154839");
    expect(toTradeDetail(tradeV4({ qrInfo: { qr_id: "6154839" } }), "4.0.0")?.qrId).toBe("6154839");
    expect(toTradeDetail(tradeV4({ qrInfo: null }), "4.0.2")?.qrId).toBeNull();
  });

  it("reads an unpaid order (empty pay_time) and a `+` left in a date", () => {
    const unpaid = tradeV4({ orderInfo: { status: "WAIT_BUYER_PAY", pay_time: "" } });
    expect(toTradeDetail(unpaid, "4.0.2")).toMatchObject({
      status: "WAIT_BUYER_PAY",
      paidAt: null,
    });
    const plus = tradeV4({ orderInfo: { pay_time: "2021-03-22+17:41:11" } });
    expect(toTradeDetail(plus, "4.0.2")?.paidAt).toEqual(new Date("2021-03-22T09:41:11Z"));
  });

  it("returns null for the not-found skeleton", () => {
    expect(toTradeDetail({ full_order_info: { order_info: {} } }, "4.0.2")).toBeNull();
    expect(toTradeDetail({ full_order_info: null, qr_info: null }, "4.0.2")).toBeNull();
    expect(toTradeDetail({}, "4.0.2")).toBeNull();
  });

  it("refuses a trade without a status or with a bad payment", () => {
    const noStatus = tradeV4({ orderInfo: { status: "" } });
    expect(thrown(() => toTradeDetail(noStatus, "4.0.2")).code).toBe("unavailable");
    const badPayment = tradeV4({ inner: { pay_info: { payment: "26O.00" } } });
    expect(thrown(() => toTradeDetail(badPayment, "4.0.2")).code).toBe("unavailable");
    expect(thrown(() => toTradeDetail({ full_order_info: "x" }, "4.0.2")).code).toBe("unavailable");
  });

  it("reads 3.0.0 response.trade", () => {
    const trade = {
      tid: "E20170605101010000000001",
      status: "TRADE_BUYER_SIGNED",
      payment: "0.01",
      qr_id: 5123456,
      pay_time: "2017-06-05 10:10:20",
      fans_info: { fans_id: 1, buyer_id: 2, fans_nickname: "a", fans_type: 1 },
    };
    const expected = {
      tid: "E20170605101010000000001",
      qrId: "5123456",
      status: "TRADE_BUYER_SIGNED",
      paymentFen: 1,
      paidAt: new Date("2017-06-05T02:10:20Z"),
    };
    expect(toTradeDetail({ trade }, "3.0.0")).toEqual(expected);
    expect(toTradeDetail({ response: { trade } }, "3.0.0")).toEqual(expected);
    expect(toTradeDetail({ trade: { ...trade, qr_id: 0 } }, "3.0.0")?.qrId).toBeNull();
    expect(toTradeDetail({ trade: null }, "3.0.0")).toBeNull();
  });
});
