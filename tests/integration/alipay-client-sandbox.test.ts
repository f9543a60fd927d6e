import { generateKeyPairSync } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  agreements,
  alipaySandboxAgreements,
  alipaySandboxTrades,
  deductionLogs,
  entitlements,
  orders,
  webhookInbox,
} from "@/db/schema";
import { addDays } from "@/lib/clock";
import { createAlipayGateway, type AlipayGateway, type AlipayResult } from "@/lib/payments/alipay";
import { startAppPay, startSubscription } from "@/lib/subscriptions/start";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { seed, withTestDatabase } from "../helpers/db";
import { makeUser } from "../helpers/factories";
import { startTestServer } from "../helpers/http-server";

/*
 * The shop's real Alipay client (alipay-sdk) against the sandbox's gateway.do over loopback HTTP:
 * RSA2 both ways (the client signs with the app key, the sandbox answers signed with Alipay's
 * key and the SDK's validateSign checks it; the shop's webhooks check the sandbox's notifications
 * with checkNotifySignV2). Every port method in a real flow, answers that do not verify, requests
 * signed with the wrong key, idempotent charges, the Asia/Shanghai `timestamp`, and the signed
 * strings a browser or an app hands to Alipay.
 */

const t = withTestDatabase();
const SANDBOX_BUYER = "2088102000000001";

let bed: AlipayTestbed;
let buyer: string;
let gateway: AlipayGateway;

beforeEach(async () => {
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  gateway = bed.deps.alipay.gateway;
  buyer = (await makeUser(t.db())).id;
});

afterEach(async () => {
  await bed.close();
});

type Succeeded<T> = Extract<AlipayResult<T>, { kind: "succeeded" }>;

function ok<T>(result: AlipayResult<T>): Succeeded<T> {
  if (result.kind !== "succeeded") {
    throw new Error(`expected a success, got ${result.kind} ${result.code}: ${result.message}`);
  }
  return result as Succeeded<T>;
}

const otherKeys = () =>
  generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });

/** Browser flow up to the signature: the sandbox's agreement, not yet notified to the shop. */
async function signedAgreement() {
  const started = await startSubscription(bed.deps, {
    userId: buyer,
    productSlug: "membership-weekly",
  });
  const request = bed.sandbox.readSignUrl(started.signUrl);
  const signed = await bed.control("sign", { signUrl: started.signUrl });
  expect(signed).toMatchObject({ status: 200, body: { status: "NORMAL" } });
  const { agreementNo } = signed.body as { agreementNo: string };
  return { ...started, agreementNo, terms: request.terms };
}

async function sandboxTrades() {
  return t.db().select().from(alipaySandboxTrades);
}

async function calls(): Promise<Record<string, number>> {
  const stats = await bed.control("stats");
  expect(stats.status).toBe(200);
  return (stats.body as { calls: Record<string, number> }).calls;
}

