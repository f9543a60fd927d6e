import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodePushMsg, encodePushReply, parseYouzanPush } from "./push";

const creds = { clientId: "c0ffee0123456789ab", clientSecret: "s3cr3t-app-secret" };
const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

/** 2021 style: form-urlencoded, spaces as `+`, `:` `,` `[` escaped. */
const formEncode = (json: string) => new URLSearchParams({ m: json }).toString().slice(2);
/** 2018 style: encodeURI-like, spaces as `%20`, `:` `,` left literal. */
const uriEncode = (json: string) => encodeURI(json);

/** A trade_TradePaid message the way §4.2/§6.3 describe it. */
const paidMsg = {
  full_order_info: {
    order_info: {
      tid: "E20210322174100000000001",
      status: "TRADE_PAID",
      created: "2021-03-22 17:41:00",
      pay_time: "2021-03-22 17:41:11",
    },
    pay_info: { payment: "9.90" },
    buyer_info: { fans_nickname: "小 明+1" },
  },
  qr_info: { qr_id: 6154839, qr_pay_id: 88001, qr_name: "Order ord_8KQ2" },
};

function pushBody(
  overrides: Record<string, unknown> = {},
  msg: string = formEncode(JSON.stringify(paidMsg)),
) {
  return {
    client_id: creds.clientId,
    id: "E20210322174100000000001",
    kdt_id: 10001000,
    kdt_name: "小铺",
    root_kdt_id: 10001000,
    mode: 1,
    type: "trade_TradePaid",
    status: "TRADE_PAID",
    msg,
    msg_id: "2d6f3c52-6a0e-4a55-9f0b-3f1a3c2b1d01",
    sign: md5(creds.clientId + msg + creds.clientSecret),
    version: 1616406071,
    sendCount: 0,
    ...overrides,
  };
}

function signedHeaders(raw: string, extra: Record<string, string> = {}) {
  return new Headers({
    "Content-Type": "application/json",
    "Event-Sign": md5(creds.clientId + raw + creds.clientSecret),
    "Event-Type": "trade_TradePaid",
    "Client-Id": creds.clientId,
    ...extra,
  });
}

