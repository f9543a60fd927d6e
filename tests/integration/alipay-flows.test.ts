import { asc, eq, inArray } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  agreements,
  chargeAttempts,
  deductionLogs,
  entitlements,
  orders,
  payments,
  webhookInbox,
} from "@/db/schema";
import { addDays, shanghaiDate } from "@/lib/clock";
import { cancelAutoRenewal } from "@/lib/subscriptions/cancel";
import { startAppPay, startSubscription } from "@/lib/subscriptions/start";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { makeUser } from "../helpers/factories";
import { seed, withTestDatabase } from "../helpers/db";

/*
 * Memberships end to end against the Alipay sandbox, over real loopback HTTP: the shop's real
 * client signs requests to the sandbox's gateway.do, the sandbox's control API plays the buyer
 * (sign page, Alipay app, wallet), and its signed notifications reach the shop's three webhook
 * routes only when a test calls `bed.deliver()`. Every check reads the shop's tables and the
 * sandbox's own state (wallet, stats).
 */

const t = withTestDatabase();
const DAY = 86_400_000;
const WEEKLY = "membership-weekly";

let bed: AlipayTestbed;
let buyer: string;

beforeEach(async () => {
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  buyer = (await makeUser(t.db())).id;
});

afterEach(async () => {
  await bed.close();
});

type Wallet = {
  balanceFen: number;
  agreements: { agreementNo: string; status: string; nextDeductDate: string }[];
};
type Stats = {
  calls: Record<string, number>;
  notifications: { notifyType: string; status: string; attempts: number }[];
};
type AppPayAnswer = Record<"resultStatus" | "tradeNo" | "agreementNo" | "signError", string | null>;
type ErrorBody = { error: { code: string; message: string } };

/** A GET of the sandbox's control API (wallet, stats), which must answer 200. */
async function read<T>(name: "wallet" | "stats"): Promise<T> {
  const answer = await bed.control(name);
  expect(answer.status).toBe(200);
  return answer.body as T;
}
const wallet = () => read<Wallet>("wallet");
const stats = () => read<Stats>("stats");

/** The shop's rows for one buyer. */
async function world(userId = buyer) {
  const db = t.db();
  const all = await db
    .select()
    .from(agreements)
    .where(eq(agreements.userId, userId))
    .orderBy(asc(agreements.createdAt));
  const agreement = all[0];
  const orderRows = await db.select().from(orders).where(eq(orders.userId, userId));
  const orderIds = orderRows.map((o) => o.id);
  return {
    agreement,
    all,
    orders: orderRows,
    grants: await db.select().from(entitlements).where(eq(entitlements.userId, userId)),
    payments: await db.select().from(payments).where(inArray(payments.orderId, orderIds)),
    attempts: await db
      .select()
      .from(chargeAttempts)
      .where(inArray(chargeAttempts.orderId, orderIds)),
    logs: agreement
      ? await db
          .select()
          .from(deductionLogs)
          .where(eq(deductionLogs.agreementId, agreement.id))
          .orderBy(asc(deductionLogs.id))
      : [],
  };
}

/** How many days a grant runs. */
const days = (g: { startsAt: Date; expiresAt: Date | null }) =>
  (g.expiresAt!.getTime() - g.startsAt.getTime()) / DAY;

const OK = { status: 200, body: "success" };

async function inbox() {
  return t.db().select().from(webhookInbox).orderBy(asc(webhookInbox.receivedAt));
}

/** Today and one week on, in Asia/Shanghai, on the virtual clock. */
async function dates() {
  const today = shanghaiDate(await bed.deps.now());
  return { today, weekOn: addDays(today, 7) };
}

/** The browser flow up to the signature: the sandbox's sign page signs the page.sign URL. */
async function signInBrowser(userId = buyer) {
  const started = await startSubscription(bed.deps, { userId, productSlug: WEEKLY });
  const signed = await bed.control("sign", { signUrl: started.signUrl });
  expect(signed).toMatchObject({ status: 200, body: { status: "NORMAL" } });
  const { agreementNo } = signed.body as { agreementNo: string };
  expect(agreementNo).toMatch(/^\d{20}$/);
  return { ...started, agreementNo };
}

