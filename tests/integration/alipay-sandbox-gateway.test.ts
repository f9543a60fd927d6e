import { createVerify, generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { TestAlipayClient } from "./alipay-sandbox-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureSandboxAlipayKeys } from "@/db/queries/sandbox-alipay-keys";
import { alipaySandboxTrades } from "@/db/schema";
import type { Clock } from "@/lib/clock";
import { createAlipaySandbox, type AlipaySandbox } from "@/lib/sandbox/alipay";
import { withTestDatabase } from "../helpers/db";
import { gate, type Gate } from "../helpers/gate";

/*
 * The Alipay sandbox gateway (spec §3, §4, §6, §9.1–9.11, §9.15–17) over real HTTP, driven by
 * the real alipay-sdk as an independent client. The clock is the test's; nothing sleeps.
 */

const t = withTestDatabase();
/** 10:00:00 in China. */
const START = Date.parse("2026-03-01T02:00:00.000Z");
const DAY = 86_400_000;
let nowMs = START;
/** When set, a request's business part waits here (the gateway reads the clock just before it). */
let clockGate: Gate | null = null;
const clock: Clock = {
  now: async () => {
    await clockGate?.pass();
    return new Date(nowMs);
  },
};
let sandbox: AlipaySandbox;
let gateway = "";
let server: Server | undefined;
const slept: number[] = [];
/** A key the sandbox does not know. */
const otherKey = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
}).privateKey;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(key, value);
      }
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
        method: req.method,
        headers,
        body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
      });
      sandbox
        .handleGatewayRequest(request)
        .then(async (response) => {
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        })
        .catch((error: unknown) => {
          res.writeHead(500).end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox/alipay/gateway.do`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(async () => {
  nowMs = START;
  clockGate = null;
  slept.length = 0;
  sandbox = await createAlipaySandbox({
    db: t.db(),
    clock,
    appGatewayUrl: "http://127.0.0.1:9/unused",
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
});

function sdk(privateKey = sandbox.keys.appPrivateKeyPem) {
  return new TestAlipayClient({
    appId: sandbox.keys.appId,
    privateKey,
    alipayPublicKey: sandbox.keys.alipayPublicKeyPem,
    gateway,
  });
}

type R = Record<string, unknown>;
const exec = async (method: string, bizContent: R, extra: R = {}, validateSign = true) =>
  (await sdk().exec(method, { bizContent, ...extra }, { validateSign })) as R;

const terms = (patch: R = {}) => ({
  personal_product_code: "CYCLE_PAY_AUTH_P",
  sign_scene: "INDUSTRY|DIGITAL_MEDIA",
  external_agreement_no: `ext${Math.floor(Math.random() * 1e9)}`,
  access_params: { channel: "ALIPAYAPP" },
  period_rule_params: {
    period_type: "DAY",
    period: 30,
    execute_time: "2026-03-10",
    single_amount: "19.90",
  },
  ...patch,
});

/** Signs an agreement through a page.sign URL built by the SDK; returns its agreement_no. */
async function signAgreement(patch: R = {}): Promise<string> {
  const url = sdk().pageExecute("alipay.user.agreement.page.sign", "GET", {
    bizContent: terms(patch),
  });
  const { agreementNo } = await sandbox.sign(url);
  return agreementNo as string;
}

const pay = (agreementNo: string, outTradeNo: string, amount = "19.90") =>
  exec("alipay.trade.pay", {
    out_trade_no: outTradeNo,
    total_amount: amount,
    subject: "会员续费",
    product_code: "CYCLE_PAY_AUTH",
    agreement_params: { agreement_no: agreementNo },
  });

describe("keys", () => {
  it("creates exactly one pair under concurrent first use", async () => {
    const all = await Promise.all([1, 2, 3].map(() => ensureSandboxAlipayKeys(t.db())));
    for (const keys of all) expect(keys).toEqual(sandbox.keys);
    expect(sandbox.keys.appId).toBe("2021000000000001");
    expect(sandbox.keys.appPrivateKeyPem).toContain("BEGIN PRIVATE KEY");
    expect(sandbox.publicKeys()).not.toHaveProperty("alipayPrivateKey");
  });
});

describe("transport and gateway checks", () => {
  it("answers 200 text/html with trace_id, sign last over the exact inner bytes", async () => {
    // The SDK's exact request, sent by hand to see the raw answer.
    const url = sdk().pageExecute("alipay.trade.query", "GET", {
      bizContent: { out_trade_no: "nope" },
    });
    const response = await fetch(url.replace("https://openapi.alipay.com/gateway.do", gateway), {
      method: "POST",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html;charset=utf-8");
    expect(response.headers.get("trace_id")).toMatch(/^[0-9a-f]{32}$/);
    const raw = await response.text();
    const match = /^\{"alipay_trade_query_response":(\{.*\}),"sign":"([^"]+)"\}$/.exec(raw);
    expect(match).not.toBeNull();
    const [, inner, sign] = match as unknown as [string, string, string];
    expect(Buffer.from(sign, "base64")).toHaveLength(256);
    expect(
      createVerify("RSA-SHA256")
        .update(inner, "utf8")
        .verify(sandbox.keys.alipayPublicKeyPem, sign, "base64"),
    ).toBe(true);
    expect(JSON.parse(inner)).toMatchObject({ code: "40004", sub_code: "ACQ.TRADE_NOT_EXIST" });
  });

  it("the SDK with validateSign accepts a signed business answer", async () => {
    const result = await exec("alipay.trade.query", { out_trade_no: "T1" });
    expect(result).toMatchObject({ code: "40004", subCode: "ACQ.TRADE_NOT_EXIST" });
    expect(result.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("a request signed with the wrong key → 40002 isv.invalid-signature with the built string", async () => {
    const result = (await sdk(otherKey).exec("alipay.trade.query", {
      bizContent: { out_trade_no: "T1" },
    })) as R;
    expect(result).toMatchObject({ code: "40002", subCode: "isv.invalid-signature" });
    expect(String(result.subMsg)).toContain(
      "网关生成的验签字符串为：app_id=2021000000000001&biz_content=",
    );
    // Unsigned by default: validateSign would throw the SDK's TypeError (spec §2.5.7).
    await expect(
      sdk(otherKey).exec(
        "alipay.trade.query",
        { bizContent: { out_trade_no: "T1" } },
        { validateSign: true },
      ),
    ).rejects.toThrow(TypeError);
  });

  it("an empty return_url is signed by the SDK but skipped by the gateway → invalid-signature", async () => {
    const result = (await sdk().exec("alipay.trade.query", {
      bizContent: { out_trade_no: "T1" },
      returnUrl: "",
    })) as R;
    expect(result.subCode).toBe("isv.invalid-signature");
  });

  it("checks app_id first, then the method", async () => {
    // A bad signature too: the unknown app id is what the gateway reports.
    const bad = new TestAlipayClient({
      appId: "2021999999999999",
      privateKey: otherKey,
      gateway,
    });
    expect(await bad.exec("alipay.trade.query", { bizContent: {} })).toMatchObject({
      code: "40002",
      subCode: "isv.invalid-app-id",
    });
    const unknown = (await sdk().exec("alipay.trade.nope", { bizContent: {} })) as R;
    expect(unknown).toMatchObject({ code: "40002", subCode: "isv.invalid-method" });
  });
});

describe("agreement deductions (spec §6, §9.8–9.11)", () => {
  it("charges only inside [next − 5, next] in GMT+8, once per period, and advances the date", async () => {
    const agreementNo = await signAgreement();
    expect(agreementNo).toMatch(/^\d{20}$/);
    // 03-01 is before 03-05 (= 03-10 − 5).
    expect(await pay(agreementNo, "R1")).toMatchObject({ subCode: "ACQ.CYCLE_PAY_DATE_NOT_MATCH" });
    nowMs = START + 3 * DAY + 14 * 3_600_000; // 2026-03-05 00:00 Shanghai
    const ok = await pay(agreementNo, "R2");
    expect(ok).toMatchObject({ code: "10000", outTradeNo: "R2", totalAmount: "19.90" });
    expect(ok.tradeNo).toMatch(/^2026030522001\d{15}$/);
    expect(ok.gmtPayment).toBe("2026-03-05 00:00:00");
    // Idempotency by out_trade_no.
    expect(await pay(agreementNo, "R2")).toMatchObject({ subCode: "ACQ.TRADE_HAS_SUCCESS" });
    expect(await pay(agreementNo, "R2", "9.90")).toMatchObject({
      subCode: "ACQ.CONTEXT_INCONSISTENT",
    });
    // One success per period: the next date is now 04-09.
    expect(await pay(agreementNo, "R3")).toMatchObject({ subCode: "ACQ.CYCLE_PAY_DATE_NOT_MATCH" });
    const query = await exec("alipay.user.agreement.query", { agreement_no: agreementNo });
    expect(query).toMatchObject({
      code: "10000",
      status: "NORMAL",
      nextDeductTime: "2026-04-09",
      singleQuota: "19.90",
      lastDeductTime: "2026-03-05 00:00:00",
    });
    expect(await exec("alipay.trade.query", { out_trade_no: "R2" })).toMatchObject({
      tradeStatus: "TRADE_SUCCESS",
      sendPayDate: "2026-03-05 00:00:00",
    });
  });

  it("concurrent renewals: one charge per period; the same out_trade_no is charged once", async () => {
    const agreementNo = await signAgreement({
      period_rule_params: {
        period_type: "DAY",
        period: 7,
        execute_time: "2026-03-01",
        single_amount: "20",
      },
    });
    const same = await Promise.all([1, 2, 3].map(() => pay(agreementNo, "C1", "20")));
    expect(same.filter((r) => r.code === "10000")).toHaveLength(1);
    for (const r of same.filter((x) => x.code !== "10000")) {
      expect(r.subCode).toBe("ACQ.TRADE_HAS_SUCCESS");
    }
    const other = await Promise.all(["C2", "C3"].map((no) => pay(agreementNo, no, "20")));
    expect(other.map((r) => r.subCode)).toEqual([
      "ACQ.CYCLE_PAY_DATE_NOT_MATCH",
      "ACQ.CYCLE_PAY_DATE_NOT_MATCH",
    ]);
    expect((await sandbox.wallet()).balanceFen).toBe(100_000_00 - 2000);
  });

  it("the same out_trade_no on several agreements at once: one trade, one debit", async () => {
    // Each call locks its own agreement, so nothing but the trade's unique out_trade_no keeps
    // them apart: a call that lost the insert must not keep its debit of the one balance.
    const rule = {
      period_rule_params: {
        period_type: "DAY",
        period: 7,
        execute_time: "2026-03-01",
        single_amount: "20",
      },
    };
    const n = 6;
    const agreementNos: string[] = [];
    for (let i = 0; i < n; i++) agreementNos.push(await signAgreement(rule));
    await sandbox.setBalance(100_000, agreementNos[0]);
    // Every call waits at the clock until all have arrived, then all go into their transactions
    // together: on PostgreSQL they overlap (PGlite runs them in turns).
    const arrived = gate();
    clockGate = arrived;
    const calls = Promise.all(agreementNos.map((agreementNo) => pay(agreementNo, "P1", "20")));
    await arrived.reached(n);
    clockGate = null;
    arrived.open();
    const results = await calls;

    const succeeded = results.flatMap((r, i) => (r.code === "10000" ? [agreementNos[i]] : []));
    expect(succeeded).toHaveLength(1);
    for (const r of results.filter((x) => x.code !== "10000")) {
      expect(r.subCode).toBe("ACQ.CONTEXT_INCONSISTENT");
    }
    const stored = await t
      .db()
      .select()
      .from(alipaySandboxTrades)
      .where(eq(alipaySandboxTrades.outTradeNo, "P1"));
    expect(stored.map((row) => [row.agreementNo, row.totalFen])).toEqual([[succeeded[0], 2000]]);
    expect((await sandbox.wallet()).balanceFen).toBe(100_000 - 2000);
    // Only the charged agreement moved on.
    for (const agreementNo of agreementNos) {
      expect(
        await exec("alipay.user.agreement.query", { agreement_no: agreementNo }),
      ).toMatchObject({
        nextDeductTime: agreementNo === succeeded[0] ? "2026-03-08" : "2026-03-01",
      });
    }
  });

  it("refuses over single_amount, paused and unsigned agreements", async () => {
    const agreementNo = await signAgreement({
      period_rule_params: {
        period_type: "MONTH",
        period: 1,
        execute_time: "2026-03-01",
        single_amount: "10",
      },
    });
    expect(await pay(agreementNo, "S1", "10.01")).toMatchObject({
      subCode: "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED",
    });
    await sandbox.setPaused(agreementNo, true);
    expect(await pay(agreementNo, "S2", "10")).toMatchObject({
      subCode: "ACQ.AGREEMENT_STATUS_NOT_NORMAL",
    });
    await sandbox.setPaused(agreementNo, false);
    expect(await exec("alipay.user.agreement.unsign", { agreement_no: agreementNo })).toMatchObject(
      {
        code: "10000",
      },
    );
    expect(await pay(agreementNo, "S3", "10")).toMatchObject({
      subCode: "ACQ.AGREEMENT_NOT_EXIST",
    });
    expect(await exec("alipay.user.agreement.query", { agreement_no: agreementNo })).toMatchObject({
      code: "40004",
      subCode: "USER_AGREEMENT_NOT_EXIST",
    });
  });

  it("executionplan.modify postpones only (MONTH day ≤ 28)", async () => {
    const agreementNo = await signAgreement({
      period_rule_params: {
        period_type: "MONTH",
        period: 1,
        execute_time: "2026-03-10",
        single_amount: "10",
      },
    });
    const modify = (deduct_time: string) =>
      exec("alipay.user.agreement.executionplan.modify", {
        agreement_no: agreementNo,
        deduct_time,
      });
    expect(await modify("2026-03-09")).toMatchObject({ subCode: "INVALID_PARAMETER" });
    expect(await modify("2026-03-29")).toMatchObject({ subCode: "INVALID_PARAMETER" });
    expect(await modify("2026-03-20")).toMatchObject({
      code: "10000",
      agreementNo,
      deductTime: "2026-03-20",
    });
  });

  it("an agreement past sign_validity_period is silently invalid; the modify limit knob", async () => {
    const agreementNo = await signAgreement({
      sign_validity_period: "7d",
      period_rule_params: {
        period_type: "DAY",
        period: 7,
        execute_time: "2026-03-10",
        single_amount: "20",
      },
    });
    expect(await exec("alipay.user.agreement.query", { agreement_no: agreementNo })).toMatchObject({
      invalidTime: "2026-03-08 10:00:00",
    });
    nowMs = START + 8 * DAY;
    expect(await pay(agreementNo, "E1", "20")).toMatchObject({ subCode: "ACQ.AGREEMENT_INVALID" });
    expect((await sandbox.stats()).notifications.map((n) => n.notifyType)).toEqual([
      "dut_user_sign",
    ]);

    await sandbox.setFaults({ modifyLimit: 1 });
    const other = await signAgreement();
    const modify = (deduct_time: string) =>
      exec("alipay.user.agreement.executionplan.modify", { agreement_no: other, deduct_time });
    expect(await modify("2026-03-20")).toMatchObject({ code: "10000" });
    expect(await modify("2026-03-25")).toMatchObject({ subCode: "INVALID_PARAMETER" });
  });

  it("refuses NUL bytes before storing anything", async () => {
    const result = await exec("alipay.trade.query", { out_trade_no: "T\u0000" }, {}, false);
    expect(result).toMatchObject({ code: "40002", subCode: "isv.invalid-parameter" });
    await expect(sandbox.sign("a=\u0000")).rejects.toThrow(/NUL/);
    const raw = await fetch(`${gateway}?method=alipay.trade.query%00&app_id=x`, { method: "POST" });
    expect(await raw.text()).toContain("isv.invalid-parameter");
    expect((await sandbox.stats()).calls).toMatchObject({ "alipay.trade.query": 2 });
    await expect(sandbox.sign("https://[bad")).rejects.toThrow(/not a URL/);
  });

  it("refunds once per out_request_no (fund_change N on repeat, discordant amount refused)", async () => {
    const agreementNo = await signAgreement({
      period_rule_params: {
        period_type: "DAY",
        period: 7,
        execute_time: "2026-03-01",
        single_amount: "20",
      },
    });
    await pay(agreementNo, "F1", "20.00");
    const refund = (amount: string, out_request_no = "RF1") =>
      exec("alipay.trade.refund", { out_trade_no: "F1", refund_amount: amount, out_request_no });
    expect(await refund("5.00")).toMatchObject({
      code: "10000",
      fundChange: "Y",
      refundFee: "5.00",
    });
    expect(await refund("5.00")).toMatchObject({
      code: "10000",
      fundChange: "N",
      refundFee: "5.00",
    });
    expect(await refund("6.00")).toMatchObject({ subCode: "ACQ.DISCORDANT_REPEAT_REQUEST" });
    expect(await refund("15.01", "RF2")).toMatchObject({
      subCode: "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
    });
    expect(await refund("15.00", "RF2")).toMatchObject({ fundChange: "Y", refundFee: "20.00" });
    expect(await exec("alipay.trade.query", { out_trade_no: "F1" })).toMatchObject({
      tradeStatus: "TRADE_CLOSED",
    });
    expect(await exec("alipay.trade.close", { out_trade_no: "F1" })).toMatchObject({
      subCode: "ACQ.TRADE_STATUS_ERROR",
    });
  });
});

describe("faults (spec §9.15–9.17)", () => {
  async function windowAgreement() {
    return signAgreement({
      period_rule_params: {
        period_type: "DAY",
        period: 7,
        execute_time: "2026-03-01",
        single_amount: "20",
      },
    });
  }
  const inject = (kind: string, more: R = {}) =>
    sandbox.setFaults({
      inject: {
        method: "alipay.trade.pay",
        kind,
        count: 1,
        committed: false,
        notify: true,
        ...more,
      },
    } as Parameters<AlipaySandbox["setFaults"]>[0]);

  it("ACQ.SYSTEM_ERROR with and without the charge committed; query tells the truth", async () => {
    const agreementNo = await windowAgreement();
    await inject("system_error");
    expect(await pay(agreementNo, "U1")).toMatchObject({ subCode: "ACQ.SYSTEM_ERROR" });
    expect(await exec("alipay.trade.query", { out_trade_no: "U1" })).toMatchObject({
      subCode: "ACQ.TRADE_NOT_EXIST",
    });
    await inject("unknown_error", { committed: true });
    expect(await pay(agreementNo, "U2")).toMatchObject({
      code: "20000",
      subCode: "isp.unknow-error",
    });
    expect(await exec("alipay.trade.query", { out_trade_no: "U2" })).toMatchObject({
      tradeStatus: "TRADE_SUCCESS",
    });
    // The retry with the same out_trade_no: already charged.
    expect(await pay(agreementNo, "U2")).toMatchObject({ subCode: "ACQ.TRADE_HAS_SUCCESS" });
    expect((await sandbox.stats()).calls["alipay.trade.pay"]).toBe(3);
  });

  it("declines, slow-after-commit, 502, HTML, 40006, 40005, count runs out", async () => {
    const agreementNo = await windowAgreement();
    await sandbox.setFaults({
      inject: {
        method: "alipay.trade.pay",
        kind: "balance_insufficient",
        count: 2,
        committed: false,
        notify: true,
      },
    });
    expect(await pay(agreementNo, "D1")).toMatchObject({ subCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH" });
    expect(await pay(agreementNo, "D2")).toMatchObject({ subCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH" });
    await inject("slow");
    expect(await pay(agreementNo, "D3")).toMatchObject({ code: "10000" });
    expect(slept).toEqual([6000]);
    await inject("http502");
    await expect(pay(agreementNo, "D4")).rejects.toThrow(/502/);
    await inject("html");
    await expect(pay(agreementNo, "D4")).rejects.toThrow(/格式错误/);
    await inject("forbidden");
    expect(await sdk().exec("alipay.trade.pay", { bizContent: {} })).toMatchObject({
      code: "40006",
    });
    await inject("rate_limited");
    expect(await sdk().exec("alipay.trade.pay", { bizContent: {} })).toMatchObject({
      code: "40005",
    });
    await inject("wrong_app_key");
    expect(await sdk().exec("alipay.trade.pay", { bizContent: {} })).toMatchObject({
      subCode: "isv.invalid-signature",
    });
    await inject("unknown_app");
    expect(await sdk().exec("alipay.trade.pay", { bizContent: {} })).toMatchObject({
      subCode: "isv.invalid-app-id",
    });
    expect((await sandbox.getFaults()).injections).toEqual({});
  });

  it("the agreement unsigned or paused mid-way", async () => {
    const agreementNo = await windowAgreement();
    await inject("paused");
    expect(await pay(agreementNo, "M1")).toMatchObject({
      subCode: "ACQ.AGREEMENT_STATUS_NOT_NORMAL",
    });
    await sandbox.setPaused(agreementNo, false);
    await inject("unsigned", { notify: false });
    expect(await pay(agreementNo, "M2")).toMatchObject({ subCode: "ACQ.AGREEMENT_NOT_EXIST" });
    const stats = await sandbox.stats();
    expect(stats.notifications.filter((n) => n.notifyType === "dut_user_unsign")).toHaveLength(0);
  });

  it("a real balance runs out; only the charge that went through is notified", async () => {
    const agreementNo = await windowAgreement();
    await sandbox.setBalance(1000, agreementNo);
    const notified = async () =>
      (await sandbox.stats()).notifications.filter((n) => n.notifyType === "trade_status_sync");
    const before = (await notified()).length;
    const payNotified = (outTradeNo: string, amount: string) =>
      exec(
        "alipay.trade.pay",
        {
          out_trade_no: outTradeNo,
          total_amount: amount,
          subject: "会员续费",
          product_code: "CYCLE_PAY_AUTH",
          agreement_params: { agreement_no: agreementNo },
        },
        { notifyUrl: "http://shop.test/api/webhooks/alipay/trade" },
      );
    expect(await payNotified("B1", "10.01")).toMatchObject({
      subCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
    });
    // Declined: no trade, and no notification of one.
    expect(await notified()).toHaveLength(before);
    expect(await payNotified("B2", "10.00")).toMatchObject({ code: "10000" });
    expect((await sandbox.wallet()).balanceFen).toBe(0);
    expect(await notified()).toHaveLength(before + 1);
  });
});
