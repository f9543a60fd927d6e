import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import {
  agreements,
  chargeAttempts,
  deductionLogs,
  entitlements,
  orders,
  payments,
  products,
} from "@/db/schema";
import { AppError } from "@/lib/errors";
import { cancelAutoRenewal } from "@/lib/subscriptions/cancel";
import { checkAlipayOrder } from "@/lib/subscriptions/check-status";
import type { SubscriptionDeps } from "@/lib/subscriptions/deps";
import { applyAlipayNotification } from "@/lib/subscriptions/notifications";
import { startAppPay, startSubscription } from "@/lib/subscriptions/start";
import { fakeAlipay, fakeAlipayDeps, notify, type FakeAlipay } from "../helpers/alipay-fake";
import { makeUser } from "../helpers/factories";
import { seed, withTestDatabase } from "../helpers/db";

/*
 * The shop's side of memberships (lib/subscriptions) against a scripted Alipay port: subscribing,
 * the sign → charge → settle path, notifications in any order and any number, the checks made
 * before anything changes, cancelling, and the status poll for late notifications.
 */

const t = withTestDatabase();
const DAY = 86_400_000;
const NOW = new Date("2026-11-30T04:00:00Z"); // 12:00 in Asia/Shanghai

let fake: FakeAlipay;
let deps: SubscriptionDeps & { statusCheckIntervalMs: number };
let buyer: string;

beforeEach(async () => {
  await seed(t.db());
  fake = fakeAlipay();
  deps = {
    db: t.db(),
    now: async () => NOW,
    alipay: fakeAlipayDeps(fake),
    statusCheckIntervalMs: 0,
  };
  buyer = (await makeUser(t.db())).id;
});

async function world() {
  const db = t.db();
  const [agreement] = await db.select().from(agreements).where(eq(agreements.userId, buyer));
  return {
    agreement,
    orders: await db.select().from(orders).where(eq(orders.userId, buyer)),
    grants: await db.select().from(entitlements).where(eq(entitlements.userId, buyer)),
    payments: await db.$count(payments),
    attempts: await db.select().from(chargeAttempts),
  };
}

