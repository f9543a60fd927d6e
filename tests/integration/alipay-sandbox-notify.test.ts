import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TestAlipayClient } from "./alipay-sandbox-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "@/lib/clock";
import { createAlipaySandbox, type AlipaySandbox } from "@/lib/sandbox/alipay";
import { withTestDatabase } from "../helpers/db";

/*
 * Order strings (the Alipay app), page.sign URLs (the sign page), the wallet, and notifications
 * (spec §3.3, §5, §9.5–9.7, §9.12–9.14) to a real HTTP receiver, checked with the real SDK's
 * checkNotifySignV2. Delivery happens only in tick(); the clock is the test's.
 */

const t = withTestDatabase();
const START = Date.parse("2026-03-01T02:00:00.000Z");
let nowMs = START;
const clock: Clock = { now: async () => new Date(nowMs) };
let sandbox: AlipaySandbox;
let server: Server | undefined;
let base = "";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  form: Record<string, string>;
}
let received: Received[] = [];
let reply = { status: 200, body: "success" };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      received.push({ path: req.url ?? "", headers: req.headers, form });
      res.writeHead(reply.status, { "content-type": "text/plain" }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(async () => {
  nowMs = START;
  received = [];
  reply = { status: 200, body: "success" };
  sandbox = await createAlipaySandbox({ db: t.db(), clock, appGatewayUrl: `${base}/app-gateway` });
});

const sdk = () =>
  new TestAlipayClient({
    appId: sandbox.keys.appId,
    privateKey: sandbox.keys.appPrivateKeyPem,
    alipayPublicKey: sandbox.keys.alipayPublicKeyPem,
    gateway: "http://127.0.0.1:9/sandbox/alipay/gateway.do",
  });

type R = Record<string, unknown>;
const signParams = (patch: R = {}) => ({
  personal_product_code: "CYCLE_PAY_AUTH_P",
  sign_scene: "INDUSTRY|DIGITAL_MEDIA",
  external_agreement_no: `ext${Math.floor(Math.random() * 1e9)}`,
  access_params: { channel: "ALIPAYAPP" },
  period_rule_params: {
    period_type: "MONTH",
    period: 1,
    execute_time: "2026-04-01",
    single_amount: "19.90",
  },
  sign_notify_url: `${base}/sign-notify`,
  ...patch,
});

function orderString(outTradeNo: string, sign: R | null = signParams(), notify = true) {
  return sdk().sdkExecute("alipay.trade.app.pay", {
    ...(notify ? { notifyUrl: `${base}/trade-notify` } : {}),
    bizContent: {
      out_trade_no: outTradeNo,
      total_amount: "19.90",
      subject: "小铺会员 月度",
      product_code: "CYCLE_PAY_AUTH",
      timeout_express: "30m",
      passback_params: encodeURIComponent("order=ord_1&x=%"),
      ...(sign ? { agreement_sign_params: sign } : {}),
    },
  });
}

const checkV2 = (form: Record<string, string>) => sdk().checkNotifySignV2({ ...form });

describe("pay then sign (order strings)", () => {
  it("pay_and_sign: signed app result, trade notify and sign notify, both verified by the SDK", async () => {
    const result = await sandbox.appPay(orderString("A1"), "pay_and_sign");
    expect(result).toMatchObject({ resultStatus: "9000", signError: null });
    expect(result.agreementNo).toMatch(/^\d{20}$/);
    const app = JSON.parse(result.result) as R;
    expect(app.sign_type).toBe("RSA2");
    const inner = /^\{"alipay_trade_app_pay_response":(\{.*?\}),"sign"/.exec(result.result)?.[1];
    expect(sdk().rsaCheck(inner ?? "", String(app.sign))).toBe(true);

    expect(await sandbox.tick()).toMatchObject({ delivered: 2, failed: 0 });
    const [trade, sign] = received as [Received, Received];
    expect(trade.path).toBe("/trade-notify");
    expect(trade.headers["content-type"]).toBe("application/x-www-form-urlencoded; charset=utf-8");
    expect(trade.form).toMatchObject({
      notify_type: "trade_status_sync",
      trade_status: "TRADE_SUCCESS",
      out_trade_no: "A1",
      total_amount: "19.90",
      app_id: sandbox.keys.appId,
      seller_id: "2088000000000001",
      sign_type: "RSA2",
      charset: "utf-8",
      version: "1.0",
      notify_time: "2026-03-01 10:00:00",
      gmt_payment: "2026-03-01 10:00:00",
      passback_params: encodeURIComponent("order=ord_1&x=%"),
    });
    expect(JSON.parse(trade.form.fund_bill_list ?? "")).toEqual([
      { amount: "19.90", fundChannel: "ALIPAYACCOUNT" },
    ]);
    expect(sign.path).toBe("/sign-notify");
    expect(sign.form).toMatchObject({
      notify_type: "dut_user_sign",
      status: "NORMAL",
      agreement_no: result.agreementNo,
      personal_product_code: "CYCLE_PAY_AUTH_P",
      invalid_time: "2115-02-01 00:00:00",
    });
    for (const note of received) {
      expect(checkV2(note.form)).toBe(true);
      expect(Object.values(note.form)).not.toContain("");
      expect(note.form.notify_id).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(checkV2({ ...trade.form, total_amount: "0.01" })).toBe(false);
    // The trade and the agreement as the server sees them.
    expect((await sandbox.wallet()).agreements[0]).toMatchObject({
      status: "NORMAL",
      nextDeductDate: "2026-04-01",
      source: "app.pay",
    });
    // Consuming the same order string again is a duplicate.
    expect((await sandbox.appPay(orderString("A1"), "pay_only")).resultStatus).toBe("5000");
  });

  it("pay_only, invalid sign params, cancel, fail → expiry close", async () => {
    expect(await sandbox.appPay(orderString("P1"), "pay_only")).toMatchObject({
      resultStatus: "9000",
      agreementNo: null,
    });
    const bad = signParams({
      period_rule_params: {
        period_type: "DAY",
        period: 6,
        execute_time: "2026-03-08",
        single_amount: "1",
      },
    });
    expect(await sandbox.appPay(orderString("P2", bad), "pay_and_sign")).toMatchObject({
      resultStatus: "9000",
      agreementNo: null,
      signError: "DAY period must be at least 7",
    });
    expect(await sandbox.appPay(orderString("P3"), "cancel")).toMatchObject({
      resultStatus: "6001",
    });
    expect(await sandbox.appPay(orderString("P4"), "fail")).toMatchObject({ resultStatus: "4000" });
    await sandbox.tick();
    expect(received.map((r) => r.form.out_trade_no)).toEqual(["P1", "P2"]);
    nowMs += 31 * 60_000;
    expect(await sandbox.tick()).toMatchObject({ closed: 1, delivered: 1 });
    expect(received[2]?.form).toMatchObject({ out_trade_no: "P4", trade_status: "TRADE_CLOSED" });
  });

  it("refuses a tampered order string and checks the per-user limit and unique external number", async () => {
    const good = orderString("X1");
    await expect(sandbox.appPay(good.replace("19.90", "0.01"), "pay_only")).rejects.toThrow(
      /invalid-signature/,
    );
    await sandbox.setFaults({ maxAgreementsPerUser: 1 });
    await sandbox.appPay(orderString("X2"), "pay_and_sign");
    expect((await sandbox.appPay(orderString("X3"), "pay_and_sign")).signError).toMatch(
      /at most 1/,
    );
    await sandbox.setFaults({ maxAgreementsPerUser: 10 });
    const same = signParams({ external_agreement_no: "dup1" });
    await sandbox.appPay(orderString("X4", same), "pay_and_sign");
    expect((await sandbox.appPay(orderString("X5", same), "pay_and_sign")).signError).toMatch(
      /already used/,
    );
  });

  it("without notify_url: no trade notify; the sign notify falls back to sign_notify_url only", async () => {
    await sandbox.appPay(orderString("N1", signParams(), false), "pay_and_sign");
    await sandbox.tick();
    expect(received.map((r) => r.path)).toEqual(["/sign-notify"]);
  });
});

describe("refund notifications (spec §4.7)", () => {
  it("partial refund → TRADE_SUCCESS with refund_fee and out_biz_no; full → TRADE_CLOSED", async () => {
    await sandbox.appPay(orderString("RF", null), "pay_only");
    const refund = async (amount: string, no: string) => {
      const params = sdk().sign("alipay.trade.refund", {
        bizContent: { out_trade_no: "RF", refund_amount: amount, out_request_no: no },
      });
      const response = await sandbox.handleGatewayParams(params);
      return JSON.parse(await response.text()) as { alipay_trade_refund_response: R };
    };
    expect((await refund("9.90", "r1")).alipay_trade_refund_response).toMatchObject({
      fund_change: "Y",
      refund_fee: "9.90",
    });
    await refund("10.00", "r2");
    await sandbox.tick();
    expect(
      received.map((r) => [r.form.trade_status, r.form.refund_fee, r.form.out_biz_no]),
    ).toEqual([
      ["TRADE_SUCCESS", undefined, undefined],
      ["TRADE_SUCCESS", "9.90", "r1"],
      ["TRADE_CLOSED", "19.90", "r2"],
    ]);
    expect(received[1]?.form.gmt_refund).toBe("2026-03-01 10:00:00");
    expect(received.every((r) => checkV2(r.form))).toBe(true);
  });
});

describe("sign only (page.sign) and the wallet", () => {
  const signUrl = (notify: boolean) =>
    sdk().pageExecute("alipay.user.agreement.page.sign", "GET", {
      ...(notify ? { notifyUrl: `${base}/page-notify` } : {}),
      bizContent: signParams({ sign_notify_url: undefined }),
    });

  it("signs from a pageExecute URL: NORMAL, next = execute_time, notify → notify_url, else app gateway", async () => {
    const url = signUrl(true);
    expect(url).toContain("timestamp=");
    expect(sandbox.readSignUrl(url).terms).toMatchObject({
      periodType: "MONTH",
      singleAmountFen: 1990,
    });
    const { agreementNo } = await sandbox.sign(url);
    await sandbox.sign(signUrl(false));
    await sandbox.tick();
    expect(received.map((r) => r.path)).toEqual(["/page-notify", "/app-gateway"]);
    expect(received[0]?.form.agreement_no).toBe(agreementNo);
    expect(received.every((r) => checkV2(r.form))).toBe(true);
    expect(await sandbox.sign(signUrl(true), "cancel")).toEqual({
      agreementNo: null,
      status: "CANCELLED",
    });
  });

  it("the user unsigns in the wallet: UNSIGN notify to the app gateway (even with a control URL)", async () => {
    const { agreementNo } = await sandbox.sign(signUrl(true));
    await sandbox.tick();
    await sandbox.setAppGatewayUrl(`${base}/custom-gateway`);
    await sandbox.walletUnsign(agreementNo as string);
    await expect(sandbox.walletUnsign(agreementNo as string)).rejects.toThrow(/already unsigned/);
    await sandbox.tick();
    const unsign = received[1];
    expect(unsign?.path).toBe("/custom-gateway");
    expect(unsign?.form).toMatchObject({
      notify_type: "dut_user_unsign",
      status: "UNSIGN",
      agreement_no: agreementNo,
      unsign_time: "2026-03-01 10:00:00",
    });
    expect(checkV2(unsign?.form ?? {})).toBe(true);
  });
});

describe("delivery and retries (spec §5.5, §9.13–14)", () => {
  it("3 immediate retries, then 4m, 10m, 10m, 1h, 2h, 6h, 15h; same notify_id; then dead", async () => {
    reply = { status: 200, body: "fail" };
    await sandbox.appPay(orderString("Q1", null), "pay_only");
    await sandbox.tick();
    expect(received).toHaveLength(4);
    const waits = [4 * 60, 10 * 60, 10 * 60, 3600, 7200, 6 * 3600, 15 * 3600];
    for (const wait of waits) {
      nowMs += (wait - 1) * 1000;
      await sandbox.tick();
      const before = received.length;
      nowMs += 1000;
      await sandbox.tick();
      expect(received.length).toBe(before + 1);
    }
    expect(received).toHaveLength(11);
    expect(new Set(received.map((r) => r.form.notify_id)).size).toBe(1);
    // notify_time is refreshed (and re-signed) per attempt.
    expect(received.at(-1)?.form.notify_time).not.toBe(received[0]?.form.notify_time);
    expect(received.every((r) => checkV2(r.form))).toBe(true);
    nowMs += 100 * 3600_000;
    await sandbox.tick();
    expect(received).toHaveLength(11);
    expect((await sandbox.stats()).notifications[0]).toMatchObject({
      status: "dead",
      attempts: 11,
    });
  });

  it("a 200 with `success` only counts; realism switches reorder, duplicate and retype", async () => {
    await sandbox.setFaults({
      immediateRetries: false,
      signBeforeTrade: true,
      duplicateAfterSuccess: true,
      oddContentType: true,
    });
    await sandbox.appPay(orderString("Z1"), "pay_and_sign");
    await sandbox.tick();
    expect(received.map((r) => r.form.notify_type)).toEqual([
      "dut_user_sign",
      "trade_status_sync",
      "dut_user_sign",
      "trade_status_sync",
    ]);
    expect(received[2]?.form.notify_id).toBe(received[0]?.form.notify_id);
    expect(received[0]?.headers["content-type"]).toBe(
      "application/x-www-form-urlencoded; text/html; charset=utf-8",
    );
  });

  it("fund_bill_list with &quot;, sign_type in the signed text, a fixed notify_time", async () => {
    await sandbox.setFaults({
      fundBillListQuot: true,
      notifySignIncludesSignType: true,
      refreshNotifyTime: false,
      immediateRetries: false,
    });
    reply = { status: 500, body: "no" };
    await sandbox.appPay(orderString("Y1", null), "pay_only");
    await sandbox.tick();
    nowMs += 4 * 60_000;
    await sandbox.tick();
    const [first, second] = received as [Received, Received];
    expect(first.form.fund_bill_list).toBe(
      "[{&quot;amount&quot;:&quot;19.90&quot;,&quot;fundChannel&quot;:&quot;ALIPAYACCOUNT&quot;}]",
    );
    expect(second.form.notify_time).toBe(first.form.notify_time);
    // V2 drops sign_type, so it fails; the sign_type-inclusive text verifies.
    expect(checkV2(first.form)).toBe(false);
    const { sign, ...rest } = first.form;
    const content = Object.keys(rest)
      .sort()
      .map((key) => `${key}=${rest[key]}`)
      .join("&");
    expect(sdk().rsaCheck(content, sign ?? "")).toBe(true);
  });

  it("(realism switches, continued) content type", async () => {
    await sandbox.setFaults({ oddContentType: true });
    await sandbox.appPay(orderString("Y2", null), "pay_only");
    await sandbox.tick();
    expect(received[0]?.headers["content-type"]).toBe(
      "application/x-www-form-urlencoded; text/html; charset=utf-8",
    );
  });
});
