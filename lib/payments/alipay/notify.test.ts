import { describe, expect, it } from "vitest";
import { rsa2Sign, rsaPair } from "./__fixtures__/stub-gateway";
import { parseAlipayNotification, parseNotificationBody, verifyAlipayNotification } from "./notify";

const alipay = rsaPair();
const other = rsaPair();

/** Signs like Alipay (spec §3.3): every field but sign and sign_type, sorted, raw values. */
function signed(fields: Record<string, string>, key = alipay.privateKey): Record<string, string> {
  const content = Object.keys(fields)
    .filter((k) => k !== "sign" && k !== "sign_type")
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join("&");
  return { ...fields, sign: rsa2Sign(content, key) };
}

/** The form body Alipay posts. */
const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const trade = {
  notify_time: "2025-01-15 10:03:06",
  notify_type: "trade_status_sync",
  notify_id: "2025011500222100306000000001",
  app_id: "2021000000000001",
  charset: "utf-8",
  version: "1.0",
  sign_type: "RSA2",
  trade_no: "2025011522001400000001",
  out_trade_no: "XP20250115ABC",
  seller_id: "2088000000000009",
  buyer_id: "2088000000000001",
  trade_status: "TRADE_SUCCESS",
  total_amount: "19.90",
  receipt_amount: "19.90",
  gmt_create: "2025-01-15 10:03:04",
  gmt_payment: "2025-01-15 10:03:05",
  subject: "Xiaopu membership",
  fund_bill_list: '[{"amount":"19.90","fundChannel":"ALIPAYACCOUNT"}]',
};

const sign = {
  notify_id: "n-sign-1",
  notify_time: "2025-01-15 10:00:01",
  notify_type: "dut_user_sign",
  charset: "UTF-8",
  version: "1.0",
  sign_type: "RSA2",
  app_id: "2021000000000001",
  auth_app_id: "2021000000000001",
  agreement_no: "20255115000000000001",
  external_agreement_no: "XA20250115ABC",
  personal_product_code: "CYCLE_PAY_AUTH_P",
  sign_scene: "INDUSTRY|DIGITAL_MEDIA",
  status: "NORMAL",
  alipay_user_id: "2088000000000001",
  alipay_logon_id: "bu***@example.com",
  sign_time: "2025-01-15 10:00:00",
  valid_time: "2025-01-15 10:00:00",
  invalid_time: "2115-02-01 00:00:00",
};

const unsign = {
  ...sign,
  notify_id: "n-unsign-1",
  notify_type: "dut_user_unsign",
  status: "UNSIGN",
  unsign_time: "2025-03-01 12:00:00",
};

describe("verifyAlipayNotification", () => {
  it("accepts the fields as posted, after parsing the raw body", () => {
    const fields = parseNotificationBody(formBody(signed(trade)));
    expect(verifyAlipayNotification(fields, alipay.publicKey)).toBe(true);
  });

  it("accepts Alipay's public key as bare base64 too", () => {
    const bare = alipay.publicKey.replace(/-----[A-Z ]+-----|\s/g, "");
    expect(verifyAlipayNotification(signed(trade), bare)).toBe(true);
  });

  it("refuses a tampered field, a missing sign, another key", () => {
    const fields = signed(trade);
    expect(verifyAlipayNotification({ ...fields, total_amount: "0.01" }, alipay.publicKey)).toBe(
      false,
    );
    const { sign: _sign, ...unsigned } = fields;
    expect(verifyAlipayNotification(unsigned, alipay.publicKey)).toBe(false);
    expect(verifyAlipayNotification(fields, other.publicKey)).toBe(false);
    expect(verifyAlipayNotification(signed(trade, other.privateKey), alipay.publicKey)).toBe(false);
  });

  it("verifies passback_params holding % and an encoded JSON (checkNotifySign would fail)", () => {
    for (const passback of ["100%25 done", "50% off", "%7B%22a%22%3A1%7D", "%E4%B8%AD%"]) {
      const fields = signed({ ...trade, passback_params: passback });
      const received = parseNotificationBody(formBody(fields));
      expect(received.passback_params).toBe(passback);
      expect(verifyAlipayNotification(received, alipay.publicKey)).toBe(true);
    }
  });

  it("verifies a signature that included sign_type (service messages)", () => {
    const content = Object.keys(sign)
      .sort()
      .map((k) => `${k}=${sign[k as keyof typeof sign]}`)
      .join("&");
    const fields = { ...sign, sign: rsa2Sign(content, alipay.privateKey) };
    expect(verifyAlipayNotification(fields, alipay.publicKey)).toBe(true);
  });

  it.each([
    ["a bad key", () => verifyAlipayNotification(signed(trade), "not a key")],
    [
      "a non-string field",
      () => verifyAlipayNotification({ ...signed(trade), x: 1 as never }, alipay.publicKey),
    ],
    [
      "a non-base64 sign",
      () => verifyAlipayNotification({ ...trade, sign: "%%%" }, alipay.publicKey),
    ],
    ["null", () => verifyAlipayNotification(null as never, alipay.publicKey)],
    ["an empty object", () => verifyAlipayNotification({}, alipay.publicKey)],
  ])("is false, never a throw, for %s", (_name, run) => {
    expect(run()).toBe(false);
  });
});