describe("subscribing in the browser (sign, then charge)", () => {
  it("opens an agreement waiting for the signature and the order of period 1; asking again reuses both", async () => {
    const first = await startSubscription(deps, {
      userId: buyer,
      productSlug: "membership-weekly",
    });
    const again = await Promise.all(
      Array.from({ length: 5 }, () =>
        startSubscription(deps, { userId: buyer, productSlug: "membership-weekly" }),
      ),
    );
    for (const started of again) {
      expect(started.orderNo).toBe(first.orderNo);
      expect(started.agreementId).toBe(first.agreementId);
    }
    const w = await world();
    expect(w.orders).toHaveLength(1);
    expect(w.orders[0]).toMatchObject({
      kind: "membership_initial",
      provider: "alipay",
      status: "pending",
      amountFen: 990,
      periodIndex: 1,
    });
    expect(w.agreement).toMatchObject({
      status: "pending_sign",
      signFlow: "page_sign",
      periodDays: 7,
      singleAmountFen: 990,
      currentPeriod: 1,
      // The first deduction is today in Asia/Shanghai: period 1 is charged when she signs.
      nextChargeDate: "2026-11-30",
    });
    expect(w.agreement!.externalAgreementNo).toMatch(/^XA20261130[0-9A-Z]{12}$/);
    expect(first.checkoutUrl).toBe(`/checkout/${first.orderNo}`);
    const sign = fake.calls.find((c) => c.method === "alipay.user.agreement.page.sign")!;
    expect(sign.input).toMatchObject({
      externalAgreementNo: w.agreement!.externalAgreementNo,
      periodDays: 7,
      singleAmountFen: 990,
      executeDate: "2026-11-30",
      notifyUrl: "http://shop.test/api/webhooks/alipay/agreement",
    });
  });

  it("refuses what is not a plan on sale, a second renewing membership, and plans breaking the rules", async () => {
    await expect(
      startSubscription(deps, { userId: buyer, productSlug: "side-hustle-handbook" }),
    ).rejects.toMatchObject({ code: "bad_request" });
    await expect(
      startSubscription(deps, { userId: buyer, productSlug: "nope" }),
    ).rejects.toMatchObject({ code: "not_found" });
    const capped = { ...deps, alipay: { ...deps.alipay, singleCapFen: 500 } };
    await expect(
      startSubscription(capped, { userId: buyer, productSlug: "membership-weekly" }),
    ).rejects.toThrow(/single-charge cap/);

    const started = await startSubscription(deps, {
      userId: buyer,
      productSlug: "membership-weekly",
    });
    const agreement = (await world()).agreement!;
    await applyAlipayNotification(
      deps,
      notify.signed(agreement.externalAgreementNo, "20261130000000000001"),
    );
    void started;
    const second = startSubscription(deps, { userId: buyer, productSlug: "membership-monthly" });
    await expect(second).rejects.toBeInstanceOf(AppError);
    await expect(second).rejects.toMatchObject({ code: "conflict" });
  });

  it("the sign notification activates the agreement and charges period 1: paid, 7 days, next charge a week on", async () => {
    const { orderNo } = await startSubscription(deps, {
      userId: buyer,
      productSlug: "membership-weekly",
    });
    const { agreement } = await world();
    const result = await applyAlipayNotification(
      deps,
      notify.signed(agreement!.externalAgreementNo, "20261130000000000001"),
    );
    expect(result).toEqual({ status: "processed", outcome: "activated:charge_paid" });
    const w = await world();
    expect(w.agreement).toMatchObject({
      status: "active",
      agreementNo: "20261130000000000001",
      alipayUserId: "2088000000000002",
      currentPeriod: 2,
      paidPeriods: 1,
      // A week on: the day the paid time ends.
      nextChargeDate: "2026-12-07",
    });
    expect(w.orders[0]).toMatchObject({ orderNo, status: "paid" });
    expect(w.grants).toHaveLength(1);
    expect(w.grants[0]!.startsAt).toEqual(NOW);
    expect(w.grants[0]!.expiresAt).toEqual(new Date(NOW.getTime() + 7 * DAY));
    const charge = fake.calls.find((c) => c.method === "alipay.trade.pay")!;
    expect(charge.input).toMatchObject({
      outTradeNo: orderNo,
      agreementNo: "20261130000000000001",
      amountFen: 990,
      notifyUrl: "http://shop.test/api/webhooks/alipay/trade",
    });
    expect(w.attempts).toMatchObject([{ status: "succeeded", attemptNo: 1, outTradeNo: orderNo }]);
    expect(await t.db().$count(deductionLogs)).toBe(1);
    // Signed the day the URL named: the plan is left alone.
    expect(fake.calls.some((c) => c.method.endsWith("executionplan.modify"))).toBe(false);
  });

  it("signed on a later day than the sign URL named: the plan moves to that day first, then period 1 is charged", async () => {
    await startSubscription(deps, { userId: buyer, productSlug: "membership-weekly" });
    const { agreement } = await world();
    // She opens the link after midnight (00:30 on 12-01 in Asia/Shanghai).
    const later = { ...deps, now: async () => new Date("2026-11-30T16:30:00Z") };
    const result = await applyAlipayNotification(
      later,
      notify.signed(agreement!.externalAgreementNo, "20261130000000000001"),
    );
    expect(result).toEqual({ status: "processed", outcome: "activated:charge_paid" });
    const methods = fake.calls.map((c) => c.method);
    expect(methods.indexOf("alipay.user.agreement.executionplan.modify")).toBeGreaterThan(-1);
    expect(methods.indexOf("alipay.user.agreement.executionplan.modify")).toBeLessThan(
      methods.indexOf("alipay.trade.pay"),
    );
    expect(fake.calls.find((c) => c.method.endsWith("executionplan.modify"))!.input).toMatchObject({
      agreementNo: "20261130000000000001",
      deductDate: "2026-12-01",
    });
    const w = await world();
    expect(w.agreement).toMatchObject({ paidPeriods: 1, nextChargeDate: "2026-12-08" });
    const logs = await t.db().select().from(deductionLogs);
    expect(logs.map((l) => l.apiMethod).sort()).toEqual([
      "alipay.trade.pay",
      "alipay.user.agreement.executionplan.modify",
    ]);
  });

  it("duplicated, reordered and replayed notifications: one paid order, one grant, one active agreement", async () => {
    const { orderNo } = await startSubscription(deps, {
      userId: buyer,
      productSlug: "membership-weekly",
    });
    const { agreement } = await world();
    const signed = notify.signed(agreement!.externalAgreementNo, "20261130000000000001");
    // Alipay's trade notification for the charge may overtake the sign notification's reply.
    fake.trades.set(orderNo, { tradeNo: "2026113022001000000000000001", amountFen: 990 });
    const trade = notify.trade(orderNo, 990, { tradeNo: "2026113022001000000000000001" });
    await Promise.all([
      applyAlipayNotification(deps, signed),
      applyAlipayNotification(deps, signed),
      applyAlipayNotification(deps, trade),
      applyAlipayNotification(deps, trade),
    ]);
    await applyAlipayNotification(deps, trade);
    await applyAlipayNotification(deps, signed);
    const w = await world();
    expect(w.orders.map((o) => o.status)).toEqual(["paid"]);
    expect(w.grants).toHaveLength(1);
    expect(w.payments).toBe(1);
    expect(w.agreement).toMatchObject({ status: "active", paidPeriods: 1, currentPeriod: 2 });
    // Whichever came first paid it: a charge attempt (then succeeded) or the trade notification.
    expect(w.attempts.filter((a) => a.status === "succeeded").length).toBeLessThanOrEqual(1);
    expect(w.attempts.filter((a) => a.status !== "succeeded")).toEqual([]);
    expect(fake.calls.filter((c) => c.method === "alipay.trade.pay").length).toBeLessThanOrEqual(2);
  });

  it("checks before anything changes: wrong amount, foreign app or seller, unknown out_trade_no", async () => {
    const { orderNo } = await startSubscription(deps, {
      userId: buyer,
      productSlug: "membership-weekly",
    });
    const { agreement } = await world();
    const cases: [Parameters<typeof applyAlipayNotification>[1], string][] = [
      [notify.trade(orderNo, 1), "amount_mismatch: received ¥0.01, expected ¥9.90"],
      [notify.trade(orderNo, 990, { appId: "2021999999999999" }), "foreign_app"],
      [notify.trade(orderNo, 990, { sellerId: "2088999999999999" }), "foreign_seller"],
      [notify.trade("XP20261130NOSUCHORDER", 990), "unknown_order"],
      [
        notify.signed(agreement!.externalAgreementNo, "2026", { appId: "2021999999999999" }),
        "foreign_app",
      ],
      [notify.signed("XA20261130NOSUCHAGREEM", "2026"), "unknown_agreement"],
      [notify.trade(orderNo, 990, { status: "TRADE_CLOSED" }), "no_effect:TRADE_CLOSED"],
    ];
    for (const [notification, outcome] of cases) {
      expect(await applyAlipayNotification(deps, notification)).toEqual({
        status: "ignored",
        outcome,
      });
    }
    const w = await world();
    expect(w.orders[0]!.status).toBe("pending");
    expect(w.agreement!.status).toBe("pending_sign");
    expect(w.grants).toHaveLength(0);
    expect(w.payments).toBe(0);
  });

  it("a declined first charge leaves the order unpaid with the reason; polling does not repeat it", async () => {
    await startSubscription(deps, { userId: buyer, productSlug: "membership-weekly" });
    const { agreement } = await world();
    fake.charges.push({
      kind: "declined",
      code: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
      message: "余额不足",
    });
    const result = await applyAlipayNotification(
      deps,
      notify.signed(agreement!.externalAgreementNo, "20261130000000000001"),
    );
    expect(result.outcome).toBe("activated:charge_declined:ACQ.BUYER_BALANCE_NOT_ENOUGH");
    const order = (await world()).orders[0]!;
    expect(order.status).toBe("pending");
    expect(await checkAlipayOrder(deps, order)).toEqual({ checked: true, outcome: "waiting" });
    expect(fake.calls.filter((c) => c.method === "alipay.trade.pay")).toHaveLength(1);
    expect((await world()).attempts).toMatchObject([
      { status: "failed", errorCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH" },
    ]);
  });

  it("an unknown outcome is asked about: charged after all → paid; not charged → a failed attempt", async () => {
    await startSubscription(deps, { userId: buyer, productSlug: "membership-weekly" });
    const { agreement } = await world();
    fake.charges.push({
      kind: "unknown",
      code: "ACQ.SYSTEM_ERROR",
      message: "系统错误",
      committed: true,
    });
    const result = await applyAlipayNotification(
      deps,
      notify.signed(agreement!.externalAgreementNo, "20261130000000000001"),
    );
    expect(result.outcome).toBe("activated:charge_paid");
    expect(fake.calls.map((c) => c.method)).toContain("alipay.trade.query");
    expect((await world()).orders[0]!.status).toBe("paid");
    expect((await world()).grants).toHaveLength(1);
  });

  it("an unknown outcome that Alipay cannot tell yet stays unknown, and the poll settles it later", async () => {
    await startSubscription(deps, { userId: buyer, productSlug: "membership-weekly" });
    const { agreement } = await world();
    fake.charges.push({ kind: "unknown", code: "timeout", message: "no answer" });
    const realQuery = fake.gateway.queryTrade;
    fake.gateway.queryTrade = async (outTradeNo) => ({
      kind: "unknown",
      code: "ACQ.SYSTEM_ERROR",
      message: "busy",
      exchange: (await realQuery(outTradeNo)).exchange,
    });
    await applyAlipayNotification(
      deps,
      notify.signed(agreement!.externalAgreementNo, "20261130000000000001"),
    );
    expect((await world()).attempts).toMatchObject([{ status: "unknown" }]);
    // Later Alipay answers: the trade did go through.
    fake.gateway.queryTrade = realQuery;
    const order = (await world()).orders[0]!;
    fake.trades.set(order.orderNo, { tradeNo: "2026113022001000000000000009", amountFen: 990 });
    expect(await checkAlipayOrder(deps, order)).toEqual({
      checked: true,
      outcome: "charge_paid",
    });
    const w = await world();
    expect(w.orders[0]!.status).toBe("paid");
    expect(w.attempts).toMatchObject([{ status: "succeeded", attemptNo: 1 }]);
  });

  it("a late sign notification: the status poll asks Alipay and goes on as the notification would", async () => {
    await startSubscription(deps, { userId: buyer, productSlug: "membership-weekly" });
    const {
      agreement,
      orders: [order],
    } = await world();
    expect(await checkAlipayOrder(deps, order!)).toEqual({ checked: true, outcome: "not_signed" });
    fake.signed.set(agreement!.externalAgreementNo, {
      agreementNo: "20261130000000000001",
      alipayUserId: "2088000000000002",
    });
    expect(await checkAlipayOrder(deps, order!)).toEqual({
      checked: true,
      outcome: "activated:charge_paid",
    });
    expect((await world()).orders[0]!.status).toBe("paid");
    // The notification arriving afterwards changes nothing.
    await applyAlipayNotification(
      deps,
      notify.signed(agreement!.externalAgreementNo, "20261130000000000001"),
    );
    const w = await world();
    expect(w.grants).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method === "alipay.trade.pay")).toHaveLength(1);
  });

  it("the poll asks at most once per interval per order", async () => {
    await startSubscription(deps, { userId: buyer, productSlug: "membership-weekly" });
    const order = (await world()).orders[0]!;
    const throttled = { ...deps, statusCheckIntervalMs: 3_000 };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => checkAlipayOrder(throttled, order)),
    );
    expect(results.filter((r) => r.checked)).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method === "alipay.user.agreement.query")).toHaveLength(1);
  });
});