/** The app flow: the sandbox's Alipay app consumes the order string with the buyer's action. */
async function payInApp(action: "pay_and_sign" | "pay_only" | "cancel", userId = buyer) {
  const started = await startAppPay(bed.deps, { userId, productSlug: WEEKLY });
  const answer = await bed.control("app-pay", { orderStr: started.orderStr, action });
  expect(answer.status).toBe(200);
  return { ...started, answer: answer.body as AppPayAnswer };
}

/** What two runs of a flow must agree on, whatever the order or number of notifications. */
async function endState(userId: string) {
  const w = await world(userId);
  return {
    orders: w.orders.map((o) => ({ status: o.status, periodIndex: o.periodIndex })),
    grants: w.grants.map(days),
    payments: w.payments.map((p) => ({ status: p.status, amountFen: p.amountFen })),
    attempts: w.attempts.map((a) => a.status),
    agreement: {
      status: w.agreement!.status,
      currentPeriod: w.agreement!.currentPeriod,
      paidPeriods: w.agreement!.paidPeriods,
      nextChargeDate: w.agreement!.nextChargeDate,
      autoRenew: w.agreement!.autoRenew,
      hasNumber: w.agreement!.agreementNo !== null,
    },
  };
}

async function postNotification(destination: string, body: string) {
  const response = await fetch(`${bed.server.url}/api/webhooks/alipay/${destination}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
  return { status: response.status, body: await response.text() };
}

describe("subscribing in the browser (sign, then the shop charges period 1)", () => {
  it("sign → notifications: paid order, active agreement, one 7-day grant, next charge a week on", async () => {
    const before = await bed.deps.now();
    const { weekOn } = await dates();
    const started = await signInBrowser();
    // Nothing happens in the shop before the notifications are delivered.
    expect((await world()).agreement!.status).toBe("pending_sign");

    const delivered = await bed.deliver();
    const after = await bed.deps.now();
    // The sign notification, then the trade notification of the charge it triggered.
    expect(delivered).toMatchObject({ delivered: 2, failed: 0 });

    const w = await world();
    expect(w.orders).toMatchObject([
      { orderNo: started.orderNo, status: "paid", periodIndex: 1, kind: "membership_initial" },
    ]);
    expect(w.agreement).toMatchObject({
      status: "active",
      agreementNo: started.agreementNo,
      signFlow: "page_sign",
      paidPeriods: 1,
      currentPeriod: 2,
      autoRenew: true,
      // Period 1 was charged today; the next charge is when the paid week ends.
      nextChargeDate: weekOn,
    });
    expect(w.grants).toHaveLength(1);
    const grant = w.grants[0]!;
    expect(grant.kind).toBe("membership");
    // From the moment the signature was applied, on the virtual clock.
    expect(grant.startsAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(grant.startsAt.getTime()).toBeLessThanOrEqual(after.getTime());
    expect(w.agreement!.signedAt!.getTime()).toBeLessThanOrEqual(grant.startsAt.getTime());
    expect(days(grant)).toBe(7);
    expect(w.payments).toMatchObject([{ provider: "alipay", status: "paid", amountFen: 990 }]);
    expect(w.attempts).toMatchObject([
      {
        status: "succeeded",
        attemptNo: 1,
        periodIndex: 1,
        tradeNo: w.payments[0]!.providerTradeNo,
      },
    ]);
    expect(w.logs.map((l) => [l.apiMethod, l.outcome])).toEqual([
      ["alipay.trade.pay", "succeeded"],
    ]);

    const rows = await inbox();
    expect(rows.map((r) => [r.eventType, r.status, r.deliveries])).toEqual([
      ["agreement:dut_user_sign", "processed", 1],
      ["trade:trade_status_sync", "processed", 1],
    ]);
    expect(rows[0]!.outcome).toBe("activated:charge_paid");

    // The sandbox agrees: one charge of ¥9.90, its schedule one period past today.
    const sandbox = await wallet();
    expect(sandbox.balanceFen).toBe(100_000_00 - 990);
    expect(sandbox.agreements).toMatchObject([
      { agreementNo: started.agreementNo, status: "NORMAL", nextDeductDate: weekOn },
    ]);
    expect((await stats()).calls["alipay.trade.pay"]).toBe(1);
  });

  it("signed on a later day than the sign URL named: the plan moves to that day, then period 1 is charged", async () => {
    const { orderNo, signUrl } = await startSubscription(bed.deps, {
      userId: buyer,
      productSlug: WEEKLY,
    });
    await bed.advance(DAY / 1000 + 60);
    const { weekOn } = await dates();
    expect(await bed.control("sign", { signUrl })).toMatchObject({ status: 200 });
    expect(await bed.deliver()).toMatchObject({ delivered: 2, failed: 0 });

    const w = await world();
    expect(w.orders).toMatchObject([{ orderNo, status: "paid" }]);
    expect(w.grants).toHaveLength(1);
    expect(w.agreement).toMatchObject({ status: "active", paidPeriods: 1, nextChargeDate: weekOn });
    expect(w.logs.map((l) => [l.apiMethod, l.outcome])).toEqual([
      ["alipay.user.agreement.executionplan.modify", "succeeded"],
      ["alipay.trade.pay", "succeeded"],
    ]);
    expect((await wallet()).agreements).toMatchObject([
      { status: "NORMAL", nextDeductDate: weekOn },
    ]);
  });
});

describe("subscribing from an app through the control API", () => {
  it("pay_and_sign → a paid order, one period granted, an active agreement charging period 2 a week on", async () => {
    const { weekOn } = await dates();
    const { orderNo, answer } = await payInApp("pay_and_sign");
    expect(answer).toMatchObject({ resultStatus: "9000", signError: null });
    expect(answer.agreementNo).toMatch(/^\d{20}$/);
    expect(await bed.deliver()).toMatchObject({ delivered: 2, failed: 0 });

    const w = await world();
    expect(w.orders).toMatchObject([{ orderNo, status: "paid", periodIndex: 1 }]);
    expect(w.grants.map(days)).toEqual([7]);
    expect(w.payments).toMatchObject([{ providerTradeNo: answer.tradeNo, amountFen: 990 }]);
    expect(w.agreement).toMatchObject({
      status: "active",
      signFlow: "app_pay",
      agreementNo: answer.agreementNo,
      paidPeriods: 1,
      currentPeriod: 2,
      nextChargeDate: weekOn,
    });
    // Period 1 was paid in the app: the shop never charges it with trade.pay.
    expect(w.attempts).toEqual([]);
    expect((await stats()).calls["alipay.trade.pay"]).toBeUndefined();
    expect((await wallet()).agreements).toMatchObject([
      { agreementNo: answer.agreementNo, status: "NORMAL", nextDeductDate: weekOn },
    ]);
    expect((await inbox()).map((r) => r.status)).toEqual(["processed", "processed"]);
  });

  it("pay_only → a paid one-period membership and no agreement, in the shop or the wallet", async () => {
    const { orderNo, answer } = await payInApp("pay_only");
    expect(answer).toMatchObject({ resultStatus: "9000", agreementNo: null });
    expect(await bed.deliver()).toMatchObject({ delivered: 1, failed: 0 });

    const w = await world();
    expect(w.orders).toMatchObject([{ orderNo, status: "paid" }]);
    expect(w.grants.map(days)).toEqual([7]);
    expect(w.payments).toHaveLength(1);
    expect(w.agreement!.status).not.toBe("active");
    expect(w.agreement!.agreementNo).toBeNull();
    const sandbox = await wallet();
    expect(sandbox.agreements.filter((a) => a.status === "NORMAL")).toEqual([]);
    expect(sandbox.balanceFen).toBe(100_000_00 - 990);
  });

  it("cancel → nothing paid, granted or signed; no notification at all", async () => {
    const { answer } = await payInApp("cancel");
    expect(answer).toMatchObject({ resultStatus: "6001", tradeNo: null, agreementNo: null });
    expect(await bed.deliver()).toMatchObject({ delivered: 0, failed: 0 });

    const w = await world();
    expect(w.orders.map((o) => o.status)).toEqual(["pending"]);
    expect(w.grants).toEqual([]);
    expect(w.payments).toEqual([]);
    expect(w.agreement!.status).toBe("pending_sign");
    expect((await wallet()).agreements).toEqual([]);
    expect((await stats()).notifications).toEqual([]);
    expect(await inbox()).toEqual([]);
  });

  // A waiting agreement reused on a later day gets that day's first deduction date.
  it("paid in the app days after the subscription was opened: period 2 falls due one period after the payment", async () => {
    await payInApp("cancel");
    await bed.advance((9 * DAY) / 1000);
    const { weekOn } = await dates();
    const { answer } = await payInApp("pay_and_sign");
    expect(answer.resultStatus).toBe("9000");
    await bed.deliver();
    expect((await world()).agreement).toMatchObject({ status: "active", nextChargeDate: weekOn });
    expect((await wallet()).agreements).toMatchObject([{ nextDeductDate: weekOn }]);
  });

  // Paid without signing: the waiting agreement is released (Alipay says it is not signed).
  it("after paying without signing, the buyer can still turn auto-renewal on in the app", async () => {
    const first = await payInApp("pay_only");
    await bed.deliver();
    const again = await payInApp("pay_and_sign");
    expect(again.orderNo).not.toBe(first.orderNo);
    expect(again.answer).toMatchObject({ resultStatus: "9000", signError: null });
    expect(again.answer.agreementNo).toMatch(/^\d{20}$/);
    await bed.deliver();
    const w = await world();
    expect(w.orders.map((o) => o.status)).toEqual(["paid", "paid"]);
    expect(w.all.filter((a) => a.status === "active")).toMatchObject([
      { agreementNo: again.answer.agreementNo },
    ]);
  });

  it("refuses bad bodies with a 4xx and a reason, never a 500, and nothing is paid", async () => {
    const { orderStr } = await startAppPay(bed.deps, { userId: buyer, productSlug: WEEKLY });

    const unknownAction = await bed.control("app-pay", { orderStr, action: "steal" });
    expect(unknownAction.status).toBe(422);
    expect((unknownAction.body as ErrorBody).error.code).toBe("validation_failed");

    // The amount changed after the shop signed the order string: the signature no longer holds.
    const params = new URLSearchParams(orderStr);
    const biz = JSON.parse(params.get("biz_content")!) as Record<string, unknown>;
    params.set("biz_content", JSON.stringify({ ...biz, total_amount: "0.01" }));
    const tampered = await bed.control("app-pay", {
      orderStr: params.toString(),
      action: "pay_and_sign",
    });
    expect(tampered.status).toBe(400);
    expect((tampered.body as ErrorBody).error.message).toMatch(/isv\.invalid-signature/);

    expect(
      (await bed.control("app-pay", { orderStr: "not an order", action: "pay_only" })).status,
    ).toBe(400);

    expect(await bed.deliver()).toMatchObject({ delivered: 0 });
    const w = await world();
    expect(w.orders.map((o) => o.status)).toEqual(["pending"]);
    expect(w.payments).toEqual([]);
    const sandbox = await wallet();
    expect(sandbox.agreements).toEqual([]);
    expect(sandbox.balanceFen).toBe(100_000_00);
  });
});

describe("starting again in the other flow", () => {
  it("a browser subscription left unsigned is released for the app; signing its old link later is undone at Alipay", async () => {
    const browser = await startSubscription(bed.deps, { userId: buyer, productSlug: WEEKLY });
    const app = await payInApp("pay_and_sign");
    expect(app.orderNo).not.toBe(browser.orderNo);
    await bed.deliver();
    let w = await world();
    expect(w.all.map((a) => [a.signFlow, a.status])).toEqual([
      ["page_sign", "closed"],
      ["app_pay", "active"],
    ]);
    expect(w.logs.map((l) => l.apiMethod)).toEqual(["alipay.user.agreement.query"]);

    // The buyer signs the old link anyway: the shop unsigns what it will never charge.
    expect((await bed.control("sign", { signUrl: browser.signUrl })).status).toBe(200);
    await bed.deliver();
    w = await world();
    expect(w.all.map((a) => a.status)).toEqual(["closed", "active"]);
    expect(w.logs.map((l) => [l.apiMethod, l.outcome])).toEqual([
      ["alipay.user.agreement.query", "succeeded"],
      ["alipay.user.agreement.unsign", "succeeded"],
    ]);
    const statuses = (await wallet()).agreements.map((a) => a.status).sort();
    expect(statuses).toEqual(["NORMAL", "UNSIGN"]);
    // One paid order (the app's), one grant; the browser's period 1 never charged.
    expect(w.orders.filter((o) => o.status === "paid")).toHaveLength(1);
    expect(w.grants).toHaveLength(1);
    expect((await stats()).calls["alipay.trade.pay"] ?? 0).toBe(0);
  });

  it("a browser subscription signed but not yet notified is taken as signed, not replaced", async () => {
    await signInBrowser();
    // The sign notification has not arrived; the buyer opens the app and tries again.
    await expect(
      startAppPay(bed.deps, { userId: buyer, productSlug: WEEKLY }),
    ).rejects.toMatchObject({ code: "conflict" });
    const w = await world();
    expect(w.all).toHaveLength(1);
    expect(w.agreement).toMatchObject({ status: "active", signFlow: "page_sign", paidPeriods: 1 });
    expect(w.orders.map((o) => o.status)).toEqual(["paid"]);
    expect(w.grants).toHaveLength(1);
    // The late notifications change nothing more.
    await bed.deliver();
    expect((await world()).grants).toHaveLength(1);
  });

  it("Alipay not answering leaves the waiting agreement as it is and says so", async () => {
    await startSubscription(bed.deps, { userId: buyer, productSlug: WEEKLY });
    const faults = await bed.control("faults", {
      inject: { method: "alipay.user.agreement.query", kind: "system_error", count: 1 },
    });
    expect(faults.status).toBe(200);
    await expect(
      startAppPay(bed.deps, { userId: buyer, productSlug: WEEKLY }),
    ).rejects.toMatchObject({ code: "provider_unavailable" });
    expect((await world()).all.map((a) => a.status)).toEqual(["pending_sign"]);
  });
});

describe("duplicated, reordered and replayed notifications", () => {
  it("every delivered notification sent twice (duplicateAfterSuccess), both flows: applied once", async () => {
    const faults = await bed.control("faults", { duplicateAfterSuccess: true });
    expect(faults).toMatchObject({ status: 200, body: { duplicateAfterSuccess: true } });
    const appBuyer = (await makeUser(t.db())).id;
    await signInBrowser(buyer);
    await payInApp("pay_and_sign", appBuyer);

    // Browser: sign + trade; app: trade + sign; each once more.
    expect(await bed.deliver()).toMatchObject({ delivered: 8, failed: 0 });
    const rows = await inbox();
    expect(rows).toHaveLength(4);
    // Each counted twice, applied once.
    for (const row of rows) {
      expect([row.status, row.deliveries, row.attempts]).toEqual(["processed", 2, 1]);
    }

    for (const userId of [buyer, appBuyer]) {
      const state = await endState(userId);
      expect(state).toMatchObject({
        orders: [{ status: "paid", periodIndex: 1 }],
        grants: [7],
        payments: [{ status: "paid", amountFen: 990 }],
        agreement: { status: "active", paidPeriods: 1, currentPeriod: 2 },
      });
    }
    expect((await world(buyer)).attempts).toHaveLength(1);
    expect((await stats()).calls["alipay.trade.pay"]).toBe(1);
    expect((await wallet()).balanceFen).toBe(100_000_00 - 2 * 990);
  });

  it("stored notifications posted again, in turn and 5 at once: `success`, counted, never applied twice", async () => {
    await signInBrowser();
    await bed.deliver();
    const before = await world();
    const rows = await inbox();
    expect(rows).toHaveLength(2);

    for (const row of rows) {
      const destination = row.eventType!.split(":")[0]!;
      for (let i = 0; i < 3; i++) {
        expect(await postNotification(destination, row.body)).toEqual(OK);
      }
      const burst = await Promise.all(
        Array.from({ length: 5 }, () => postNotification(destination, row.body)),
      );
      expect(burst).toEqual([OK, OK, OK, OK, OK]);
    }
    await bed.settle();

    const again = await inbox();
    // Counted every time, applied only the first time.
    expect(again.map((r) => [r.id, r.status, r.deliveries, r.attempts])).toEqual(
      rows.map((r) => [r.id, "processed", 9, 1]),
    );
    const after = await world();
    expect(after.orders).toEqual(before.orders);
    expect(after.grants).toEqual(before.grants);
    expect(after.payments).toEqual(before.payments);
    expect(after.attempts).toEqual(before.attempts);
    expect(after.agreement).toMatchObject({
      status: "active",
      paidPeriods: 1,
      currentPeriod: 2,
      nextChargeDate: before.agreement!.nextChargeDate,
    });
    expect((await stats()).calls["alipay.trade.pay"]).toBe(1);

    // A stored body changed on the way (the amount) fails verification: refused, nothing applied.
    const trade = rows.find((r) => r.eventType === "trade:trade_status_sync")!;
    const forged = new URLSearchParams(trade.body);
    forged.set("total_amount", "0.01");
    const refused = await postNotification("trade", forged.toString());
    expect(refused).toEqual({ status: 400, body: "fail" });
    expect((await world()).payments).toEqual(before.payments);
  });

  it("app flow: the sign notification before or after the trade notification gives the same end state", async () => {
    const signLast = (await makeUser(t.db())).id;
    const signFirst = (await makeUser(t.db())).id;

    await payInApp("pay_and_sign", signLast);
    await bed.deliver();
    const firstReplies = bed.replies.map((r) => r.destination);

    await bed.control("faults", { signBeforeTrade: true });
    await payInApp("pay_and_sign", signFirst);
    await bed.deliver();
    const secondReplies = bed.replies.slice(firstReplies.length).map((r) => r.destination);

    // The orders really differed.
    expect(firstReplies).toEqual(["trade", "agreement"]);
    expect(secondReplies).toEqual(["agreement", "trade"]);
    const reference = await endState(signLast);
    expect(reference).toMatchObject({
      orders: [{ status: "paid" }],
      grants: [7],
      // Period 1 was paid in the app: never charged again, whichever came first.
      attempts: [],
      agreement: { status: "active", paidPeriods: 1, currentPeriod: 2 },
    });
    expect(await endState(signFirst)).toEqual(reference);
    expect((await inbox()).map((r) => r.status)).toEqual(Array(4).fill("processed"));
  });

  it("a failed delivery to the app gateway is retried on the schedule (+4 min) and applied once", async () => {
    const { agreementNo } = await signInBrowser();
    await bed.deliver();
    const [grant] = (await world()).grants;

    // The app gateway does not answer `success` (404): the wallet unsign cannot be delivered.
    await bed.sandbox.setAppGatewayUrl(`${bed.server.url}/api/webhooks/alipay/nowhere`);
    expect(await bed.control("unsign", { agreementNo })).toMatchObject({ status: 200 });
    // The first attempt and 3 immediate retries fail; the next is 4 minutes on.
    expect(await bed.deliver()).toMatchObject({ delivered: 0, failed: 4 });
    const pending = (await stats()).notifications.find((n) => n.notifyType === "dut_user_unsign")!;
    expect(pending).toMatchObject({ status: "retrying", attempts: 4 });
    expect((await world()).agreement!.status).toBe("active");

    await bed.sandbox.setAppGatewayUrl(`${bed.server.url}/api/webhooks/alipay/gateway`);
    await bed.advance(200);
    expect(await bed.deliver()).toMatchObject({ delivered: 0, failed: 0 });
    await bed.advance(60);
    expect(await bed.deliver()).toMatchObject({ delivered: 1, failed: 0 });

    const w = await world();
    expect(w.agreement).toMatchObject({ status: "unsigned", autoRenew: false });
    expect(w.grants).toEqual([grant]);
    const unsign = (await inbox()).filter((r) => r.eventType === "gateway:dut_user_unsign");
    expect(unsign.map((r) => [r.status, r.deliveries, r.outcome])).toEqual([
      ["processed", 1, "unsigned"],
    ]);
    expect((await stats()).notifications.every((n) => n.status === "delivered")).toBe(true);
  });

  it("a shop that refuses the notifications at first (400) is paid and signed on the retry, once", async () => {
    const realKey = bed.deps.alipay.alipayPublicKey;
    // The shop verifies with a wrong key for a while: every notification is refused.
    bed.deps.alipay.alipayPublicKey = bed.sandbox.keys.appPublicKeyPem;
    await payInApp("pay_and_sign");
    expect(await bed.deliver()).toMatchObject({ delivered: 0, failed: 8 });
    expect(bed.replies.every((r) => r.status === 400)).toBe(true);
    let w = await world();
    expect(w.orders.map((o) => o.status)).toEqual(["pending"]);
    expect(w.agreement!.status).toBe("pending_sign");

    bed.deps.alipay.alipayPublicKey = realKey;
    await bed.advance(4 * 60);
    expect(await bed.deliver()).toMatchObject({ delivered: 2, failed: 0 });
    w = await world();
    expect(w.orders.map((o) => o.status)).toEqual(["paid"]);
    expect(w.grants).toHaveLength(1);
    expect(w.payments).toHaveLength(1);
    expect(w.agreement).toMatchObject({ status: "active", paidPeriods: 1, currentPeriod: 2 });
    const accepted = (await inbox()).filter((r) => r.status !== "rejected");
    expect(accepted.map((r) => [r.status, r.deliveries])).toEqual([
      ["processed", 1],
      ["processed", 1],
    ]);
  });
});

describe("ending the agreement", () => {
  it("cancel auto-renewal: unsigned at Alipay, closed in the shop, the paid time kept", async () => {
    const { agreementNo } = await signInBrowser();
    await bed.deliver();
    const [grant] = (await world()).grants;

    await cancelAutoRenewal(bed.deps, { userId: buyer });
    expect((await wallet()).agreements).toMatchObject([{ agreementNo, status: "UNSIGN" }]);
    let w = await world();
    expect(w.agreement).toMatchObject({ status: "closed", autoRenew: false });
    expect(w.grants).toEqual([grant]);
    expect(w.logs.map((l) => [l.apiMethod, l.outcome])).toContainEqual([
      "alipay.user.agreement.unsign",
      "succeeded",
    ]);

    // The unsign notification that follows (to the shop's gateway route) changes nothing more.
    expect(await bed.deliver()).toMatchObject({ delivered: 1, failed: 0 });
    const unsign = (await inbox()).filter((r) => r.eventType === "gateway:dut_user_unsign");
    expect(unsign.map((r) => [r.status, r.outcome])).toEqual([["processed", "already_closed"]]);
    w = await world();
    expect(w.agreement).toMatchObject({ status: "closed", autoRenew: false });
    expect(w.grants).toEqual([grant]);
    await expect(cancelAutoRenewal(bed.deps, { userId: buyer })).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("unsigned in the wallet: dut_user_unsign reaches the gateway route, the paid time kept; twice → 409", async () => {
    const agreementNo = (await payInApp("pay_and_sign")).answer.agreementNo!;
    await bed.deliver();
    const [grant] = (await world()).grants;

    expect(await bed.control("unsign", { agreementNo })).toMatchObject({
      status: 200,
      body: { ok: true },
    });
    expect((await wallet()).agreements).toMatchObject([{ agreementNo, status: "UNSIGN" }]);
    const sent = bed.replies.length;
    expect(await bed.deliver()).toMatchObject({ delivered: 1, failed: 0 });
    expect(bed.replies.slice(sent)).toEqual([{ destination: "gateway", ...OK }]);

    const w = await world();
    expect(w.agreement).toMatchObject({ status: "unsigned", autoRenew: false });
    expect(w.agreement!.unsignedAt).not.toBeNull();
    expect(w.grants).toEqual([grant]);

    const again = await bed.control("unsign", { agreementNo });
    expect(again.status).toBe(409);
    expect((again.body as ErrorBody).error.message).toMatch(/already unsigned/);
    expect((await bed.control("unsign", { agreementNo: "20990101000000000000" })).status).toBe(404);
    expect((await bed.control("unsign", { agreementNo: "nope" })).status).toBe(422);
    expect(await bed.deliver()).toMatchObject({ delivered: 0 });
  });
});

describe("charges the sandbox refuses", () => {
  it("no balance when period 1 is charged: unpaid order, a failed attempt with Alipay's code, no grant", async () => {
    const { today } = await dates();
    expect(await bed.control("balance", { fen: 0 })).toMatchObject({ status: 200 });
    const { orderNo, agreementNo } = await signInBrowser();
    // Only the sign notification: a declined charge sends no trade notification.
    expect(await bed.deliver()).toMatchObject({ delivered: 1, failed: 0 });

    const w = await world();
    expect(w.orders).toMatchObject([{ orderNo, status: "pending" }]);
    expect(w.attempts).toMatchObject([
      { status: "failed", attemptNo: 1, errorCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH" },
    ]);
    expect(w.logs.map((l) => [l.apiMethod, l.outcome])).toEqual([["alipay.trade.pay", "declined"]]);
    expect(w.grants).toEqual([]);
    expect(w.payments).toEqual([]);
    expect(w.agreement).toMatchObject({
      status: "active",
      agreementNo,
      paidPeriods: 0,
      currentPeriod: 1,
    });
    expect((await inbox()).map((r) => r.outcome)).toEqual([
      "activated:charge_declined:ACQ.BUYER_BALANCE_NOT_ENOUGH",
    ]);
    // Nothing was taken and the sandbox's schedule did not move.
    const sandbox = await wallet();
    expect(sandbox.balanceFen).toBe(0);
    expect(sandbox.agreements).toMatchObject([{ agreementNo, nextDeductDate: today }]);
  });
});
