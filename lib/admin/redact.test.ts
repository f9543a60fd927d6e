import { describe, expect, it } from "vitest";
import { maskTail, redactPayload, redactValue, REDACTED } from "./redact";

describe("redactPayload", () => {
  it("walks a Youzan push: the signature goes, msg is decoded and the buyer's phone masked", () => {
    const msg = encodeURIComponent(
      JSON.stringify({
        tid: "E20261201123456000000001",
        buyer_info: { buyer_phone: "13812345678", fans_nickname: "小王" },
        address_info: { receiver_tel: "13987654321", delivery_address: "上海" },
        qr_info: { qr_id: 12345678 },
        remark: "call me on 15011112222",
      }),
    ).replace(/%20/g, "+");
    const body = JSON.stringify({
      client_id: "cid",
      client_secret: "s3cret",
      access_token: "tok",
      kdt_id: 123,
      msg,
      sign: "0123456789abcdef0123456789abcdef",
      type: "trade_TradePaid",
      status: "TRADE_PAID",
    });
    const out = redactPayload(body);
    expect(out.format).toBe("json");
    expect(out.value).toEqual({
      client_id: "cid",
      client_secret: REDACTED,
      access_token: REDACTED,
      kdt_id: 123,
      msg: {
        tid: "E20261201123456000000001",
        buyer_info: { buyer_phone: "*******5678", fans_nickname: "小王" },
        address_info: { receiver_tel: "*******4321", delivery_address: "上海" },
        qr_info: { qr_id: 12345678 },
        remark: "call me on *******2222",
      },
      sign: REDACTED,
      type: "trade_TradePaid",
      status: "TRADE_PAID",
    });
    expect(out.redacted).toBe(6);
    expect(JSON.stringify(out.value)).not.toMatch(/s3cret|tok"|13812345678|0123456789abcdef/);
  });

  it("reads an Alipay notification's form body: sign and the logon id go, the rest stays", () => {
    const body = new URLSearchParams({
      notify_id: "n1",
      notify_type: "trade_status_sync",
      sign_type: "RSA2",
      sign: "AbC+/==",
      out_trade_no: "XP2026120112345678",
      trade_no: "2026120122001412341234567890",
      buyer_logon_id: "138****5678",
      total_amount: "30.00",
    }).toString();
    const out = redactPayload(body);
    expect(out.format).toBe("form");
    expect(out.value).toEqual({
      notify_id: "n1",
      notify_type: "trade_status_sync",
      sign_type: "RSA2",
      sign: REDACTED,
      out_trade_no: "XP2026120112345678",
      // A trade number is not a phone number, even with a run of digits inside.
      trade_no: "2026120122001412341234567890",
      buyer_logon_id: "*******5678",
      total_amount: "30.00",
    });
  });

  it("masks a truncated body as text, pair by pair", () => {
    const body = `{"sign":"deadbeef","msg":"%7B%22buyer_phone%22%3A%2213812345678`;
    const out = redactPayload(body);
    expect(out.format).toBe("text");
    expect(out.value).toBe(`{"sign":"${REDACTED}","msg":"%7B%22buyer_phone%22%3A%2213812345678`);
    const form = redactPayload("a=1&sign=xyz&token=abc&phone 13812345678");
    expect(form.value).toBe(`a=1&sign=${REDACTED}&token=${REDACTED}&phone *******5678`);
    expect(form.redacted).toBe(3);
  });

  it("never throws, whatever it gets", () => {
    for (const body of ["", "{", "%%%=%", "a=%E0%A4%A", "[1,2", "null", "\u0000"]) {
      expect(() => redactPayload(body)).not.toThrow();
    }
    expect(redactPayload("null")).toEqual({ format: "text", value: "null", redacted: 0 });
  });
});

describe("redactValue", () => {
  it("redacts stored headers by name, case-insensitively", () => {
    expect(
      redactValue({ "Event-Sign": "abc", "content-type": "application/json", Authorization: "x" }),
    ).toEqual({
      value: {
        "Event-Sign": REDACTED,
        "content-type": "application/json",
        Authorization: REDACTED,
      },
      redacted: 2,
    });
  });

  it("keeps empty secrets empty (nothing to hide) and masks numeric phones", () => {
    expect(redactValue({ sign: "", mobile: 13812345678 }).value).toEqual({
      sign: "",
      mobile: "*******5678",
    });
  });

  it("maskTail keeps four characters", () => {
    expect(maskTail("13812345678")).toBe("*******5678");
    expect(maskTail("123")).toBe("***");
  });
});
