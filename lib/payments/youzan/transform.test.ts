import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnvelope } from "./envelope";
import { parseYouzanPush } from "./push";
import { idOrNull, parseChinaTime, toCreatedQr, toQrTrades, toTradeDetail } from "./transform";
import { YouzanError } from "./types";

/*
 * Payloads follow the field lists of spec §3 (api-pages demos, java-models, 2018/2021 captures).
 * The recorded ones live in __fixtures__/*.json: this file proves the client reads them, and the
 * sandbox's integration tests prove that what the sandbox emits has the same shape — so one
 * misreading of the spec cannot hide in both.
 */

type Json = Record<string, unknown>;

/** A fixture's exact text (pushes are signed over exact bytes) and its parsed value. */
function fixture(name: string): { text: string; json: Json } {
  const text = readFileSync(path.join(import.meta.dirname, "__fixtures__", `${name}.json`), "utf8");
  return { text, json: JSON.parse(text) as Json };
}

/** The credentials the recorded push fixtures were signed with. */
const FIXTURE_APP = {
  clientId: "7d4a1b2c3e5f607182",
  clientSecret: "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
};

const created = fixture("pay-qrcode-create").json.response as Json;
const PNG = created.qr_code as string;
const QR_URL = created.qr_url as string;

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

const [waitingRow, receivedRow] = (fixture("trades-qr-get").json.response as { qr_trades: Json[] })
  .qr_trades as [Json, Json];

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

const tradeV4Data = fixture("trade-get-4.0.2").json.data as {
  full_order_info: { order_info: Json } & Json;
} & Json;