describe("the shop's client and the sandbox, RSA2 both ways", () => {
  it("browser flow: the signed sign URL, the sign notification, the shop's own charge, all verified", async () => {
    const { orderNo, agreementNo, terms } = await signedAgreement();
    expect(terms).toMatchObject({ periodType: "DAY", period: 7, singleAmountFen: 990 });

    await bed.deliver();
    // Every notification passed checkNotifySignV2 and was acknowledged with exactly `success`.
    // The sign notification, then the trade notification of the charge it caused.
    expect(bed.replies).toEqual([
      { destination: "agreement", status: 200, body: "success" },
      { destination: "trade", status: 200, body: "success" },
    ]);
    const inbox = await t.db().select().from(webhookInbox);
    expect(inbox.map((row) => [row.eventType, row.signatureValid, row.status]).sort()).toEqual([
      ["agreement:dut_user_sign", true, "processed"],
      ["trade:trade_status_sync", true, "processed"],
    ]);

    // The shop charged period 1 with alipay.trade.pay; the SDK accepted the signed answer.
    const [agreement] = await t.db().select().from(agreements).where(eq(agreements.userId, buyer));
    expect(agreement).toMatchObject({ status: "active", agreementNo, paidPeriods: 1 });
    const [order] = await t.db().select().from(orders).where(eq(orders.orderNo, orderNo));
    expect(order!.status).toBe("paid");
    expect(await t.db().$count(entitlements, eq(entitlements.userId, buyer))).toBe(1);
    const logs = await t.db().select().from(deductionLogs);
    const pay = logs.find((log) => log.apiMethod === "alipay.trade.pay");
    expect(pay).toMatchObject({ outcome: "succeeded", httpStatus: 200 });
    expect(pay!.response).toMatchObject({
      alipay_trade_pay_response: { code: "10000", out_trade_no: orderNo, total_amount: "9.90" },
      sign: expect.any(String),
    });
    expect(await sandboxTrades()).toMatchObject([
      { outTradeNo: orderNo, status: "TRADE_SUCCESS", totalFen: 990 },
    ]);
  });

  it("every port method in a real flow: query, charge, modify, refund, close, unsign", async () => {
    const { agreementNo, terms, orderNo } = await signedAgreement();
    const external = terms.externalAgreementNo!;

    const byExternal = ok(await gateway.queryAgreementByExternalNo(external));
    expect(byExternal).toMatchObject({
      found: true,
      agreementNo,
      externalAgreementNo: external,
      status: "NORMAL",
      alipayUserId: SANDBOX_BUYER,
      singleQuotaFen: 990,
      nextDeductDate: terms.executeTime,
      lastDeductTime: null,
    });
    expect(byExternal.signTime).toBeInstanceOf(Date);
    expect(byExternal.exchange).toMatchObject({
      apiMethod: "alipay.user.agreement.query",
      httpStatus: 200,
      response: { sign: expect.any(String) },
    });
    expect(ok(await gateway.queryAgreement(agreementNo))).toMatchObject({
      found: true,
      agreementNo,
      externalAgreementNo: external,
    });

    // alipay.trade.pay under the agreement.
    const charged = ok(
      await gateway.chargeAgreement({
        outTradeNo: orderNo,
        agreementNo,
        amountFen: 990,
        subject: "Weekly / 周会员 = 1 & more",
      }),
    );
    expect(charged).toMatchObject({
      outTradeNo: orderNo,
      amountFen: 990,
      buyerUserId: SANDBOX_BUYER,
      alreadyPaid: false,
    });
    expect(charged.tradeNo).toMatch(/^\d{20,}$/);
    expect(Math.abs(charged.paidAt!.getTime() - (await bed.deps.now()).getTime())).toBeLessThan(
      60_000,
    );
    const paid = ok(await gateway.queryTrade(orderNo));
    expect(paid).toMatchObject({
      found: true,
      tradeNo: charged.tradeNo,
      outTradeNo: orderNo,
      status: "TRADE_SUCCESS",
      amountFen: 990,
      buyerUserId: SANDBOX_BUYER,
    });
    expect(paid.paidAt!.getTime()).toBe(charged.paidAt!.getTime());
    const afterCharge = ok(await gateway.queryAgreement(agreementNo));
    expect(afterCharge.nextDeductDate).toBe(addDays(terms.executeTime, 7));
    expect(afterCharge.lastDeductTime).toBeInstanceOf(Date);

    // executionplan.modify: later is accepted, earlier (or the same day) refused.
    const later = addDays(afterCharge.nextDeductDate!, 3);
    expect(
      ok(await gateway.modifyExecutionPlan({ agreementNo, deductDate: later, memo: "test" })),
    ).toMatchObject({ deductDate: later });
    for (const deductDate of [addDays(later, -1), later]) {
      expect(await gateway.modifyExecutionPlan({ agreementNo, deductDate })).toMatchObject({
        kind: "rejected",
        code: "INVALID_PARAMETER",
      });
    }
    expect(ok(await gateway.queryAgreement(agreementNo)).nextDeductDate).toBe(later);

    // Refunds: once per out_request_no, cumulative, never beyond the total.
    const refund = { outTradeNo: orderNo, outRequestNo: "R1", amountFen: 100, reason: "test" };
    expect(await gateway.refund(refund)).toMatchObject({
      kind: "succeeded",
      fundChange: true,
      refundedFen: 100,
    });
    expect(await gateway.refund(refund)).toMatchObject({
      kind: "succeeded",
      fundChange: false,
      refundedFen: 100,
    });
    expect(await gateway.refund({ ...refund, outRequestNo: "R2", amountFen: 891 })).toMatchObject({
      kind: "rejected",
      code: "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
    });
    expect(ok(await gateway.queryTrade(orderNo)).status).toBe("TRADE_SUCCESS");

    // Close: a paid trade cannot be closed; an unknown one does not exist; an unpaid one closes.
    expect(await gateway.closeTrade(orderNo)).toMatchObject({
      kind: "rejected",
      code: "ACQ.TRADE_STATUS_ERROR",
    });
    expect(await gateway.closeTrade("XPNOSUCHTRADE")).toMatchObject({
      kind: "rejected",
      code: "ACQ.TRADE_NOT_EXIST",
    });
    expect(ok(await gateway.queryTrade("XPNOSUCHTRADE"))).toMatchObject({
      found: false,
      tradeNo: null,
      status: null,
    });
    const other = (await makeUser(t.db())).id;
    const app = await startAppPay(bed.deps, { userId: other, productSlug: "membership-weekly" });
    const failed = await bed.control("app-pay", { orderStr: app.orderStr, action: "fail" });
    expect(failed).toMatchObject({ status: 200, body: { resultStatus: "4000" } });
    const unpaid = ok(await gateway.queryTrade(app.orderNo));
    expect(unpaid).toMatchObject({ found: true, status: "WAIT_BUYER_PAY", paidAt: null });
    expect(ok(await gateway.closeTrade(app.orderNo)).tradeNo).toBe(unpaid.tradeNo);
    expect(ok(await gateway.queryTrade(app.orderNo)).status).toBe("TRADE_CLOSED");
    expect(await gateway.closeTrade(app.orderNo)).toMatchObject({
      kind: "rejected",
      code: "ACQ.TRADE_STATUS_ERROR",
    });

    // Unsign: the agreement is gone for every later call.
    const notifyUrl = `${bed.server.url}/api/webhooks/alipay/gateway`;
    expect(await gateway.unsignAgreement({ agreementNo, notifyUrl })).toMatchObject({
      kind: "succeeded",
    });
    expect(ok(await gateway.queryAgreement(agreementNo))).toMatchObject({
      found: false,
      agreementNo: null,
    });
    expect(ok(await gateway.queryAgreementByExternalNo(external)).found).toBe(false);
    expect(await gateway.unsignAgreement({ agreementNo })).toMatchObject({
      kind: "agreement_gone",
      code: "USER_AGREEMENT_NOT_EXIST",
    });
    expect(
      await gateway.chargeAgreement({
        outTradeNo: `${orderNo}R2`,
        agreementNo,
        amountFen: 990,
        subject: "Weekly",
      }),
    ).toMatchObject({ kind: "agreement_gone", code: "ACQ.AGREEMENT_NOT_EXIST" });
    expect(
      await gateway.modifyExecutionPlan({ agreementNo, deductDate: addDays(later, 7) }),
    ).toMatchObject({ kind: "agreement_gone", code: "USER_AGREEMENT_NOT_EXIST" });
  });

  it("an answer whose signature does not verify is not trusted: unknown, and the query tells the truth", async () => {
    const { agreementNo, orderNo } = await signedAgreement();
    const wrongKey = createAlipayGateway({
      ...bed.clientConfig,
      alipayPublicKey: otherKeys().publicKey,
    });
    const unverified = { kind: "unknown", code: "invalid_signature" } as const;
    expect(await wrongKey.queryAgreement(agreementNo)).toMatchObject(unverified);
    expect(await wrongKey.queryTrade("XPNOSUCHTRADE")).toMatchObject(unverified);

    // The sandbox did charge; the client does not claim it did, nor that it did not.
    const charge = { outTradeNo: orderNo, agreementNo, amountFen: 990, subject: "Weekly" };
    const answer = await wrongKey.chargeAgreement(charge);
    expect(answer).toMatchObject(unverified);
    expect(answer.exchange.response).toMatchObject({
      alipay_trade_pay_response: { code: "10000" },
      sign: expect.any(String),
    });
    expect(ok(await gateway.queryTrade(orderNo))).toMatchObject({
      found: true,
      status: "TRADE_SUCCESS",
      amountFen: 990,
    });
  });

  it("a request signed with the wrong private key gets isv.invalid-signature and changes nothing", async () => {
    const { agreementNo, orderNo, terms } = await signedAgreement();
    const wrongKey = createAlipayGateway({
      ...bed.clientConfig,
      privateKey: otherKeys().privateKey,
    });
    const before = (await bed.control("wallet")).body;
    const refused = { kind: "rejected", code: "isv.invalid-signature" } as const;

    const charge = await wrongKey.chargeAgreement({
      outTradeNo: orderNo,
      agreementNo,
      amountFen: 990,
      subject: "Weekly",
    });
    expect(charge).toMatchObject(refused);
    expect(charge.kind !== "succeeded" && charge.message).toMatch(/验签出错/);
    // A gateway error comes unsigned, under error_response's own key or the method's.
    expect(charge.exchange.response).not.toHaveProperty("sign");
    expect(charge.exchange.httpStatus).toBe(200);
    expect(await wrongKey.unsignAgreement({ agreementNo })).toMatchObject(refused);
    expect(
      await wrongKey.modifyExecutionPlan({
        agreementNo,
        deductDate: addDays(terms.executeTime, 9),
      }),
    ).toMatchObject(refused);
    expect(await wrongKey.queryTrade(orderNo)).toMatchObject(refused);

    expect(await calls()).toMatchObject({
      "alipay.trade.pay": 1,
      "alipay.user.agreement.unsign": 1,
      "alipay.user.agreement.executionplan.modify": 1,
      "alipay.trade.query": 1,
    });
    expect(await sandboxTrades()).toEqual([]);
    expect((await bed.control("wallet")).body).toEqual(before);
    expect(ok(await gateway.queryAgreement(agreementNo))).toMatchObject({
      status: "NORMAL",
      nextDeductDate: terms.executeTime,
      lastDeductTime: null,
    });
  });

  it("the same out_trade_no charged twice (in turn, then at once): one trade, the repeats say already paid", async () => {
    const { agreementNo, orderNo } = await signedAgreement();
    const balance = async () => (await bed.control("wallet")).body as { balanceFen: number };
    const start = (await balance()).balanceFen;
    const charge = { outTradeNo: orderNo, agreementNo, amountFen: 990, subject: "Weekly" };

    const first = ok(await gateway.chargeAgreement(charge));
    expect(first.alreadyPaid).toBe(false);
    // ACQ.TRADE_HAS_SUCCESS names no trade: the outcome table makes it unknown → ask the query.
    const alreadyPaid = { kind: "unknown", code: "ACQ.TRADE_HAS_SUCCESS" } as const;
    expect(await gateway.chargeAgreement(charge)).toMatchObject(alreadyPaid);
    const repeats = await Promise.all(
      Array.from({ length: 4 }, () => gateway.chargeAgreement(charge)),
    );
    expect(repeats).toEqual(repeats.map(() => expect.objectContaining(alreadyPaid)));
    // The same number with other terms is a conflict, not a second trade.
    expect(await gateway.chargeAgreement({ ...charge, amountFen: 980 })).toMatchObject({
      kind: "rejected",
      code: "ACQ.CONTEXT_INCONSISTENT",
    });

    expect(await sandboxTrades()).toMatchObject([{ outTradeNo: orderNo, tradeNo: first.tradeNo }]);
    expect((await balance()).balanceFen).toBe(start - 990);
    expect(ok(await gateway.queryTrade(orderNo)).tradeNo).toBe(first.tradeNo);
    expect((await calls())["alipay.trade.pay"]).toBe(7);
  });

  it("`timestamp` is Asia/Shanghai wall time whatever the process's TZ", async () => {
    // A recording hop in front of the gateway: what went over the wire, not what was logged.
    const seen: URLSearchParams[] = [];
    const hop = await startTestServer(() => async (request) => {
      const body = await request.text();
      const params = new URLSearchParams(new URL(request.url).search);
      for (const [key, value] of new URLSearchParams(body)) params.set(key, value);
      seen.push(params);
      const forwarded = await fetch(
        `${bed.server.url}/sandbox/alipay/gateway.do${new URL(request.url).search}`,
        { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body },
      );
      return new Response(await forwarded.text(), {
        status: forwarded.status,
        headers: { "content-type": forwarded.headers.get("content-type") ?? "text/html" },
      });
    });
    const client = createAlipayGateway({ ...bed.clientConfig, gatewayUrl: hop.url });
    const asShanghai = (stamp: unknown) => {
      expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      return Date.parse(`${String(stamp).replace(" ", "T")}+08:00`);
    };
    const original = process.env.TZ;
    try {
      for (const zone of ["America/Los_Angeles", "Pacific/Kiritimati", "UTC", "Asia/Shanghai"]) {
        process.env.TZ = zone;
        const at = Date.now();
        const answer = await client.queryTrade("XPNOSUCHTRADE");
        // Signed over the timestamp as sent, and the signed answer verified.
        expect(answer).toMatchObject({ kind: "succeeded", found: false });
        const sent = seen.at(-1)!.get("timestamp");
        expect(answer.exchange.request.timestamp).toBe(sent);
        expect(Math.abs(asShanghai(sent) - at)).toBeLessThanOrEqual(60_000);
      }
      // The zone did change under the process (else this would prove nothing).
      process.env.TZ = "Pacific/Kiritimati";
      expect(new Date(0).getTimezoneOffset()).not.toBe(0);
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
      await hop.close();
    }
    expect(seen).toHaveLength(4);
  });

  it("page.sign URLs and app order strings are accepted; with the amount changed they are refused", async () => {
    const started = await startSubscription(bed.deps, {
      userId: buyer,
      productSlug: "membership-weekly",
    });
    const sign = bed.sandbox.readSignUrl(started.signUrl);
    expect(sign.notifyUrl).toBe(`${bed.server.url}/api/webhooks/alipay/agreement`);
    expect(sign.params.return_url).toBe(`${bed.server.url}/checkout/${started.orderNo}`);
    expect(sign.terms).toMatchObject({ singleAmountFen: 990, period: 7, periodType: "DAY" });
    const url = new URL(started.signUrl);
    const biz = url.searchParams.get("biz_content")!;
    expect(biz).toContain('"single_amount":"9.90"');
    url.searchParams.set(
      "biz_content",
      biz.replace('"single_amount":"9.90"', '"single_amount":"0.01"'),
    );
    expect(() => bed.sandbox.readSignUrl(url.toString())).toThrow(/isv\.invalid-signature/);
    const refusedSign = await bed.control("sign", { signUrl: url.toString() });
    expect(refusedSign.status).toBe(400);
    expect(JSON.stringify(refusedSign.body)).toContain("isv.invalid-signature");
    expect(await t.db().$count(alipaySandboxAgreements)).toBe(0);

    const other = (await makeUser(t.db())).id;
    const app = await startAppPay(bed.deps, { userId: other, productSlug: "membership-weekly" });
    const order = bed.sandbox.readOrderString(app.orderStr);
    expect(order).toMatchObject({ outTradeNo: app.orderNo, totalFen: 990 });
    expect(order.notifyUrl).toBe(`${bed.server.url}/api/webhooks/alipay/trade`);
    expect(order.terms).toMatchObject({ ok: true, value: { singleAmountFen: 990, period: 7 } });
    const fields = new URLSearchParams(app.orderStr);
    const total = fields.get("biz_content")!;
    expect(total).toContain('"total_amount":"9.90"');
    fields.set("biz_content", total.replace('"total_amount":"9.90"', '"total_amount":"0.01"'));
    expect(() => bed.sandbox.readOrderString(fields.toString())).toThrow(/isv\.invalid-signature/);
    const refusedPay = await bed.control("app-pay", {
      orderStr: fields.toString(),
      action: "pay_and_sign",
    });
    expect(refusedPay.status).toBe(400);
    expect(await sandboxTrades()).toEqual([]);

    // The genuine order string pays and signs; the shop learns both from verified notifications.
    const paid = await bed.control("app-pay", { orderStr: app.orderStr, action: "pay_and_sign" });
    expect(paid).toMatchObject({ status: 200, body: { resultStatus: "9000" } });
    await bed.deliver();
    expect(bed.replies.map((r) => `${r.destination}:${r.status}:${r.body}`).sort()).toEqual([
      "agreement:200:success",
      "trade:200:success",
    ]);
    const [appOrder] = await t.db().select().from(orders).where(eq(orders.orderNo, app.orderNo));
    expect(appOrder!.status).toBe("paid");
    const [appAgreement] = await t
      .db()
      .select()
      .from(agreements)
      .where(eq(agreements.userId, other));
    expect(appAgreement).toMatchObject({ status: "active", paidPeriods: 1 });
  });
});