describe("parseYouzanPush", () => {
  it("accepts a valid Event-Sign over the raw bytes and decodes msg", () => {
    const raw = JSON.stringify(pushBody());
    expect(parseYouzanPush(raw, signedHeaders(raw), creds)).toEqual({
      kind: "message",
      signatureValid: true,
      eventKey: "2d6f3c52-6a0e-4a55-9f0b-3f1a3c2b1d01",
      type: "trade_TradePaid",
      tid: "E20210322174100000000001",
      status: "TRADE_PAID",
      version: 1616406071,
      clientId: creds.clientId,
      kdtId: "10001000",
      qrId: "6154839",
      msg: paidMsg,
    });
  });

  it("verifies the exact bytes, not a re-serialisation", () => {
    const raw = JSON.stringify(pushBody(), null, 2); // whitespace Youzan might send
    expect(parseYouzanPush(raw, signedHeaders(raw), creds)).toMatchObject({ signatureValid: true });
    const reordered = JSON.stringify(JSON.parse(raw));
    expect(parseYouzanPush(reordered, signedHeaders(raw), creds)).toMatchObject({
      signatureValid: false,
    });
  });

  it("accepts a valid legacy body sign when there is no Event-Sign", () => {
    const raw = JSON.stringify(pushBody());
    const parsed = parseYouzanPush(raw, new Headers({ "Content-Type": "application/json" }), creds);
    expect(parsed).toMatchObject({ kind: "message", signatureValid: true, qrId: "6154839" });
  });

  it.each([
    ["a forged Event-Sign", (raw: string) => signedHeaders(raw, { "Event-Sign": md5("forged") })],
    [
      "an Event-Sign made with another secret",
      (raw: string) =>
        signedHeaders(raw, { "Event-Sign": md5(creds.clientId + raw + "other-secret") }),
    ],
    [
      "a truncated Event-Sign",
      (raw: string) =>
        signedHeaders(raw, {
          "Event-Sign": md5(creds.clientId + raw + creds.clientSecret).slice(0, 31),
        }),
    ],
  ])("rejects %s", (_label, headers) => {
    const raw = JSON.stringify(pushBody());
    expect(parseYouzanPush(raw, headers(raw), creds)).toMatchObject({
      kind: "message",
      signatureValid: false,
    });
  });

  it("does not fall back to a valid body sign when Event-Sign is wrong", () => {
    const raw = JSON.stringify(pushBody());
    const headers = new Headers({ "Event-Sign": "0".repeat(32) });
    expect(parseYouzanPush(raw, headers, creds)).toMatchObject({ signatureValid: false });
  });

  it("rejects a forged legacy sign and a sign over the decoded msg", () => {
    const forged = JSON.stringify(pushBody({ sign: md5("anything") }));
    expect(parseYouzanPush(forged, new Headers(), creds)).toMatchObject({ signatureValid: false });
    const decodedSign = md5(creds.clientId + JSON.stringify(paidMsg) + creds.clientSecret);
    const overDecoded = JSON.stringify(pushBody({ sign: decodedSign }));
    expect(parseYouzanPush(overDecoded, new Headers(), creds)).toMatchObject({
      signatureValid: false,
    });
    const unsigned = JSON.stringify(pushBody({ sign: undefined }));
    expect(parseYouzanPush(unsigned, new Headers(), creds)).toMatchObject({
      signatureValid: false,
    });
  });

  it("rejects a push for another app even when its signature matches", () => {
    const foreign = JSON.stringify(pushBody({ client_id: "someone-else" }));
    expect(parseYouzanPush(foreign, signedHeaders(foreign), creds)).toMatchObject({
      signatureValid: false,
      clientId: "someone-else",
    });
    expect(parseYouzanPush(foreign, new Headers(), creds)).toMatchObject({ signatureValid: false });
    const raw = JSON.stringify(pushBody());
    const otherHeader = signedHeaders(raw, { "Client-Id": "someone-else" });
    expect(parseYouzanPush(raw, otherHeader, creds)).toMatchObject({ signatureValid: false });
    const otherType = signedHeaders(raw, { "Event-Type": "trade_TradeClose" });
    expect(parseYouzanPush(raw, otherType, creds)).toMatchObject({ signatureValid: false });
  });

  it("recognises the heartbeat", () => {
    expect(parseYouzanPush('{"test":true}', new Headers(), creds)).toEqual({ kind: "heartbeat" });
  });

  it.each([
    ["not JSON", "{not json"],
    ["empty", ""],
    ["an array", "[]"],
    ["a string", '"hello"'],
    ["no type", JSON.stringify({ id: "E1", msg: "%7B%7D" })],
  ])("reports a body that is %s as malformed", (_label, raw) => {
    expect(parseYouzanPush(raw, new Headers(), creds)).toMatchObject({ kind: "malformed" });
  });

  // Issue #7 item 8: a signed push is judged by its signature first. This test expected
  // `malformed` for signed pushes before; they are now `unreadable` (acknowledged, not refused).
  it("reports a signed msg that does not decode to JSON as unreadable, keyed by msg_id", () => {
    for (const msg of ["%7B%22tid%22", "not+json", "%E4%B8"]) {
      const raw = JSON.stringify(pushBody({}, msg));
      expect(parseYouzanPush(raw, signedHeaders(raw), creds)).toEqual({
        kind: "unreadable",
        signatureValid: true,
        reason: "msg is not URL-encoded JSON",
        eventKey: "2d6f3c52-6a0e-4a55-9f0b-3f1a3c2b1d01",
        type: "trade_TradePaid",
      });
      // The legacy body sign verifies too.
      expect(parseYouzanPush(raw, new Headers(), creds)).toMatchObject({ kind: "unreadable" });
    }
    const raw = JSON.stringify(pushBody({ msg: 42 }));
    expect(parseYouzanPush(raw, signedHeaders(raw), creds)).toMatchObject({
      kind: "unreadable",
      reason: "msg is neither a string nor an object",
    });
  });

  it("reports an unreadable msg as malformed when the signature is missing or wrong", () => {
    const raw = JSON.stringify(pushBody({ sign: md5("forged") }, "not+json"));
    expect(parseYouzanPush(raw, new Headers(), creds)).toMatchObject({ kind: "malformed" });
    const good = JSON.stringify(pushBody({}, "not+json"));
    const forged = signedHeaders(good, { "Event-Sign": md5("forged") });
    expect(parseYouzanPush(good, forged, creds)).toMatchObject({ kind: "malformed" });
    // A legacy sign cannot cover a msg that is not a string: nothing verifies it.
    const numeric = JSON.stringify(pushBody({ msg: 42 }));
    expect(parseYouzanPush(numeric, new Headers(), creds)).toMatchObject({ kind: "malformed" });
  });

  it("reports a signed body without a type as unreadable", () => {
    const raw = JSON.stringify(pushBody({ type: undefined }));
    expect(parseYouzanPush(raw, signedHeaders(raw), creds)).toEqual({
      kind: "unreadable",
      signatureValid: true,
      reason: "type missing",
      eventKey: "2d6f3c52-6a0e-4a55-9f0b-3f1a3c2b1d01",
      type: null,
    });
    const foreign = JSON.stringify(pushBody({ type: undefined, client_id: "someone-else" }));
    expect(parseYouzanPush(foreign, signedHeaders(foreign), creds)).toMatchObject({
      kind: "malformed",
    });
  });

  it("keys a signed body that is not JSON by the hash of its bytes", () => {
    const raw = "{not json";
    const parsed = parseYouzanPush(raw, signedHeaders(raw), creds);
    expect(parsed).toEqual({
      kind: "unreadable",
      signatureValid: true,
      reason: "body is not JSON",
      eventKey: `sha256:${createHash("sha256").update(raw).digest("hex")}`,
      type: null,
    });
    expect(parseYouzanPush("[]", signedHeaders("[]"), creds)).toMatchObject({
      kind: "unreadable",
      reason: "body is not a JSON object",
    });
    const noMsgId = JSON.stringify(pushBody({ msg_id: undefined }, "not+json"));
    expect(parseYouzanPush(noMsgId, signedHeaders(noMsgId), creds)).toMatchObject({
      kind: "unreadable",
      eventKey: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it("decodes the 2018 encodeURI-like style (legacy V2 TRADE_ORDER_STATE)", () => {
    const v2 = {
      tid: "E20180703104845038600006",
      status: "TRADE_SUCCESS",
      payment: "260.00",
      update_time: "2018-07-03 10:49:00",
    };
    const msg = uriEncode(JSON.stringify(v2));
    expect(msg).toContain("%22tid%22:%22E2018"); // `:` literal, quotes escaped
    const body = pushBody(
      { type: "TRADE_ORDER_STATE", status: "TRADE_SUCCESS", msg_id: undefined },
      msg,
    );
    const raw = JSON.stringify(body);
    expect(parseYouzanPush(raw, new Headers(), creds)).toEqual({
      kind: "message",
      signatureValid: true,
      eventKey: "TRADE_ORDER_STATE:TRADE_SUCCESS:10001000:E20210322174100000000001:1616406071",
      type: "TRADE_ORDER_STATE",
      tid: "E20210322174100000000001",
      status: "TRADE_SUCCESS",
      version: 1616406071,
      clientId: creds.clientId,
      kdtId: "10001000",
      qrId: null,
      msg: v2,
    });
  });

  it("finds qr_id inside full_order_info and accepts msg sent as an object", () => {
    const inner = { full_order_info: { qr_info: { qr_id: "6154839" } } };
    const raw = JSON.stringify(pushBody({ msg: inner }));
    expect(parseYouzanPush(raw, signedHeaders(raw), creds)).toMatchObject({
      signatureValid: true,
      qrId: "6154839",
      msg: inner,
    });
  });

  it('normalises the 2018 top-level status "PAID" of trade_TradePaid', () => {
    const raw = JSON.stringify(pushBody({ status: "PAID" }));
    expect(parseYouzanPush(raw, signedHeaders(raw), creds)).toMatchObject({ status: "TRADE_PAID" });
  });

  it("keys events by msg_id, else by type:status:kdt_id:id:version", () => {
    const withId = JSON.stringify(pushBody({ sendCount: 3 }));
    expect(parseYouzanPush(withId, signedHeaders(withId), creds)).toMatchObject({
      eventKey: "2d6f3c52-6a0e-4a55-9f0b-3f1a3c2b1d01",
    });
    const withoutId = JSON.stringify(pushBody({ msg_id: "", version: "1616406072" }));
    expect(parseYouzanPush(withoutId, signedHeaders(withoutId), creds)).toMatchObject({
      eventKey: "trade_TradePaid:TRADE_PAID:10001000:E20210322174100000000001:1616406072",
      version: 1616406072,
    });
    // Two V2 messages of one trade in the same second differ by status only.
    const created = JSON.stringify(
      pushBody({ msg_id: "", type: "TRADE_ORDER_STATE", status: "WAIT_BUYER_PAY", version: 7 }),
    );
    const paid = JSON.stringify(
      pushBody({ msg_id: "", type: "TRADE_ORDER_STATE", status: "TRADE_SUCCESS", version: 7 }),
    );
    const keyOf = (raw: string) => {
      const parsed = parseYouzanPush(raw, signedHeaders(raw), creds);
      return parsed.kind === "message" ? parsed.eventKey : null;
    };
    expect(keyOf(created)).not.toBe(keyOf(paid));
  });
});

describe("decodePushMsg", () => {
  it("turns + into spaces in the form style, then percent-decodes", () => {
    const json = JSON.stringify({ update_time: "2021-03-22 17:41:11", note: "a+b, c:d" });
    const encoded = formEncode(json);
    expect(encoded).toContain("2021-03-22+17%3A41%3A11");
    expect(encoded).toContain("a%2Bb");
    expect(decodePushMsg(encoded)).toBe(json);
    // What decodeURIComponent alone would have produced:
    expect(decodeURIComponent(encoded)).toContain("2021-03-22+17:41:11");
  });

  it("keeps a literal + in the encodeURI-like style, where spaces are %20", () => {
    const json = JSON.stringify({ time: "2018-07-03 10:49:00", nick: "a+b" });
    expect(decodePushMsg(uriEncode(json))).toBe(json);
  });

  it("decodes UTF-8 and leaves malformed escapes as typed", () => {
    expect(decodePushMsg(formEncode("小铺 ✓"))).toBe("小铺 ✓");
    expect(decodePushMsg("100%+sure%zz")).toBe("100% sure%zz");
    expect(decodePushMsg("%E4%B8")).toBe("\uFFFD");
  });

  it("works on whole buffers: raw UTF-8, lone surrogates, escapes at the very end, 256 KiB", () => {
    // Unescaped non-ASCII text passes through as its own bytes; a lone surrogate is U+FFFD.
    expect(decodePushMsg("小铺%20%E2%9C%93")).toBe("小铺 ✓");
    expect(decodePushMsg("a\uD800b%41")).toBe("a\uFFFDbA");
    expect(decodePushMsg("%4")).toBe("%4");
    expect(decodePushMsg("x%41")).toBe("xA");
    expect(decodePushMsg("%")).toBe("%");
    const big = JSON.stringify({ items: Array.from({ length: 8_000 }, (_, i) => `商品 ${i} + 1`) });
    const encoded = formEncode(big);
    expect(encoded.length).toBeGreaterThan(256 * 1024);
    expect(decodePushMsg(encoded)).toBe(big);
  });
});

describe("encodePushReply", () => {
  it("is exactly what Youzan expects", () => {
    expect(encodePushReply()).toBe('{"code":0,"msg":"success"}');
  });
});
