import { describe, expect, it } from "vitest";
import {
  at,
  decodeForm,
  goodTokenRequest,
  type Json,
  type Received,
  withSandboxHarness,
} from "../helpers/sandbox-harness";
import { loadFixture, shapeDifferences } from "../helpers/sandbox-shapes";

/*
 * What the sandbox emits has the shape of the recorded provider payloads in
 * lib/payments/youzan/__fixtures__ — the same keys at every level, the same JSON types at every
 * leaf — which the client's transform test parses. A misreading of the spec in the sandbox
 * shows up here; one in the client shows up there.
 */

const h = withSandboxHarness();
const { api, createQr, issueToken } = h;

function expectShape(actual: unknown, fixtureName: string): void {
  expect(shapeDifferences(actual, loadFixture(fixtureName)), fixtureName).toEqual([]);
}

/** A push body and its decoded msg, against the fixture's body and decoded msg. */
function expectPushShape(push: Received, fixtureName: string, decode = decodeForm): void {
  expectShape(push.body, fixtureName);
  const fixture = loadFixture(fixtureName) as Json;
  expect(
    shapeDifferences(decode(String(push.body.msg)), decode(String(fixture.msg))),
    `${fixtureName} msg`,
  ).toEqual([]);
}

describe("the sandbox speaks the recorded shapes", () => {
  it("shape comparison notices a missing key, an extra key and a type drift", () => {
    expect(shapeDifferences({ a: 1, b: "x" }, { a: 2, b: "y" })).toEqual([]);
    expect(shapeDifferences({ a: "1", c: [] }, { a: 1, b: "y" })).toEqual([
      "$.b: missing",
      "$.c: not in the fixture",
      "$.a: string where the fixture has number",
    ]);
    expect(shapeDifferences({ l: [{ x: 1 }, { y: 1 }] }, { l: [{ x: 0 }] })).toEqual([
      "$.l[1].x: missing",
      "$.l[1].y: not in the fixture",
    ]);
  });

  it("token: the success and the error envelope", async () => {
    expectShape((await h.tokenCall(goodTokenRequest)).json, "token");
    expectShape(
      (await h.tokenCall({ ...goodTokenRequest, client_id: "other" })).json,
      "token-error",
    );
  });

  it("youzan.pay.qrcode.create and youzan.trades.qr.get (a paid and a waiting row)", async () => {
    const token = await issueToken();
    const created = await api(
      ["youzan.pay.qrcode.create", "3.0.0"],
      { qr_type: "QR_TYPE_NOLIMIT", qr_price: "26000", qr_name: "小铺指南" },
      { token },
    );
    expectShape(created.json, "pay-qrcode-create");
    const qrId = String(at(created.json, "response.qr_id"));
    await h.sandbox.pay({ qrId, payType: "ALIWAP", payerNick: "alipay_2088102122524333" });
    h.advance(120);
    await h.sandbox.scan(qrId);
    const listed = await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId }, { token });
    expect(at(listed.json, "response.qr_trades.1.status")).toBe("TRADE_RECEIVED");
    expectShape(listed.json, "trades-qr-get");
  });

  it("youzan.trade.get 4.0.2 and 3.0.0, and the 4.x not-found answer", async () => {
    const qrId = await createQr();
    const { tid } = await h.sandbox.pay({ qrId, payerNick: "小明" });
    h.advance(1);
    const token = await issueToken();
    expectShape(
      (await api(["youzan.trade.get", "4.0.2"], { tid }, { token })).json,
      "trade-get-4.0.2",
    );
    expectShape(
      (await api(["youzan.trade.get", "3.0.0"], { tid }, { token })).json,
      "trade-get-3.0.0",
    );
    const unknown = await api(
      ["youzan.trade.get", "4.0.2"],
      { tid: "E20260301100000123456789" },
      { token },
    );
    expectShape(unknown.json, "trade-get-not-found-4.0.2");
  });

  it("error envelopes: gw_err_resp (err_msg or err_message), error_response (msg or message)", async () => {
    const token = await issueToken();
    expectShape(
      (await api(["youzan.trade.get", "4.0.2"], {}, { token: "bad" })).json,
      "gateway-error",
    );
    expectShape(
      (await api(["youzan.trade.get", "3.0.0"], { tid: "E0" }, { token })).json,
      "legacy-error",
    );
    await h.sandbox.setFaults({
      envelopes: { "youzan.trade.get": { gwErrorText: "err_message", errorText: "message" } },
      deniedApis: ["youzan.trade.get/4.0.2"],
    });
    expectShape(
      (await api(["youzan.trade.get", "4.0.2"], { tid: "E0" }, { token })).json,
      "gateway-error-err-message",
    );
    expectShape(
      (await api(["youzan.trade.get", "3.0.0"], { tid: "E0" }, { token })).json,
      "legacy-error-message",
    );
  });

  it("V3 pushes: trade_TradePaid, trade_TradeSuccess, trade_TradeClose", async () => {
    const { tid } = await h.sandbox.pay({ qrId: await createQr() });
    h.advance(1);
    await h.sandbox.tick();
    const closing = await h.sandbox.scan(await createQr());
    h.advance(30 * 60);
    await h.sandbox.tick();
    const byType = (type: string, id: string) =>
      h.received.find((push) => push.body.type === type && push.body.id === id)!;
    expectPushShape(byType("trade_TradePaid", tid), "push-v3-trade-paid");
    expectPushShape(byType("trade_TradeSuccess", tid), "push-v3-trade-success");
    expectPushShape(byType("trade_TradeClose", closing.tid), "push-v3-trade-close");
  });

  it("the legacy V2 push and the heartbeat", async () => {
    await h.sandbox.setFaults({ subscription: "v2", msgEncoding: "uri" });
    await h.sandbox.pay({ qrId: await createQr() });
    h.advance(1);
    await h.sandbox.tick();
    const [v2] = h.received as [Received];
    // The 2018 encodeURI-like style, as the fixture was recorded.
    expectPushShape(
      v2,
      "push-v2-trade-order-state",
      (msg) => JSON.parse(decodeURIComponent(msg)) as Json,
    );

    h.clearReceived();
    await h.sandbox.heartbeat();
    expect(h.received[0]!.body).toEqual(loadFixture("push-heartbeat"));
  });
});