describe("cancelling and unsigning", () => {
  async function subscribed() {
    await startSubscription(deps, { userId: buyer, productSlug: "membership-weekly" });
    const { agreement } = await world();
    await applyAlipayNotification(
      deps,
      notify.signed(agreement!.externalAgreementNo, "20261130000000000001"),
    );
    return (await world()).grants[0]!;
  }

  it("cancel auto-renewal unsigns at Alipay and closes the agreement; the paid time stays", async () => {
    const grant = await subscribed();
    await cancelAutoRenewal(deps, { userId: buyer });
    const w = await world();
    expect(w.agreement).toMatchObject({ status: "closed", autoRenew: false });
    expect(w.grants).toEqual([grant]);
    expect(fake.calls.find((c) => c.method === "alipay.user.agreement.unsign")!.input).toEqual({
      agreementNo: "20261130000000000001",
      notifyUrl: "http://shop.test/api/webhooks/alipay/gateway",
    });
    await expect(cancelAutoRenewal(deps, { userId: buyer })).rejects.toMatchObject({
      code: "not_found",
    });
    // The unsign notification that follows changes nothing more.
    expect(await applyAlipayNotification(deps, notify.unsigned("20261130000000000001"))).toEqual({
      status: "processed",
      outcome: "already_closed",
    });
  });

  it("when Alipay does not confirm, the agreement stays active and the buyer is told", async () => {
    await subscribed();
    fake.unsignAnswer = { kind: "unknown", code: "timeout", message: "no answer" };
    await expect(cancelAutoRenewal(deps, { userId: buyer })).rejects.toMatchObject({
      code: "provider_unavailable",
    });
    expect((await world()).agreement!.status).toBe("active");
  });

  it("an unsign from the wallet closes it too, without shortening the paid time", async () => {
    const grant = await subscribed();
    expect(await applyAlipayNotification(deps, notify.unsigned("20261130000000000001"))).toEqual({
      status: "processed",
      outcome: "unsigned",
    });
    const w = await world();
    expect(w.agreement).toMatchObject({ status: "unsigned", autoRenew: false });
    expect(w.grants).toEqual([grant]);
  });
});

