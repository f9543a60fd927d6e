import "server-only";
import { createHash, randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import {
  findProductsBySlug,
  insertDemoRows,
  userExists,
  type DemoRows,
} from "@/db/queries/dashboard-demo";
import { shanghaiDate, startOfShanghaiDate } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { newId, newOrderNo } from "@/lib/ids";
import {
  addDays,
  dashboardWindow,
  DASHBOARD_DAYS,
  type RevenueChannel,
  type RevenueCell,
} from "./dashboard";

/*
 * Thirty days of a small shop's life, for the admin overview in the sandbox (the e2e's
 * screenshots, and an owner trying the demo): QR purchases every day, Alipay first payments and
 * renewals, agreements in every status (two ended inside the window, two waiting for a
 * signature), two active agreements whose latest charge failed, two orders in review, billing
 * runs, and inbox rows of every kind — relative to the shop's now (the virtual clock). Written
 * once: the marker buyer's email makes a second call a 409. Reached only through
 * `POST /sandbox/control/dashboard-demo` (a 404 in live mode) by an admin.
 */

export const DEMO_MARKER_EMAIL = "demo-1@demo.xiaopu.local";
const DEMO_BUYERS = 8;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const PURCHASES = ["side-hustle-handbook", "writing-that-sells", "notion-for-creators"] as const;
const PLANS = ["membership-weekly", "membership-monthly", "membership-quarterly"] as const;

export interface DemoSummary {
  /** Paid orders the demo wrote, per Shanghai day and channel (what the chart must show). */
  revenue: RevenueCell[];
  orders: number;
  agreements: number;
}

type Product = Awaited<ReturnType<typeof findProductsBySlug>>[number];

export async function seedDashboardDemo(db: Db, now: Date): Promise<DemoSummary> {
  if (await userExists(db, DEMO_MARKER_EMAIL)) {
    throw new AppError("conflict", "The demo data is already there.");
  }
  const found = await findProductsBySlug(db, [...PURCHASES, ...PLANS]);
  const bySlug = new Map(found.map((product) => [product.slug, product]));
  const product = (slug: string): Product => {
    const hit = bySlug.get(slug);
    if (!hit) throw new AppError("conflict", `The catalogue has no product ${slug}.`);
    return hit;
  };
  const window = dashboardWindow(shanghaiDate(now));
  const startOfToday = startOfShanghaiDate(window.today);
  const rows: DemoRows = {
    users: [],
    agreements: [],
    orders: [],
    payments: [],
    chargeAttempts: [],
    entitlements: [],
    billingRuns: [],
    inbox: [],
  };
  const revenue = new Map<string, RevenueCell>();

  // Buyers who cannot sign in (no password matches this hash).
  const buyers = Array.from({ length: DEMO_BUYERS }, (_, i) => ({
    id: newId("usr"),
    email: `demo-${i + 1}@demo.xiaopu.local`,
    name: `演示买家 ${i + 1}`,
    passwordHash: "scrypt$disabled",
    role: "buyer" as const,
    createdAt: new Date(now.getTime() - 60 * DAY),
  }));
  rows.users.push(...buyers);

  // One agreement per buyer: 0–5 active, 6 unsigned in the wallet 5 days ago, 7 closed 12 days ago.
  const signedAt = new Date(now.getTime() - 45 * DAY);
  const agreementPlans = [0, 1, 2, 1, 0, 1, 2, 0].map((i) => product(PLANS[i]!));
  const agreements = buyers.map((buyer, i) => {
    const plan = agreementPlans[i]!;
    const status = i < 6 ? "active" : i === 6 ? "unsigned" : "closed";
    return {
      id: newId("agr"),
      userId: buyer.id,
      productId: plan.id,
      externalAgreementNo: `XA${window.today.replaceAll("-", "")}${randomDigits(12)}`,
      agreementNo: `2026${randomDigits(16)}`,
      alipayUserId: `2088${randomDigits(12)}`,
      status: status as "active" | "unsigned" | "closed",
      singleAmountFen: plan.priceFen,
      periodDays: plan.periodDays ?? 30,
      nextChargeDate: addDays(window.today, 3 + i),
      currentPeriod: 2,
      paidPeriods: 1,
      signFlow: "page_sign",
      signedAt,
      unsignedAt:
        i === 6
          ? new Date(now.getTime() - 5 * DAY)
          : i === 7
            ? new Date(now.getTime() - 12 * DAY)
            : null,
      autoRenew: i < 6,
      createdAt: signedAt,
    };
  });
  rows.agreements.push(...agreements);
  // Two buyers started another plan and have not signed yet.
  for (const [buyer, plan] of [
    [buyers[6]!, product(PLANS[2])],
    [buyers[7]!, product(PLANS[0])],
  ] as const) {
    rows.agreements.push({
      id: newId("agr"),
      userId: buyer.id,
      productId: plan.id,
      externalAgreementNo: `XA${window.today.replaceAll("-", "")}${randomDigits(12)}`,
      status: "pending_sign",
      singleAmountFen: plan.priceFen,
      periodDays: plan.periodDays ?? 30,
      nextChargeDate: window.today,
      createdAt: new Date(now.getTime() - 2 * HOUR),
    });
  }

  const paid = (
    channel: RevenueChannel,
    day: string,
    slot: number,
    values: {
      userId: string;
      productId: string;
      amountFen: number;
      agreementId?: string;
      periodIndex?: number;
    },
  ) => {
    // Spread over the day; today's stay before now (and after midnight in Shanghai).
    let paidAt = new Date(startOfShanghaiDate(day).getTime() + 9 * HOUR + slot * 37 * 60_000);
    if (paidAt > now) {
      paidAt = new Date(
        Math.max(startOfToday.getTime() + slot, now.getTime() - (slot + 1) * 60_000),
      );
    }
    const kind =
      channel === "youzan"
        ? "purchase"
        : channel === "alipay_first"
          ? "membership_initial"
          : "renewal";
    const order = {
      id: newId("ord"),
      orderNo: newOrderNo(day),
      kind: kind as "purchase" | "membership_initial" | "renewal",
      provider: channel === "youzan" ? ("youzan" as const) : ("alipay" as const),
      status: "paid" as const,
      paidAt,
      createdAt: new Date(paidAt.getTime() - 2 * 60_000),
      ...values,
    };
    rows.orders.push(order);
    rows.payments.push({
      id: newId("pay"),
      orderId: order.id,
      provider: order.provider,
      providerTradeNo: `DEMO${order.orderNo}`,
      amountFen: order.amountFen,
      status: "paid",
      buyerRef: null,
      paidAt,
      createdAt: paidAt,
    });
    const key = `${day}:${channel}`;
    const cell = revenue.get(key) ?? { day, channel, amountFen: 0, orders: 0 };
    cell.amountFen += order.amountFen;
    cell.orders += 1;
    revenue.set(key, cell);
    return order;
  };

  const nextPeriod = agreements.map(() => 2);
  let firstPayments = 0;
  for (let d = 0; d < DASHBOARD_DAYS; d++) {
    const day = addDays(window.from30, d);
    for (let i = 0; i < 1 + (d % 3); i++) {
      const item = product(PURCHASES[(d + i) % PURCHASES.length]!);
      paid("youzan", day, i, {
        userId: buyers[(d + i) % DEMO_BUYERS]!.id,
        productId: item.id,
        amountFen: item.priceFen,
      });
    }
    if (d % 4 === 1 && firstPayments < agreements.length) {
      const agreement = agreements[firstPayments]!;
      const order = paid("alipay_first", day, 4, {
        userId: agreement.userId,
        productId: agreement.productId,
        amountFen: agreement.singleAmountFen,
        agreementId: agreement.id,
        periodIndex: 1,
      });
      if (agreement.status === "active") {
        rows.entitlements.push({
          id: newId("ent"),
          userId: agreement.userId,
          orderId: order.id,
          productId: agreement.productId,
          kind: "membership",
          startsAt: new Date(now.getTime() - 10 * DAY),
          expiresAt: new Date(now.getTime() + 20 * DAY),
          createdAt: order.paidAt,
        });
      }
      firstPayments++;
    }
    if (d % 2 === 0) {
      const which = (d / 2) % 6;
      const agreement = agreements[which]!;
      paid("alipay_renewal", day, 5, {
        userId: agreement.userId,
        productId: agreement.productId,
        amountFen: agreement.singleAmountFen,
        agreementId: agreement.id,
        periodIndex: nextPeriod[which]!++,
      });
    }
  }

  // Two active agreements whose latest charge was declined yesterday (balance too low).
  for (const which of [1, 3]) {
    const agreement = agreements[which]!;
    const period = nextPeriod[which]!++;
    const orderNo = newOrderNo(addDays(window.today, -1));
    const order = {
      id: newId("ord"),
      orderNo,
      userId: agreement.userId,
      productId: agreement.productId,
      kind: "renewal" as const,
      provider: "alipay" as const,
      amountFen: agreement.singleAmountFen,
      status: "pending" as const,
      agreementId: agreement.id,
      periodIndex: period,
      createdAt: new Date(now.getTime() - DAY),
    };
    rows.orders.push(order);
    rows.chargeAttempts.push({
      id: newId("chg"),
      agreementId: agreement.id,
      orderId: order.id,
      periodIndex: period,
      attemptNo: 1,
      outTradeNo: orderNo,
      amountFen: order.amountFen,
      status: "failed",
      errorCode: "ACQ.BALANCE_NOT_ENOUGH",
      errorMessage: "余额不足",
      nextRetryAt: new Date(now.getTime() + 6 * HOUR),
      createdAt: new Date(now.getTime() - DAY),
      finishedAt: new Date(now.getTime() - DAY + 2_000),
    });
  }

  // Two QR orders left in review: the amount received was not the price.
  for (const i of [0, 1]) {
    const item = product(PURCHASES[i]!);
    rows.orders.push({
      id: newId("ord"),
      orderNo: newOrderNo(addDays(window.today, -(i + 1))),
      userId: buyers[i]!.id,
      productId: item.id,
      kind: "purchase",
      provider: "youzan",
      amountFen: item.priceFen,
      status: "review",
      reviewReason: "amount_mismatch",
      createdAt: new Date(now.getTime() - (i + 1) * DAY),
    });
  }

  rows.billingRuns.push(...demoRuns(now));
  rows.inbox.push(...demoInbox(now));

  await insertDemoRows(db, rows);
  return {
    revenue: [...revenue.values()].sort(
      (a, b) => a.day.localeCompare(b.day) || a.channel.localeCompare(b.channel),
    ),
    orders: rows.orders.length,
    agreements: rows.agreements.length,
  };
}

function randomDigits(n: number): string {
  let out = "";
  while (out.length < n) out += String(Math.floor(Math.random() * 1e9)).padStart(9, "0");
  return out.slice(0, n);
}

function demoRuns(now: Date): DemoRows["billingRuns"] {
  const runs: DemoRows["billingRuns"] = [];
  const report = (phase: string, processed: number, charged: number, declined: number) => ({
    phase,
    dryRun: false,
    processed,
    charged,
    declined,
    closed: 0,
    postponed: 0,
    unknown: 0,
    untouched: 0,
    hasMore: false,
    batches: 1,
  });
  for (let k = 0; k < 6; k++) {
    const startedAt = new Date(now.getTime() - k * DAY - HOUR);
    const phase = k % 2 === 0 ? "charge" : "retry";
    const failed = k === 3;
    const dryRun = k === 4;
    const summary = { ...report(phase, 3 + k, 2, 1), dryRun, runId: "" };
    const id = newId("run");
    summary.runId = id;
    runs.push({
      id,
      job: `billing:${phase}`,
      status: failed ? "failed" : "completed",
      dryRun,
      claimed: failed ? 0 : 3 + k,
      succeeded: failed || dryRun ? 0 : 2,
      failed: failed || dryRun ? 0 : 1,
      summary,
      error: failed ? "Error: Alipay gateway timed out after 10000 ms" : null,
      startedAt,
      finishedAt: new Date(startedAt.getTime() + 2_400 + k * 300),
    });
  }
  const reconcileAt = new Date(now.getTime() - 30 * 60_000);
  runs.push({
    id: newId("run"),
    job: "orders.reconcile",
    status: "completed",
    claimed: 4,
    succeeded: 1,
    failed: 0,
    summary: {
      inboxApplied: 2,
      inboxFailed: 0,
      inboxDead: 0,
      inboxPruned: 3,
      checked: 2,
      settled: 1,
      lateSettled: 0,
      expired: 1,
      providerErrors: 0,
      errors: 0,
      stoppedEarly: false,
    },
    startedAt: reconcileAt,
    finishedAt: new Date(reconcileAt.getTime() + 800),
  });
  return runs;
}

function youzanBody(type: string, status: string, tid: string): string {
  return JSON.stringify({
    client_id: "demo-client",
    id: tid,
    kdt_id: 1,
    kdt_name: "小铺",
    msg: encodeURIComponent(
      JSON.stringify({
        tid,
        status,
        buyer_info: { buyer_phone: "13812345678", fans_nickname: "演示买家" },
        qr_info: { qr_id: 100200300 },
      }),
    ).replace(/%20/g, "+"),
    msg_id: randomUUID(),
    sendCount: 1,
    sign: "5d41402abc4b2a76b9719d911017c592",
    status,
    type,
    version: Math.floor(Date.now() / 1000),
  });
}

function alipayBody(fields: Record<string, string>): string {
  return new URLSearchParams({
    notify_id: randomUUID().replaceAll("-", ""),
    charset: "UTF-8",
    version: "1.0",
    sign_type: "RSA2",
    sign: "b2JZ4Vx0demo+signature/AAAAB3NzaC1yc2EAAAADAQABAAABAQ==",
    ...fields,
  }).toString();
}

/** A stored body with its size and hash, as the pipeline records them. */
function withBody(body: string) {
  return {
    body,
    bodyBytes: Buffer.byteLength(body, "utf8"),
    bodySha256: createHash("sha256").update(body, "utf8").digest("hex"),
  };
}

function demoInbox(now: Date): DemoRows["inbox"] {
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
  const headers = {
    "content-type": "application/json",
    "event-sign": "9e107d9d372bb6826bd81d3542a419d6",
    "event-type": "trade_TradePaid",
  };
  const base = (minutesAgo: number) => ({
    id: newId("evt"),
    eventKey: `demo:${randomUUID()}`,
    signatureValid: true,
    receivedAt: at(minutesAgo),
    deliveries: 1,
  });
  return [
    {
      ...base(300),
      provider: "youzan",
      eventType: "trade_TradePaid",
      headers,
      ...withBody(youzanBody("trade_TradePaid", "TRADE_PAID", "E20261201093000000000001")),
      status: "processed",
      outcome: "settled",
      attempts: 1,
      processedAt: at(300),
    },
    {
      ...base(240),
      provider: "youzan",
      eventType: "trade_TradeCreate",
      headers: { ...headers, "event-type": "trade_TradeCreate" },
      ...withBody(youzanBody("trade_TradeCreate", "WAIT_BUYER_PAY", "E20261201093000000000002")),
      status: "ignored",
      outcome: "no_effect:trade_TradeCreate:WAIT_BUYER_PAY",
      attempts: 1,
      processedAt: at(240),
    },
    {
      ...base(180),
      provider: "youzan",
      eventType: "trade_TradePaid",
      headers,
      ...withBody(youzanBody("trade_TradePaid", "TRADE_PAID", "E20261201093000000000003")),
      status: "failed",
      outcome: "trade_not_visible_yet",
      attempts: 2,
    },
    {
      ...base(120),
      provider: "alipay",
      eventType: "trade:trade_status_sync",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      ...withBody(
        alipayBody({
          notify_type: "trade_status_sync",
          notify_time: "2026-12-01 10:00:00",
          app_id: "2021000000000000",
          out_trade_no: "XP20261201DEMODEMO00",
          trade_no: "2026120122001400000000000001",
          trade_status: "TRADE_SUCCESS",
          total_amount: "30.00",
          buyer_logon_id: "138****5678",
        }),
      ),
      status: "dead",
      outcome: "error",
      lastError: "Error: connect ECONNREFUSED 127.0.0.1:5432",
      attempts: 20,
      processedAt: at(100),
    },
    {
      ...base(90),
      provider: "alipay",
      eventType: "agreement:dut_user_sign",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      ...withBody(
        alipayBody({
          notify_type: "dut_user_sign",
          status: "NORMAL",
          agreement_no: "20261201000000000001",
          external_agreement_no: "XA20261201DEMO00000001",
          alipay_logon_id: "demo***@example.com",
          access_token: "demo-token-never-shown",
        }),
      ),
      status: "processed",
      outcome: "activated:charge_paid",
      attempts: 1,
      processedAt: at(90),
    },
    {
      ...base(60),
      provider: "youzan",
      eventKey: null,
      eventType: "trade_TradePaid",
      signatureValid: false,
      headers,
      ...withBody(youzanBody("trade_TradePaid", "TRADE_PAID", "E20261201093000000000004")),
      status: "rejected",
      outcome: "bad_signature",
      clientAddress: "203.0.113.7",
      processedAt: at(60),
    },
    {
      ...base(20),
      provider: "youzan",
      eventType: "trade_TradeSuccess",
      headers: { ...headers, "event-type": "trade_TradeSuccess" },
      ...withBody(youzanBody("trade_TradeSuccess", "TRADE_SUCCESS", "E20261201093000000000005")),
      status: "received",
    },
  ];
}