/** `youzan.trade.get` 4.0.2 `data` for a paid QR order (the recorded fixture), with overrides. */
function tradeV4(overrides: { orderInfo?: object; qrInfo?: object | null; inner?: object } = {}) {
  const { qr_info: qrInfo, ...rest } = structuredClone(tradeV4Data);
  return {
    ...rest,
    full_order_info: {
      ...rest.full_order_info,
      order_info: { ...rest.full_order_info.order_info, ...overrides.orderInfo },
      ...overrides.inner,
    },
    ...(overrides.qrInfo === null ? {} : { qr_info: overrides.qrInfo ?? qrInfo }),
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
    const trade = (fixture("trade-get-3.0.0").json.response as { trade: Json }).trade;
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

describe("recorded payloads (__fixtures__)", () => {
  const ok = (name: string, source: "business" | "token" = "business") => {
    const envelope = parseEnvelope(fixture(name).json, source);
    if (!envelope?.ok) throw new Error(`${name} is not a success envelope`);
    return envelope.data;
  };
  const failure = (name: string, source: "business" | "token" = "business") => {
    const envelope = parseEnvelope(fixture(name).json, source);
    if (!envelope || envelope.ok) throw new Error(`${name} is not a failure envelope`);
    return envelope.failure;
  };

  it("the token answer: epoch-millisecond expiry, no refresh_token", () => {
    expect(ok("token", "token")).toEqual({
      access_token: expect.stringMatching(/^[0-9a-f]{32}$/),
      expires: 1531190939000,
      scope: expect.any(String),
      authority_id: "40093718",
    });
    expect(failure("token-error", "token")).toMatchObject({ code: 1103, message: "Client 不存在" });
  });

  it("youzan.pay.qrcode.create: the legacy envelope with a numeric-string qr_id", () => {
    expect(toCreatedQr(ok("pay-qrcode-create"))).toEqual({
      qrId: "6154839",
      qrUrl: "https://trade.koudaitong.com/wxpay/confirmQr?qr_id=6154839&kdt_id=40093718",
      qrImage: PNG,
    });
  });

  it("youzan.trades.qr.get: newest first, yuan amounts in fen", () => {
    const trades = toQrTrades(ok("trades-qr-get"), { qrId: "6154839" });
    expect(trades.map((t) => [t.tid, t.status, t.realPriceFen, t.qrPriceFen])).toEqual([
      ["E20180703105045038600007", "WAIT_RECEIVED", null, 26000],
      ["E20180703104845038600006", "TRADE_RECEIVED", 25990, 26000],
    ]);
  });

  it("youzan.trade.get 4.0.2 and 3.0.0, and the 4.x not-found skeleton", () => {
    expect(toTradeDetail(ok("trade-get-4.0.2"), "4.0.2")).toEqual({
      tid: "E20180703104845038600006",
      qrId: "6154839",
      status: "TRADE_SUCCESS",
      paymentFen: 26000,
      paidAt: new Date("2018-07-03T02:48:59Z"),
    });
    expect(toTradeDetail(ok("trade-get-3.0.0"), "3.0.0")?.qrId).toBe("5123456");
    expect(failure("trade-get-not-found-4.0.2")).toMatchObject({
      source: "business",
      code: 5000,
      message: "trade not found",
    });
    const skeleton = (fixture("trade-get-not-found-4.0.2").json as { data: unknown }).data;
    expect(toTradeDetail(skeleton, "4.0.2")).toBeNull();
  });

  // err_msg or err_message in gw_err_resp, msg or message in error_response.
  it.each([
    ["gateway-error", "gateway", 4203, "Token 不存在"],
    ["gateway-error-err-message", "gateway", 4204, "应用没有调用该 API 的权限"],
    ["legacy-error", "legacy", 50000, "店铺ID与网点编号不相符"],
    ["legacy-error-message", "legacy", 50000, "交易不存在"],
  ])("the error envelope %s", (name, source, code, message) => {
    expect(failure(name)).toEqual({ source, code, message });
  });

  const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");
  const eventSign = (raw: string) => md5(FIXTURE_APP.clientId + raw + FIXTURE_APP.clientSecret);

  it("a V3 push verifies by Event-Sign over the exact bytes and by its body sign", () => {
    const { text } = fixture("push-v3-trade-paid");
    const headers = new Headers({
      "event-sign": eventSign(text),
      "event-type": "trade_TradePaid",
      "client-id": FIXTURE_APP.clientId,
    });
    const viaHeader = parseYouzanPush(text, headers, FIXTURE_APP);
    expect(viaHeader).toMatchObject({
      kind: "message",
      signatureValid: true,
      eventKey: "3b8f2c1e-7a4d-4e6b-9c0f-1d2e3f4a5b6c",
      type: "trade_TradePaid",
      tid: "E20180703104845038600006",
      status: "TRADE_PAID",
      version: 1530586139,
      kdtId: "40093718",
      qrId: "6154839",
    });
    // Form style: "+" in dates decodes to a space.
    expect(viaHeader).toMatchObject({
      msg: { full_order_info: { order_info: { pay_time: "2018-07-03 10:48:59" } } },
    });
    expect(parseYouzanPush(text, new Headers(), FIXTURE_APP)).toMatchObject({
      signatureValid: true,
    });
  });

  it.each([
    ["push-v3-trade-success", "trade_TradeSuccess", { tid: "E20180703104845038600006" }],
    ["push-v3-trade-close", "trade_TradeClose", { close_type: 1 }],
  ])("%s decodes to its msg", (name, type, msg) => {
    const { text } = fixture(name);
    const headers = new Headers({ "event-sign": eventSign(text), "event-type": type });
    expect(parseYouzanPush(text, headers, FIXTURE_APP)).toMatchObject({
      kind: "message",
      signatureValid: true,
      type,
      msg,
    });
  });

  it("a legacy V2 push has no Event-Sign: its body sign is what is checked", () => {
    const { text, json } = fixture("push-v2-trade-order-state");
    const parsed = parseYouzanPush(text, new Headers(), FIXTURE_APP);
    expect(parsed).toMatchObject({
      kind: "message",
      signatureValid: true,
      type: "TRADE_ORDER_STATE",
      status: "TRADE_SUCCESS",
      qrId: null,
      msg: {
        tid: "E20180703104845038600006",
        payment: "260.00",
        update_time: "2018-07-03 10:49:00",
      },
    });
    const forged = JSON.stringify({ ...json, sign: "0".repeat(32) });
    expect(parseYouzanPush(forged, new Headers(), FIXTURE_APP)).toMatchObject({
      signatureValid: false,
    });
  });

  it('a heartbeat is {"test":true} and nothing else', () => {
    const { text, json } = fixture("push-heartbeat");
    expect(json).toEqual({ test: true });
    expect(parseYouzanPush(text, new Headers(), FIXTURE_APP)).toEqual({ kind: "heartbeat" });
  });
});