describe("subscribing from an app (pay, then sign)", () => {
  it("pay and sign, in either order: a paid first period and an agreement charging one period on", async () => {
    for (const order of ["trade first", "sign first"] as const) {
      const user = (await makeUser(t.db())).id;
      const { orderNo } = await startAppPay(deps, {
        userId: user,
        productSlug: "membership-weekly",
      });
      const [agreement] = await t.db().select().from(agreements).where(eq(agreements.userId, user));
      expect(agreement).toMatchObject({
        signFlow: "app_pay",
        currentPeriod: 2,
        nextChargeDate: "2026-12-07",
      });
      const trade = notify.trade(orderNo, 990);
      const signed = notify.signed(
        agreement!.externalAgreementNo,
        `2026113000000000000${order === "trade first" ? 2 : 3}`,
      );
      const steps = order === "trade first" ? [trade, signed] : [signed, trade];
      for (const step of steps) await applyAlipayNotification(deps, step);
      const [after] = await t.db().select().from(agreements).where(eq(agreements.userId, user));
      expect(after).toMatchObject({
        status: "active",
        currentPeriod: 2,
        paidPeriods: 1,
        nextChargeDate: "2026-12-07",
      });
      const [paid] = await t.db().select().from(orders).where(eq(orders.userId, user));
      expect(paid!.status).toBe("paid");
      expect(await t.db().$count(entitlements, eq(entitlements.userId, user))).toBe(1);
    }
    // The app flow never charges with trade.pay: period 1 was paid in the app.
    expect(fake.calls.filter((c) => c.method === "alipay.trade.pay")).toHaveLength(0);
  });

  it("pay without signing: a paid one-period membership and no agreement", async () => {
    const { orderNo } = await startAppPay(deps, {
      userId: buyer,
      productSlug: "membership-weekly",
    });
    await applyAlipayNotification(deps, notify.trade(orderNo, 990));
    const w = await world();
    expect(w.orders[0]!.status).toBe("paid");
    expect(w.grants).toHaveLength(1);
    expect(w.agreement!.status).toBe("pending_sign");
    expect(await t.db().$count(products)).toBeGreaterThan(0);
  });
});