describe("parseNotificationBody", () => {
  it("reads a urlencoded body whatever the content type said", () => {
    // Alipay's odd `application/x-www-form-urlencoded; text/html; charset=utf-8` (spec §3.3) is a
    // header, not the body: the body is parsed from its text alone.
    expect(parseNotificationBody("a=1&b=x+y&c=%E4%B8%AD&d=&e=%25\r\n")).toEqual({
      a: "1",
      b: "x y",
      c: "中",
      d: "",
      e: "%",
    });
  });

  it("never throws on hostile input", () => {
    expect(parseNotificationBody("%&=&==&a=%E4%&a=second&__proto__=x&constructor=y")).toEqual({
      "%": "",
      // An invalid UTF-8 sequence decodes to U+FFFD; a stray % stays (Alipay sends neither).
      a: "\ufffd%",
      ["__proto__"]: "x",
      constructor: "y",
    });
    expect(Object.getPrototypeOf(parseNotificationBody("__proto__=x"))).toBe(Object.prototype);
    expect(parseNotificationBody("")).toEqual({});
    expect(parseNotificationBody(undefined as never)).toEqual({});
  });
});

describe("parseAlipayNotification", () => {
  it("parses a trade notification", () => {
    expect(parseAlipayNotification(signed(trade))).toEqual({
      kind: "trade",
      notifyId: trade.notify_id,
      appId: trade.app_id,
      sellerId: trade.seller_id,
      outTradeNo: trade.out_trade_no,
      tradeNo: trade.trade_no,
      status: "TRADE_SUCCESS",
      totalAmountFen: 1990,
      refundFeeFen: null,
      outBizNo: null,
      buyerUserId: trade.buyer_id,
      paidAt: new Date("2025-01-15T02:03:05Z"),
    });
  });

  it("parses a refund notification", () => {
    const refund = {
      ...trade,
      refund_fee: "5.00",
      out_biz_no: "RF1",
      gmt_refund: "2025-01-16 09:00:00",
    };
    expect(parseAlipayNotification(refund)).toMatchObject({
      kind: "trade",
      refundFeeFen: 500,
      outBizNo: "RF1",
    });
  });

  it("parses sign and unsign notifications", () => {
    expect(parseAlipayNotification(sign)).toEqual({
      kind: "agreement_signed",
      notifyId: "n-sign-1",
      appId: sign.app_id,
      agreementNo: sign.agreement_no,
      externalAgreementNo: sign.external_agreement_no,
      status: "NORMAL",
      alipayUserId: sign.alipay_user_id,
      at: new Date("2025-01-15T02:00:00Z"),
    });
    expect(parseAlipayNotification(unsign)).toMatchObject({
      kind: "agreement_unsigned",
      notifyId: "n-unsign-1",
      status: "UNSIGN",
      at: new Date("2025-03-01T04:00:00Z"),
    });
  });

  it.each([
    [
      { ...trade, notify_type: "something_new" },
      { notifyId: trade.notify_id, notifyType: "something_new" },
    ],
    [
      { ...trade, out_trade_no: "" },
      { notifyId: trade.notify_id, notifyType: "trade_status_sync" },
    ],
    [
      { ...sign, agreement_no: "" },
      { notifyId: "n-sign-1", notifyType: "dut_user_sign" },
    ],
    [
      { ...trade, notify_id: "" },
      { notifyId: null, notifyType: "trade_status_sync" },
    ],
    [{}, { notifyId: null, notifyType: null }],
  ])("anything unreadable is other: %#", (fields, expected) => {
    expect(parseAlipayNotification(fields)).toEqual({ kind: "other", ...expected });
  });

  it("keeps going on hostile values", () => {
    expect(
      parseAlipayNotification({ ...trade, total_amount: "1e9", gmt_payment: "not a date" }),
    ).toMatchObject({ kind: "trade", totalAmountFen: null, paidAt: null });
    expect(parseAlipayNotification(null as never)).toEqual({
      kind: "other",
      notifyId: null,
      notifyType: null,
    });
  });
});
