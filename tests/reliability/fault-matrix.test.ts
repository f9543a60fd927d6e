import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { and, asc, count, eq, gt, inArray, sql } from "drizzle-orm";
import { connect as tcpConnect, type Socket } from "node:net";
import { NextRequest } from "next/server";
import postgres from "postgres";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { GET as billingCron } from "@/app/api/cron/billing/[phase]/route";
import { GET as reconcileCron } from "@/app/api/cron/orders/reconcile/route";
import { GET as health } from "@/app/api/health/route";
import { POST as alipayTradeRoute } from "@/app/api/webhooks/alipay/trade/route";
import { POST as youzanRoute } from "@/app/api/webhooks/youzan/route";
import { probeDatabase } from "@/db";
import { databaseGate, registerDatabaseProbe } from "@/db/availability";
import { openDatabase, type Db } from "@/db/client";
import {
  agreements,
  alipaySandboxCalls,
  alipaySandboxTrades,
  chargeAttempts,
  entitlements,
  notices,
  orders,
  payments,
  users,
  webhookInbox,
} from "@/db/schema";
import { runBillingPhase, type Phase, type RunReport } from "@/lib/billing/run";
import { DEFAULT_POLICY } from "@/lib/billing/schedule";
import { advanceClock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { json, route } from "@/lib/http/json";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { RETRY_DELAYS_MS, sendDueNotices, type NoticeDeps } from "@/lib/notices/send";
import { smtpTransport } from "@/lib/notices/transport";
import { checkYouzanOrder } from "@/lib/orders/check-status";
import { createPurchaseOrder } from "@/lib/orders/create-order";
import type { Order } from "@/db/schema";
import type { AlipayGateway } from "@/lib/payments/alipay";
import { startAppPay } from "@/lib/subscriptions/start";
import { handleYouzanPush } from "@/lib/webhooks/youzan";
import { proxy } from "@/proxy";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { UNPROXIED_ROUTES } from "@/lib/http/unproxied-route";
import { appPaths } from "../helpers/app-paths";
import { makeDueAgreements } from "../helpers/billing-fixtures";
import { atShanghaiHour, billingDeps } from "../helpers/billing-testbed";
import { seed, withTestDatabase } from "../helpers/db";
import { makeUser } from "../helpers/factories";
import { startSmtpServer } from "../helpers/smtp-server";
import { startTcpRelay } from "../helpers/tcp-proxy";
import { youzanTestbed, type YouzanTestbed } from "../helpers/youzan-testbed";
import { postNotify, signed, subscriber, tradeNote, type Subscriber } from "./faults/alipay";
import { runShopProcess, startShopProcess } from "./faults/processes";
import { clockedGateway, startPushCatcher, tradePaidPush } from "./faults/youzan";
import { inboxTally, invariantViolations } from "./invariants";

/*
 * Issue #14, the fault matrix: one row per fault, each induced through the shop's real code
 * paths (webhook pipelines and routes, settlement, billing phases, the reconcile job) against
 * the in-repo Youzan and Alipay sandboxes and their fault controls, on PostgreSQL. Every row
 * checks its own counts, then the invariants over the whole database (./invariants.ts): no paid
 * trade without exactly one paid order and one grant, no period charged twice, no notice written
 * or sent twice, no unverified delivery applied — and each row checks that the inbox holds
 * every delivery the shop answered.
 *
 * The whole file reaches PostgreSQL through a TCP relay (tests/helpers/tcp-proxy.ts), set up
 * before the shop's env is first read, so that one row can stop "PostgreSQL" under the shop's
 * own pool (`getDb()`) and start it again without touching the server other tests share.
 */

const DIRECT_URL =
  process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test_reliability";
const target = new URL(DIRECT_URL);
const relay = await startTcpRelay({ host: target.hostname, port: Number(target.port || 5432) });
process.env.DATABASE_URL = relay.url(DIRECT_URL);
afterAll(async () => {
  await relay.setMode("forward");
  await relay.close();
});

const t = withTestDatabase();
const db = () => t.db();
const DAY = 86_400;
const PAY = "alipay.trade.pay";
/** How long a billing run whose connection was terminated may take to end (see that row). */
const HUNG_RUN_MS = 15_000;

interface FaultContext {
  db: Db;
  /** Runs after the row, pass or fail (testbeds, servers, processes). */
  defer(cleanup: () => Promise<unknown> | unknown): void;
}

interface FaultRow {
  fault: string;
  keeps: string;
  run: (ctx: FaultContext) => Promise<void>;
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

// ---------------------------------------------------------------------------------------------
// Youzan purchases
// ---------------------------------------------------------------------------------------------

interface Shop {
  bed: YouzanTestbed;
  buyerId: string;
  order(): Promise<Order>;
  reload(id: string): Promise<Order>;
  /** Runs the sandbox's delivery loop (pushes 1 s apart need the clock). */
  deliverAll(steps?: number): Promise<void>;
}

async function youzanShop(
  ctx: FaultContext,
  options: Parameters<typeof youzanTestbed>[1] = {},
): Promise<Shop> {
  await seed(ctx.db);
  const buyerId = (await makeUser(ctx.db)).id;
  const bed = await youzanTestbed(ctx.db, options);
  ctx.defer(() => bed.close());
  return {
    bed,
    buyerId,
    order: () =>
      createPurchaseOrder(bed.deps, { userId: buyerId, productSlug: "side-hustle-handbook" }),
    reload: async (id) => {
      const [order] = await ctx.db.select().from(orders).where(eq(orders.id, id));
      if (!order) throw new Error(`no order ${id}`);
      return order;
    },
    deliverAll: async (steps = 4) => {
      for (let i = 0; i < steps; i++) {
        await bed.sandbox.tick();
        bed.clock.advance(2);
      }
      await bed.settle();
    },
  };
}

/** Exactly one paid order, one paying trade, one grant, one buyer notice for `orderId`. */
async function expectPaidOnce(orderId: string) {
  const [order] = await db().select().from(orders).where(eq(orders.id, orderId));
  expect(order?.status).toBe("paid");
  expect(await db().$count(payments, eq(payments.orderId, orderId))).toBe(1);
  expect(
    await db().$count(payments, and(eq(payments.orderId, orderId), eq(payments.status, "paid"))),
  ).toBe(1);
  expect(await db().$count(entitlements, eq(entitlements.orderId, orderId))).toBe(1);
  expect(
    await db().$count(
      notices,
      and(
        eq(notices.eventKey, `order:${orderId}`),
        inArray(notices.kind, ["receipt", "membership_started"]),
      ),
    ),
  ).toBe(1);
}

/** Nothing paid or granted for `orderId` yet. */
async function expectUnpaid(orderId: string) {
  const [order] = await db().select().from(orders).where(eq(orders.id, orderId));
  expect(order?.status).toBe("pending");
  expect(await db().$count(payments, eq(payments.orderId, orderId))).toBe(0);
  expect(await db().$count(entitlements, eq(entitlements.orderId, orderId))).toBe(0);
}

/** Every delivery the shop's webhook answered is in the inbox (redeliveries counted). */
async function expectInboxHoldsEveryYouzanReply(bed: YouzanTestbed) {
  expect((await inboxTally(db(), "youzan")).deliveries).toBe(bed.replies.length);
}

/** The msg_id of the sandbox's push of `type` (one trade per row). */
async function pushMsgId(bed: YouzanTestbed, type: string): Promise<string> {
  const push = (await bed.sandbox.stats()).pushes.find((p) => p.type === type);
  if (!push?.msgId) throw new Error(`no ${type} push`);
  return push.msgId;
}

const inboxRow = async (provider: "youzan" | "alipay", eventKey: string) =>
  (
    await db()
      .select()
      .from(webhookInbox)
      .where(and(eq(webhookInbox.provider, provider), eq(webhookInbox.eventKey, eventKey)))
  )[0];

/** A provider that failed the push's apply: acknowledged, left open, applied by the job later. */
async function failedThenReconciled(
  ctx: FaultContext,
  fault: (shop: Shop) => Promise<void>,
  cure: (shop: Shop) => Promise<void>,
) {
  const shop = await youzanShop(ctx);
  shop.bed.deps.youzan = clockedGateway(shop.bed, 200);
  const o = await shop.order();
  await fault(shop);
  await shop.bed.sandbox.pay({ qrId: o.qrId! });
  await shop.deliverAll(2);
  // Acknowledged (recorded), but not applied: the row waits for the reconcile job.
  expect(shop.bed.replies.length).toBeGreaterThanOrEqual(2);
  expect(shop.bed.replies.every((r) => r.status === 200)).toBe(true);
  const paidKey = await pushMsgId(shop.bed, "trade_TradePaid");
  expect(await inboxRow("youzan", paidKey)).toMatchObject({ status: "failed", attempts: 1 });
  await expectUnpaid(o.id);

  await cure(shop);
  const summary = await reconcileOrders(shop.bed.deps, { elapsed: () => 0 });
  expect(summary.inboxApplied + summary.settled).toBeGreaterThanOrEqual(1);
  await expectPaidOnce(o.id);
  expect(await inboxRow("youzan", paidKey)).toMatchObject({ status: "processed", attempts: 2 });
  // The next run and the rest of Youzan's pushes change nothing.
  await reconcileOrders(shop.bed.deps, { elapsed: () => 0 });
  await shop.deliverAll(2);
  await expectPaidOnce(o.id);
  await expectInboxHoldsEveryYouzanReply(shop.bed);
}

// ---------------------------------------------------------------------------------------------
// Alipay memberships
// ---------------------------------------------------------------------------------------------

async function alipayBed(ctx: FaultContext, options: { timeoutMs?: number } = {}) {
  await seed(ctx.db);
  const bed = await alipayTestbed(ctx.db, options);
  ctx.defer(() => bed.close());
  await atShanghaiHour(bed, 10);
  return bed;
}

/** Every delivery Alipay's notifications made to the shop is in the inbox. */
async function expectInboxHoldsEveryAlipayReply(bed: AlipayTestbed) {
  expect((await inboxTally(db(), "alipay")).deliveries).toBe(bed.replies.length);
}

const sandboxCalls = (method: string) =>
  db().$count(alipaySandboxCalls, eq(alipaySandboxCalls.method, method));

const periodOrder = async (agreementId: string, period: number) =>
  (
    await db()
      .select()
      .from(orders)
      .where(and(eq(orders.agreementId, agreementId), eq(orders.periodIndex, period)))
  )[0];

const attemptsOf = (agreementId: string, period: number) =>
  db()
    .select()
    .from(chargeAttempts)
    .where(and(eq(chargeAttempts.agreementId, agreementId), eq(chargeAttempts.periodIndex, period)))
    .orderBy(asc(chargeAttempts.attemptNo));

const sandboxTradesOf = (agreementNo: string) =>
  db()
    .select()
    .from(alipaySandboxTrades)
    .where(
      and(
        eq(alipaySandboxTrades.agreementNo, agreementNo),
        eq(alipaySandboxTrades.status, "TRADE_SUCCESS"),
      ),
    );

async function phase(
  bed: AlipayTestbed,
  name: Phase,
  over: Partial<ReturnType<typeof billingDeps>> = {},
) {
  return (await runBillingPhase({ ...billingDeps(bed), ...over }, name)) as RunReport;
}

/** Every phase once, as the daily crons would; the trade.pay calls they made. */
async function everyPhase(bed: AlipayTestbed): Promise<number> {
  const before = await sandboxCalls(PAY);
  for (const name of ["charge", "retry", "postpone", "reconcile"] as const) {
    await phase(bed, name);
  }
  await bed.deliver();
  return (await sandboxCalls(PAY)) - before;
}

/** Period `period` of `s` paid exactly once: one order, one success, one trade at Alipay. */
async function expectPeriodChargedOnce(bed: AlipayTestbed, s: Subscriber, period: number) {
  const order = await periodOrder(s.agreementId, period);
  expect(order?.status).toBe("paid");
  const attempts = await attemptsOf(s.agreementId, period);
  expect(attempts.filter((a) => a.status === "succeeded")).toHaveLength(1);
  const outTradeNos = new Set(attempts.map((a) => a.outTradeNo));
  const trades = (await sandboxTradesOf(s.agreementNo)).filter((tr) =>
    outTradeNos.has(tr.outTradeNo),
  );
  expect(trades).toHaveLength(1);
  expect(await db().$count(entitlements, eq(entitlements.orderId, order!.id))).toBe(1);
  expect(await db().$count(payments, eq(payments.orderId, order!.id))).toBe(1);
}

/** A buyer three days before period 2 falls due (the weekly plan's first attempt day). */
async function dueSubscriber(bed: AlipayTestbed): Promise<Subscriber> {
  const s = await subscriber(bed, db());
  await bed.advance(3 * DAY);
  return s;
}

async function inject(bed: AlipayTestbed, body: Record<string, unknown>) {
  const answer = await bed.control("faults", body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/** The app flow up to the sandbox app's answer (paid and signed), notifications not delivered. */
async function paidInApp(bed: AlipayTestbed) {
  const userId = (await makeUser(db())).id;
  const started = await startAppPay(bed.deps, { userId, productSlug: "membership-weekly" });
  const answer = await bed.control("app-pay", {
    orderStr: started.orderStr,
    action: "pay_and_sign",
  });
  expect(answer.status).toBe(200);
  return { userId, orderNo: started.orderNo };
}

/** After the app flow: one paid order, one grant, one active agreement, period 1 never charged. */
async function expectAppFlowOnce(userId: string) {
  const own = await db().select().from(orders).where(eq(orders.userId, userId));
  expect(own.map((o) => [o.kind, o.status, o.periodIndex])).toEqual([
    ["membership_initial", "paid", 1],
  ]);
  expect(await db().$count(payments, eq(payments.orderId, own[0]!.id))).toBe(1);
  expect(await db().$count(entitlements, eq(entitlements.userId, userId))).toBe(1);
  const [agreement] = await db().select().from(agreements).where(eq(agreements.userId, userId));
  expect(agreement).toMatchObject({ status: "active", paidPeriods: 1, currentPeriod: 2 });
  expect(await db().$count(chargeAttempts, eq(chargeAttempts.agreementId, agreement!.id))).toBe(0);
  expect(
    await db().$count(
      notices,
      and(eq(notices.eventKey, `order:${own[0]!.id}`), eq(notices.kind, "membership_started")),
    ),
  ).toBe(1);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL, processes, SMTP
// ---------------------------------------------------------------------------------------------

/** Polls (20 ms steps) until `check` holds or `ms` pass; the caller asserts afterwards. */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check()) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A connection of its own, outside every pool under test (locks, pg_terminate_backend). */
function sideConnection(ctx: FaultContext) {
  const side = postgres(DIRECT_URL, { max: 1, onnotice: () => {} });
  ctx.defer(() => side.end({ timeout: 1 }));
  return side;
}

/**
 * Errors thrown outside every promise, and promises rejected with nobody to hear it, while a row
 * runs: either ends a process that does not catch them (a CLI, a worker; Next's server logs them).
 */
function catchUncaught(ctx: FaultContext): unknown[] {
  const caught: unknown[] = [];
  const listener = (error: unknown) => caught.push(error);
  process.on("uncaughtException", listener);
  process.on("unhandledRejection", listener);
  ctx.defer(() => {
    process.off("uncaughtException", listener);
    process.off("unhandledRejection", listener);
  });
  return caught;
}

/**
 * A postgres.js pool of one connection on sockets the row makes (postgres.js's `socket` option,
 * not in its types): `open(attempt)` gives the socket of the 1st, 2nd… connection, handed to the
 * driver once connected, or at once when `unconnected` (as the driver's own are).
 */
function poolOnOwnSockets(
  ctx: FaultContext,
  open: (attempt: number) => { socket: Socket; unconnected?: boolean } = () => ({
    socket: toPostgres(),
  }),
) {
  let attempts = 0;
  /** Every socket handed over, the newest last. */
  const sockets: Socket[] = [];
  const client = postgres(DIRECT_URL, {
    max: 1,
    connect_timeout: 2,
    onnotice: () => {},
    ...({
      socket: () =>
        new Promise<Socket>((resolve, reject) => {
          const { socket, unconnected } = open(++attempts);
          sockets.push(socket);
          if (unconnected) return resolve(socket);
          socket.once("connect", () => resolve(socket));
          socket.once("error", reject);
        }),
    } as object),
  });
  ctx.defer(() => client.end({ timeout: 1 }));
  return { client, sockets, attempts: () => attempts };
}

/** The shop's own client (db/client.ts) with one connection named `appName`, watched from aside. */
async function watchedPoolOfOne(ctx: FaultContext, appName: string) {
  const handle = await openDatabase({ kind: "postgres", url: withAppName(appName), poolMax: 1 });
  ctx.defer(() => handle.close());
  const side = sideConnection(ctx);
  return {
    handle,
    side,
    /** Waits until that connection runs `pg_sleep`. */
    sleeping: () =>
      eventually(
        async () =>
          (
            await side`select count(*)::int as n from pg_stat_activity
                       where application_name = ${appName} and query like '%pg_sleep%'`
          )[0]!.n > 0,
      ),
  };
}

const toPostgres = () => tcpConnect(Number(target.port || 5432), target.hostname);

const withAppName = (name: string) => {
  const url = new URL(DIRECT_URL);
  url.searchParams.set("application_name", name);
  return url.toString();
};

interface RouteCall {
  name: string;
  call: () => Promise<Response>;
  /** Its answer while the database serves. */
  healthy: number;
}

/** Route handlers of the payment core, called as Next calls them. */
function coreRoutes(): RouteCall[] {
  const cron = { authorization: `Bearer ${getEnv().cronSecret}` };
  const forged = JSON.stringify({
    client_id: getEnv().youzan.clientId,
    type: "trade_TradePaid",
    msg_id: "forged-under-traffic",
    msg: "%7B%7D",
    kdt_id: 1,
    id: "E1",
    version: 1,
  });
  return [
    {
      name: "GET /api/health",
      healthy: 200,
      call: () => health(new Request("http://shop.test/api/health"), undefined),
    },
    {
      name: "POST /api/webhooks/youzan (bad signature)",
      healthy: 401,
      call: () =>
        youzanRoute(
          new Request("http://shop.test/api/webhooks/youzan", {
            method: "POST",
            headers: { "content-type": "application/json", "event-sign": "0".repeat(32) },
            body: forged,
          }),
          undefined,
        ),
    },
    {
      name: "POST /api/webhooks/alipay/trade (unsigned)",
      healthy: 400,
      call: () =>
        alipayTradeRoute(
          new Request("http://shop.test/api/webhooks/alipay/trade", {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: "notify_id=under-traffic&sign=eA%3D%3D&out_trade_no=XP1",
          }),
          undefined as never,
        ),
    },
    {
      name: "GET /api/cron/orders/reconcile",
      healthy: 200,
      call: () =>
        reconcileCron(
          new Request("http://shop.test/api/cron/orders/reconcile", { headers: cron }),
          undefined,
        ),
    },
    {
      name: "GET /api/cron/billing/charge",
      healthy: 200,
      call: () =>
        billingCron(new Request("http://shop.test/api/cron/billing/charge", { headers: cron }), {
          params: Promise.resolve({ phase: "charge" }),
        }),
    },
  ];
}

function pageRequest(pathname: string, page: boolean, method = "GET"): NextRequest {
  return new NextRequest(new URL(pathname, "http://shop.test"), {
    method,
    headers: page ? { accept: "text/html" } : { accept: "application/json" },
  });
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

const FAULTS: FaultRow[] = [
  {
    fault: "Youzan push lost",
    keeps: "the buyer's poll settles it: one paid order, one grant; the reconcile job adds nothing",
    run: async (ctx) => {
      const shop = await youzanShop(ctx);
      await shop.bed.sandbox.setFaults({ pushLost: true });
      const o = await shop.order();
      await shop.bed.sandbox.pay({ qrId: o.qrId! });
      await shop.deliverAll();
      expect(shop.bed.replies).toHaveLength(0);
      expect((await shop.bed.sandbox.stats()).pushes.map((p) => p.status)).toEqual([
        "lost",
        "lost",
        "lost",
      ]);
      await expectUnpaid(o.id);
      expect(await checkYouzanOrder(shop.bed.deps, await shop.reload(o.id))).toEqual({
        checked: true,
        outcome: "settled",
      });
      await expectPaidOnce(o.id);
      shop.bed.clock.advance(60);
      const summary = await reconcileOrders(shop.bed.deps, { elapsed: () => 0 });
      expect(summary).toMatchObject({ settled: 0, inboxApplied: 0 });
      await expectPaidOnce(o.id);
      expect(await inboxTally(db(), "youzan")).toEqual({ rows: 0, deliveries: 0 });
    },
  },
  {
    fault: "Youzan push duplicated ×5",
    keeps: "6 deliveries of each push → one inbox row counting 6, applied once",
    run: async (ctx) => {
      const shop = await youzanShop(ctx);
      await shop.bed.sandbox.setFaults({ pushDuplicates: 5 });
      const o = await shop.order();
      await shop.bed.sandbox.pay({ qrId: o.qrId! });
      await shop.deliverAll();
      // Create, paid and success pushes, each sent 6 times.
      expect(shop.bed.replies).toHaveLength(18);
      expect(shop.bed.replies.every((r) => r.status === 200)).toBe(true);
      const paidKey = await pushMsgId(shop.bed, "trade_TradePaid");
      expect(await inboxTally(db(), "youzan", paidKey)).toEqual({ rows: 1, deliveries: 6 });
      expect(await inboxRow("youzan", paidKey)).toMatchObject({
        status: "processed",
        outcome: "settled",
      });
      expect(await inboxTally(db(), "youzan")).toEqual({ rows: 3, deliveries: 18 });
      await expectPaidOnce(o.id);
    },
  },
  {
    fault: "Youzan pushes out of order",
    keeps: "TradeSuccess before TradePaid before TradeCreate: one paid order, one grant",
    run: async (ctx) => {
      const shop = await youzanShop(ctx);
      await shop.bed.sandbox.setFaults({ pushOutOfOrder: true });
      const o = await shop.order();
      await shop.bed.sandbox.pay({ qrId: o.qrId! });
      await shop.deliverAll();
      const rows = await db()
        .select()
        .from(webhookInbox)
        .orderBy(asc(webhookInbox.receivedAt), asc(webhookInbox.id));
      // Success and paid come in one round, back to front; the create push comes last.
      expect(rows.map((r) => r.eventType)).toHaveLength(3);
      expect(new Set(rows.slice(0, 2).map((r) => r.eventType))).toEqual(
        new Set(["trade_TradeSuccess", "trade_TradePaid"]),
      );
      expect(rows[2]!.eventType).toBe("trade_TradeCreate");
      expect(shop.bed.replies).toHaveLength(3);
      expect(rows.every((r) => r.status === "processed" || r.status === "ignored")).toBe(true);
      await expectPaidOnce(o.id);
      await expectInboxHoldsEveryYouzanReply(shop.bed);
    },
  },
  {
    fault: "Youzan push early (trade not queryable yet)",
    keeps: "acknowledged and kept open; the reconcile job applies it once the trade is visible",
    run: async (ctx) => {
      const shop = await youzanShop(ctx);
      await shop.bed.sandbox.setFaults({ tradeVisibleAfterSeconds: 60 });
      const o = await shop.order();
      await shop.bed.sandbox.pay({ qrId: o.qrId! });
      await shop.deliverAll(2);
      const paidKey = await pushMsgId(shop.bed, "trade_TradePaid");
      expect(await inboxRow("youzan", paidKey)).toMatchObject({
        status: "failed",
        outcome: "trade_not_visible_yet",
      });
      expect(shop.bed.replies.every((r) => r.status === 200)).toBe(true);
      await expectUnpaid(o.id);
      shop.bed.clock.advance(61);
      await reconcileOrders(shop.bed.deps, { elapsed: () => 0 });
      await expectPaidOnce(o.id);
      expect(await inboxRow("youzan", paidKey)).toMatchObject({ status: "processed" });
      await expectInboxHoldsEveryYouzanReply(shop.bed);
    },
  },
  {
    fault: "Youzan push with a bad signature",
    keeps: "401, recorded as rejected, nothing changes; the genuine push then pays once",
    run: async (ctx) => {
      const shop = await youzanShop(ctx);
      const o = await shop.order();
      await shop.bed.sandbox.pay({ qrId: o.qrId! });
      const forged = tradePaidPush(shop.bed, {
        qrId: o.qrId!,
        msgId: "forged-1",
        forgedWith: "not-the-secret",
      });
      const reply = await fetch(`${shop.bed.server.url}/api/webhooks/youzan`, {
        method: "POST",
        headers: forged.headers,
        body: forged.body,
      });
      expect(reply.status).toBe(401);
      const rejected = await db()
        .select()
        .from(webhookInbox)
        .where(eq(webhookInbox.status, "rejected"));
      expect(rejected).toMatchObject([
        { outcome: "bad_signature", signatureValid: false, eventKey: null },
      ]);
      await expectUnpaid(o.id);
      await shop.deliverAll();
      await expectPaidOnce(o.id);
      expect(await db().$count(webhookInbox, eq(webhookInbox.status, "rejected"))).toBe(1);
      await expectInboxHoldsEveryYouzanReply(shop.bed);
    },
  },
  {
    fault: "Youzan token revoked",
    keeps: "the client mints one new token and the push is applied in the same request",
    run: async (ctx) => {
      const shop = await youzanShop(ctx);
      const o = await shop.order();
      await shop.bed.sandbox.pay({ qrId: o.qrId! });
      const minted = (await shop.bed.sandbox.stats()).tokensIssued;
      await shop.bed.sandbox.revokeTokens();
      await shop.deliverAll();
      expect((await shop.bed.sandbox.stats()).tokensIssued).toBe(minted + 1);
      const paidKey = await pushMsgId(shop.bed, "trade_TradePaid");
      expect(await inboxRow("youzan", paidKey)).toMatchObject({
        status: "processed",
        outcome: "settled",
        attempts: 1,
      });
      await expectPaidOnce(o.id);
      await expectInboxHoldsEveryYouzanReply(shop.bed);
    },
  },
  {
    fault: "Youzan 4101 (rate limited)",
    keeps: "the push is acknowledged and kept open; after the back-off the job applies it once",
    run: (ctx) =>
      failedThenReconciled(
        ctx,
        (shop) => shop.bed.sandbox.setFaults({ rateLimitNextCalls: 1 }).then(() => {}),
        async (shop) => {
          // The client's 4101 back-off (3 s, on the test clock) is over.
          shop.bed.clock.advance(60);
        },
      ),
  },
  {
    fault: "Youzan 5xx",
    keeps: "502s from the gateway leave the pushes open; once it answers the job applies them once",
    run: (ctx) =>
      failedThenReconciled(
        ctx,
        (shop) =>
          shop.bed.sandbox
            .setFaults({ brokenNextCalls: 1_000, brokenResponse: "http502" })
            .then(() => {}),
        async (shop) => {
          await shop.bed.sandbox.setFaults({ brokenNextCalls: 0 });
          shop.bed.clock.advance(60);
        },
      ),
  },
  {
    fault: "Youzan slow responses",
    keeps: "the client gives up after its timeout, the push stays open; applied once later",
    run: (ctx) =>
      failedThenReconciled(
        ctx,
        // Slower than the client's 200 ms timeout (clockedGateway in failedThenReconciled).
        (shop) => shop.bed.sandbox.setFaults({ slowMs: 600 }).then(() => {}),
        async (shop) => {
          await shop.bed.sandbox.setFaults({ slowMs: 0 });
          shop.bed.clock.advance(60);
        },
      ),
  },
  {
    fault: "Alipay notify duplicated",
    keeps: "every notification sent twice: each inbox row counts 2, applied once",
    run: async (ctx) => {
      const bed = await alipayBed(ctx);
      await inject(bed, { duplicateAfterSuccess: true });
      const { userId } = await paidInApp(bed);
      expect(await bed.deliver()).toMatchObject({ delivered: 4, failed: 0 });
      const rows = await db().select().from(webhookInbox);
      expect(rows.map((r) => [r.status, r.deliveries, r.attempts])).toEqual([
        ["processed", 2, 1],
        ["processed", 2, 1],
      ]);
      await expectAppFlowOnce(userId);
      await expectInboxHoldsEveryAlipayReply(bed);
    },
  },
  {
    fault: "Alipay notify reordered",
    keeps: "sign before trade, then both replayed in reverse: one paid order, one active agreement",
    run: async (ctx) => {
      const bed = await alipayBed(ctx);
      await inject(bed, { signBeforeTrade: true });
      const { userId } = await paidInApp(bed);
      await bed.deliver();
      expect(bed.replies.map((r) => r.destination)).toEqual(["agreement", "trade"]);
      // The stored notifications again, newest first (a redelivery overtaking nothing).
      const rows = await db()
        .select()
        .from(webhookInbox)
        .orderBy(asc(webhookInbox.receivedAt), asc(webhookInbox.id));
      for (const row of [...rows].reverse()) {
        const destination = row.eventType!.split(":")[0] as "trade" | "agreement";
        expect(await postNotify(bed, destination, row.body)).toEqual({
          status: 200,
          body: "success",
        });
      }
      await bed.settle();
      expect(
        (await db().select().from(webhookInbox)).map((r) => [r.status, r.deliveries, r.attempts]),
      ).toEqual([
        ["processed", 2, 1],
        ["processed", 2, 1],
      ]);
      await expectAppFlowOnce(userId);
      expect(bed.replies).toHaveLength(4);
      await expectInboxHoldsEveryAlipayReply(bed);
    },
  },
  {
    fault: "Alipay notify with a bad signature",
    keeps: "400 `fail`, recorded as rejected, nothing paid; the genuine one pays once",
    run: async (ctx) => {
      const bed = await alipayBed(ctx);
      const userId = (await makeUser(db())).id;
      const { orderNo } = await startAppPay(bed.deps, { userId, productSlug: "membership-weekly" });
      const other = (await import("node:crypto"))
        .generateKeyPairSync("rsa", { modulusLength: 2048 })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString();
      const forged = signed(await tradeNote(bed, orderNo), other);
      expect(await postNotify(bed, "trade", forged)).toEqual({ status: 400, body: "fail" });
      expect(await db().select().from(webhookInbox)).toMatchObject([
        { status: "rejected", signatureValid: false, outcome: "bad_signature" },
      ]);
      const [pending] = await db().select().from(orders).where(eq(orders.orderNo, orderNo));
      expect(pending!.status).toBe("pending");
      expect(await db().$count(payments)).toBe(0);

      const genuine = signed(await tradeNote(bed, orderNo), bed.sandbox.keys.alipayPrivateKeyPem);
      expect(await postNotify(bed, "trade", genuine)).toEqual({ status: 200, body: "success" });
      expect(await postNotify(bed, "trade", genuine)).toEqual({ status: 200, body: "success" });
      expect(await inboxRow("alipay", `alipay:${genuine.notify_id}`)).toMatchObject({
        status: "processed",
        outcome: "settled",
        deliveries: 2,
      });
      await expectPaidOnce(pending!.id);
      await expectInboxHoldsEveryAlipayReply(bed);
    },
  },
  {
    fault: "Alipay notify with a wrong amount",
    keeps: "acknowledged, ignored with the reason, nothing paid; the right amount pays once",
    run: async (ctx) => {
      const bed = await alipayBed(ctx);
      const userId = (await makeUser(db())).id;
      const { orderNo } = await startAppPay(bed.deps, { userId, productSlug: "membership-weekly" });
      const key = bed.sandbox.keys.alipayPrivateKeyPem;
      const wrong = signed(await tradeNote(bed, orderNo, { total_amount: "0.01" }), key);
      expect(await postNotify(bed, "trade", wrong)).toEqual({ status: 200, body: "success" });
      expect(await inboxRow("alipay", `alipay:${wrong.notify_id}`)).toMatchObject({
        status: "ignored",
        outcome: "amount_mismatch: received ¥0.01, expected ¥9.90",
      });
      const [pending] = await db().select().from(orders).where(eq(orders.orderNo, orderNo));
      expect(pending!.status).toBe("pending");
      expect(await db().$count(payments)).toBe(0);
      expect(await db().$count(entitlements)).toBe(0);

      const right = signed(await tradeNote(bed, orderNo), key);
      expect(await postNotify(bed, "trade", right)).toEqual({ status: 200, body: "success" });
      await expectPaidOnce(pending!.id);
      await expectInboxHoldsEveryAlipayReply(bed);
    },
  },
  {
    fault: "trade.pay timeout, committed at Alipay",
    keeps: "unknown → trade.query on the same out_trade_no → paid once; no second trade.pay",
    run: async (ctx) => {
      const bed = await alipayBed(ctx, { timeoutMs: 300 });
      const s = await dueSubscriber(bed);
      await inject(bed, { slowMs: 1_200 });
      await inject(bed, { inject: { method: PAY, kind: "slow" } });
      const report = await phase(bed, "charge");
      expect(report).toMatchObject({ processed: 1, declined: 0 });
      expect(report.charged + report.unknown).toBe(1);
      if (report.unknown === 1) {
        await bed.advance(DEFAULT_POLICY.stalePendingMs / 1000 + 6 * 60);
        expect(await phase(bed, "reconcile")).toMatchObject({ charged: 1 });
      }
      await bed.deliver();
      // The sandbox records the slow call when it has answered, after the client gave up.
      await eventually(async () => (await sandboxCalls(PAY)) === 2);
      for (let day = 0; day < 3; day++) {
        await bed.advance(DAY);
        expect(await everyPhase(bed)).toBe(0);
      }
      expect(await sandboxCalls(PAY)).toBe(2);
      expect((await attemptsOf(s.agreementId, 2)).map((a) => [a.attemptNo, a.status])).toEqual([
        [1, "succeeded"],
      ]);
      await expectPeriodChargedOnce(bed, s, 2);
      await expectInboxHoldsEveryAlipayReply(bed);
    },
  },
  {
    fault: "trade.pay timeout, not committed (request lost on the way)",
    keeps: "unknown → asked later: not found → retried next day with a new number, charged once",
    run: async (ctx) => {
      const bed = await alipayBed(ctx);
      const s = await dueSubscriber(bed);
      // The client reaches Alipay through a relay that swallows everything (a partition).
      const gatewayUrl = new URL(bed.clientConfig.gatewayUrl);
      const link = await startTcpRelay({ host: "127.0.0.1", port: Number(gatewayUrl.port) });
      ctx.defer(() => link.close());
      const { createAlipayGateway } = await import("@/lib/payments/alipay");
      const cut: AlipayGateway = createAlipayGateway({
        ...bed.clientConfig,
        gatewayUrl: link.url(bed.clientConfig.gatewayUrl),
        timeoutMs: 200,
      });
      await link.setMode("blackhole");
      const deps = billingDeps(bed);
      const report = await phase(bed, "charge", { alipay: { ...deps.alipay, gateway: cut } });
      expect(report).toMatchObject({ processed: 1, charged: 0, unknown: 1 });
      expect((await attemptsOf(s.agreementId, 2)).map((a) => a.status)).toEqual(["unknown"]);
      expect(await sandboxCalls(PAY)).toBe(1);
      // Nothing charges an unknown period before it is asked about.
      for (const name of ["charge", "retry"] as const) {
        expect(await phase(bed, name)).toMatchObject({ processed: 0, charged: 0 });
      }
      await link.setMode("forward");
      expect(await phase(bed, "reconcile")).toMatchObject({ processed: 1, declined: 1 });
      await bed.advance(DAY);
      expect(await phase(bed, "retry")).toMatchObject({ processed: 1, charged: 1 });
      await bed.deliver();
      const order2 = (await periodOrder(s.agreementId, 2))!;
      expect(
        (await attemptsOf(s.agreementId, 2)).map((a) => [a.attemptNo, a.status, a.outTradeNo]),
      ).toEqual([
        [1, "failed", order2.orderNo],
        [2, "succeeded", `${order2.orderNo}R2`],
      ]);
      await bed.advance(DAY);
      expect(await everyPhase(bed)).toBe(0);
      expect(await sandboxCalls(PAY)).toBe(2);
      await expectPeriodChargedOnce(bed, s, 2);
    },
  },
  {
    fault: "ACQ.SYSTEM_ERROR, the charge took effect",
    keeps: "asked at once with trade.query: paid in the same run, never charged again",
    run: async (ctx) => {
      const bed = await alipayBed(ctx);
      const s = await dueSubscriber(bed);
      await inject(bed, { inject: { method: PAY, kind: "system_error", committed: true } });
      expect(await phase(bed, "charge")).toMatchObject({ processed: 1, charged: 1, unknown: 0 });
      await bed.deliver();
      for (let day = 0; day < 3; day++) {
        await bed.advance(DAY);
        expect(await everyPhase(bed)).toBe(0);
      }
      expect(await sandboxCalls(PAY)).toBe(2);
      await expectPeriodChargedOnce(bed, s, 2);
      await expectInboxHoldsEveryAlipayReply(bed);
    },
  },
  {
    fault: "ACQ.SYSTEM_ERROR, nothing charged",
    keeps: "declined, retried the next day with a new out_trade_no, charged once",
    run: async (ctx) => {
      const bed = await alipayBed(ctx);
      const s = await dueSubscriber(bed);
      await inject(bed, { inject: { method: PAY, kind: "system_error", committed: false } });
      expect(await phase(bed, "charge")).toMatchObject({ processed: 1, declined: 1, charged: 0 });
      expect(await everyPhase(bed)).toBe(0);
      await bed.advance(DAY);
      expect(await phase(bed, "retry")).toMatchObject({ processed: 1, charged: 1 });
      await bed.deliver();
      await bed.advance(DAY);
      expect(await everyPhase(bed)).toBe(0);
      expect((await attemptsOf(s.agreementId, 2)).map((a) => [a.attemptNo, a.status])).toEqual([
        [1, "failed"],
        [2, "succeeded"],
      ]);
      expect(await sandboxCalls(PAY)).toBe(3);
      await expectPeriodChargedOnce(bed, s, 2);
    },
  },
  {
    fault: "agreement unsigned between runs",
    keeps: "period 2 charged once; after the wallet unsign no period is ever charged again",
    run: async (ctx) => {
      const bed = await alipayBed(ctx);
      const s = await dueSubscriber(bed);
      expect(await phase(bed, "charge")).toMatchObject({ charged: 1 });
      await bed.deliver();
      const unsign = await bed.control("unsign", { agreementNo: s.agreementNo });
      expect(unsign.status).toBe(200);
      await bed.deliver();
      const [ended] = await db().select().from(agreements).where(eq(agreements.id, s.agreementId));
      expect(ended).toMatchObject({ status: "unsigned", autoRenew: false });
      for (let day = 0; day < 16; day++) {
        await bed.advance(DAY);
        expect(await everyPhase(bed)).toBe(0);
      }
      expect(await sandboxCalls(PAY)).toBe(2);
      expect(await db().$count(chargeAttempts, eq(chargeAttempts.periodIndex, 3))).toBe(0);
      expect(await periodOrder(s.agreementId, 3)).toBeUndefined();
      await expectPeriodChargedOnce(bed, s, 2);
      expect(await db().$count(entitlements, eq(entitlements.userId, s.userId))).toBe(2);
      expect(
        await db().$count(
          notices,
          and(eq(notices.userId, s.userId), eq(notices.kind, "auto_renew_cancelled")),
        ),
      ).toBe(1);
      await expectInboxHoldsEveryAlipayReply(bed);
    },
  },
  {
    fault: "PostgreSQL restarted under traffic",
    keeps: "every route answers 503 (never 500) while it is down; the shop heals by itself",
    run: async (ctx) => {
      registerDatabaseProbe(probeDatabase);
      const routes = coreRoutes();
      // Healthy first: each route's own answer (and the runtime built).
      for (const route of routes) {
        expect((await route.call()).status, route.name).toBe(route.healthy);
      }
      // A push Youzan sends while the database is down must come back later (no 2xx for it).
      const shop = await youzanShop(ctx);
      const o = await shop.order();
      const catcher = await startPushCatcher();
      ctx.defer(() => catcher.close());
      await shop.bed.sandbox.setPushUrl(catcher.url);
      await shop.bed.sandbox.pay({ qrId: o.qrId! });
      await shop.bed.sandbox.tick();
      const paidPush = catcher.caught.find((p) => p.type === "trade_TradePaid")!;
      expect(paidPush).toBeDefined();
      // app/api/webhooks/youzan/route.ts over this testbed's Youzan app: the same wrapper
      // (route(): errors → statuses) around the same pipeline.
      const shopWebhook = route(async (request) => {
        const reply = await handleYouzanPush(shop.bed.deps, await request.text(), request.headers);
        return json(reply.body, { status: reply.status });
      });
      const postPush = () =>
        shopWebhook(
          new Request("http://shop.test/api/webhooks/youzan", {
            method: "POST",
            headers: paidPush.headers,
            body: paidPush.body,
          }),
          undefined,
        );

      // Back: health answers, and the database gate passes again. The routes that do the gate
      // themselves (lib/http/unproxied-route.ts: the webhooks) trust a failed probe for
      // UNHEALTHY_FOR_MS, as the proxy does for pages, so health (no gate) may answer first.
      // (Asking the webhooks until they pass would store refusals beyond the ones counted.)
      const allHealthy = () =>
        eventually(
          async () =>
            (await routes[0]!.call()).status === 200 && (await databaseGate().available()),
        );

      // Stopped under statements and open transactions: every route's wave is cut at a few
      // moments of its run. Each answers as when healthy or 503, nothing is thrown outside a
      // request, and the same pool serves again once the database is back.
      const uncaught = catchUncaught(ctx);
      ctx.defer(() => relay.setMode("forward"));
      // Refusals the route answered (401 forged push, 400 unsigned notification) are rows in the
      // inbox (fewer than the 20 a minute kept per client address: webhook-inbox.ts).
      const refused = { youzan: 0, alipay: 0 };
      const countRefusals = (answers: { route: RouteCall; status: number }[]) => {
        for (const { route, status } of answers) {
          if (route.name.includes("youzan") && status === 401) refused.youzan += 1;
          if (route.name.includes("alipay") && status === 400) refused.alipay += 1;
        }
      };
      for (const cutAfterMs of [0, 2, 5, 10]) {
        const wave = Promise.all(
          routes.map(async (route) => ({ route, status: (await route.call()).status })),
        );
        await new Promise((resolve) => setTimeout(resolve, cutAfterMs));
        await relay.setMode("refuse");
        const answers = await wave;
        countRefusals(answers);
        expect(
          answers
            .filter(({ route, status }) => status !== route.healthy && status !== 503)
            .map(({ route, status }) => `${route.name} → ${status} (cut after ${cutAfterMs} ms)`),
        ).toEqual([]);
        await relay.setMode("forward");
        await allHealthy();
      }
      expect(uncaught).toEqual([]);
      const healed = await Promise.all(
        routes.map(async (route) => ({ route, status: (await route.call()).status })),
      );
      expect(healed.map(({ route, status }) => [route.name, status])).toEqual(
        routes.map((route) => [route.name, route.healthy]),
      );
      countRefusals(healed);

      await relay.setMode("refuse");
      const statuses: string[] = [];
      // Traffic while it is down: three waves of every route and the push at once.
      for (let wave = 0; wave < 3; wave++) {
        const answers = await Promise.all([
          ...routes.map(async (route) => `${route.name} → ${(await route.call()).status}`),
          postPush().then((r) => `push → ${r.status}`),
        ]);
        statuses.push(...answers);
      }
      expect(statuses.filter((s) => !s.endsWith("→ 503"))).toEqual([]);
      // Pages and every other route: the proxy's gate answers for them. (The routes it does
      // not run for ask the same gate themselves: tests/integration/db-outage.test.ts.)
      for (const { path: pathname, page, methods, file } of appPaths()) {
        if (pathname === "/api/health" || file in UNPROXIED_ROUTES) continue;
        for (const method of methods) {
          const response = await proxy(pageRequest(pathname, page, method));
          expect(response.status, `${method} ${pathname}`).toBe(503);
        }
      }

      await relay.setMode("forward");
      // The same process, the same pool: healthy again within seconds, without a restart.
      await allHealthy();
      for (const route of routes) {
        expect((await route.call()).status, route.name).toBe(route.healthy);
      }
      await eventually(
        async () => (await proxy(pageRequest("/", true))).headers.get("x-middleware-next") === "1",
      );
      expect((await proxy(pageRequest("/", true))).status).toBe(200);
      // Nothing of the outage was recorded; Youzan redelivers the push and it pays once.
      expect(await inboxRow("youzan", paidPush.msgId)).toBeUndefined();
      await expectUnpaid(o.id);
      await shop.bed.sandbox.setPushUrl(null);
      shop.bed.clock.advance(30);
      await shop.deliverAll(3);
      await expectPaidOnce(o.id);
      expect(await inboxTally(db(), "youzan", paidPush.msgId)).toEqual({ rows: 1, deliveries: 1 });
      // Every answered delivery is in the inbox: the testbed's pushes, and the forged push each
      // time the app's own route refused it (401) while the database served; none while it did
      // not (503).
      expect((await inboxTally(db(), "youzan")).deliveries).toBe(
        shop.bed.replies.length + 2 + refused.youzan,
      );
      expect(await db().$count(webhookInbox, eq(webhookInbox.provider, "alipay"))).toBe(
        2 + refused.alipay,
      );
    },
  },
  {
    fault: "PostgreSQL connection of a billing run killed mid-batch (pg_terminate_backend)",
    keeps: "the next runs finish the batch by themselves: every period 2 charged exactly once",
    run: async (ctx) => {
      const bed = await alipayBed(ctx);
      const N = 40;
      const fixture = await makeDueAgreements(db(), { count: N, now: await bed.deps.now() });
      const appName = "xiaopu-fault-billing-run";
      const run = await openDatabase({ kind: "postgres", url: withAppName(appName), poolMax: 4 });
      ctx.defer(() => run.close());
      const side = sideConnection(ctx);
      const locker = sideConnection(ctx);
      const deps = billingDeps(bed, { concurrency: 4, batchSize: 10 });
      const real = deps.alipay.gateway;
      let calls = 0;
      let killed = 0;
      let killing: Promise<void> | undefined;
      const gateway: AlipayGateway = {
        ...real,
        async chargeAgreement(input) {
          const result = await real.chargeAgreement(input);
          if (++calls !== 12) return result;
          // Alipay took the 12th charge. Its order's row is held, so the settlement that follows
          // waits inside its transaction; then that connection of the run is terminated.
          let release!: () => void;
          const released = new Promise<void>((resolve) => (release = resolve));
          let locked!: () => void;
          const isLocked = new Promise<void>((resolve) => (locked = resolve));
          const holder = locker.begin(async (tx) => {
            await tx`select id from orders where order_no = ${input.outTradeNo} for update`;
            locked();
            await released;
          });
          await isLocked;
          killing = (async () => {
            const settling = async () =>
              (
                await side`select count(*)::int as n from pg_stat_activity
                           where application_name = ${appName} and wait_event_type = 'Lock'`
              )[0]!.n > 0;
            await eventually(settling);
            const rows = await side`
              select pg_terminate_backend(pid) as done from pg_stat_activity
              where application_name = ${appName} and wait_event_type = 'Lock'`;
            killed = rows.filter((row) => row.done === true).length;
            release();
            await holder;
          })();
          return result;
        },
      };
      // The run ends by itself, with a report or an error: a terminated connection fails its
      // statements, it does not leave them unanswered (postgres.js 3.4.9 could, and could throw
      // outside every promise: scripts/patch-postgres.mjs). HUNG_RUN_MS only bounds the wait.
      const uncaught = catchUncaught(ctx);
      let giveUp: NodeJS.Timeout | undefined;
      const first = await Promise.race([
        runBillingPhase(
          { ...deps, db: run.db, alipay: { ...deps.alipay, gateway } },
          "charge",
        ).then(
          (report) => report as RunReport,
          (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
        ),
        new Promise<"hung">((resolve) => {
          giveUp = setTimeout(() => resolve("hung"), HUNG_RUN_MS);
        }),
      ]);
      clearTimeout(giveUp);
      await killing;
      expect(killed).toBeGreaterThanOrEqual(1);
      expect(first).not.toBe("hung");
      expect(uncaught).toEqual([]);
      if (first !== "hung" && !(first instanceof Error)) expect(first.charged).toBeLessThan(N);
      const paidRenewals = () =>
        db().$count(orders, and(eq(orders.kind, "renewal"), eq(orders.status, "paid")));
      expect(await paidRenewals()).toBeLessThan(N);

      // The next runs (leases and pending attempts gone stale in between) finish the work on
      // their own: no notification is delivered until they are done.
      for (let round = 0; round < 3 && (await paidRenewals()) < N; round++) {
        await bed.advance(DEFAULT_POLICY.stalePendingMs / 1000 + 6 * 60);
        for (const name of ["reconcile", "charge", "retry"] as const) await phase(bed, name);
        if (round === 1) await bed.advance(DAY);
      }
      expect(await paidRenewals()).toBe(N);
      // At Alipay: period 1's trade and exactly one more per agreement.
      const perAgreement = await db()
        .select({ agreementNo: alipaySandboxTrades.agreementNo, n: count() })
        .from(alipaySandboxTrades)
        .where(eq(alipaySandboxTrades.status, "TRADE_SUCCESS"))
        .groupBy(alipaySandboxTrades.agreementNo);
      expect(perAgreement).toHaveLength(N);
      expect(perAgreement.filter((row) => row.n !== 2)).toEqual([]);
      const succeeded = await db()
        .select({ agreementId: chargeAttempts.agreementId, n: count() })
        .from(chargeAttempts)
        .where(and(eq(chargeAttempts.periodIndex, 2), eq(chargeAttempts.status, "succeeded")))
        .groupBy(chargeAttempts.agreementId);
      expect(succeeded).toHaveLength(N);
      expect(succeeded.every((row) => row.n === 1)).toBe(true);
      expect(new Set(succeeded.map((row) => row.agreementId))).toEqual(
        new Set(fixture.agreements.map((a) => a.id)),
      );
      expect(
        await db().$count(
          agreements,
          and(eq(agreements.paidPeriods, 2), eq(agreements.currentPeriod, 3)),
        ),
      ).toBe(N);
      // Alipay's notifications of all those trades come now: they change nothing.
      await bed.deliver();
      expect(await paidRenewals()).toBe(N);
      expect(await db().$count(payments, eq(payments.status, "paid"))).toBe(2 * N);
      await expectInboxHoldsEveryAlipayReply(bed);
    },
  },
  {
    fault: "PostgreSQL connection closed while a statement waits to be written",
    keeps: "that statement fails with CONNECTION_CLOSED; the pool's next statement runs",
    run: async (ctx) => {
      // postgres.js writes a small statement on the next turn of the event loop; a connection
      // that closes in between left 3.4.9 unable ever to write again (every later statement on
      // it: CONNECT_TIMEOUT) until the process restarted (scripts/patch-postgres.mjs). The
      // socket is the test's own, so it closes exactly then.
      const { client, sockets } = poolOnOwnSockets(ctx);
      const uncaught = catchUncaught(ctx);
      expect(await client`select 1 as one`).toEqual([{ one: 1 }]);
      const interrupted = await new Promise<unknown>((resolve) =>
        setImmediate(() => {
          const outcome = client`select 2 as two`.then(
            () => "answered",
            (error: { code?: string }) => error.code,
          );
          // The statement reaches the connection a few microtasks on; the socket then closes
          // before the next turn of the loop, when the driver would have written it.
          void (async () => {
            for (let i = 0; i < 20; i++) await new Promise((r) => process.nextTick(r));
            sockets.at(-1)!.destroy();
          })();
          resolve(outcome);
        }),
      );
      expect(interrupted).toBe("CONNECTION_CLOSED");
      for (let i = 0; i < 3; i++) {
        expect(await client`select ${i}::int as n`).toEqual([{ n: i }]);
      }
      expect(sockets).toHaveLength(2);
      expect(uncaught).toEqual([]);
    },
  },
  {
    fault: "PostgreSQL connection closed while it is being set up, then refused",
    keeps: "statements fail with a clear code and run once it is back; no rejection goes unheard",
    run: async (ctx) => {
      // A new connection asks for PostgreSQL's array types before its first statement. One that
      // closed then kept that request in postgres.js 3.4.9 (scripts/patch-postgres.mjs), and
      // the next connect failure rejected it with nobody to hear it: an unhandled rejection,
      // which ends a process that does not catch them. The test's sockets: the first closes as
      // the request is written, the second is refused, the rest are PostgreSQL's.
      const { client, attempts } = poolOnOwnSockets(ctx, (attempt) => {
        // The refused one is handed over unconnected, as postgres.js's own sockets are: its
        // error and close reach the driver.
        if (attempt === 2) return { socket: tcpConnect(1, "127.0.0.1"), unconnected: true };
        const socket = toPostgres();
        if (attempt === 1) {
          const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
          (socket as { write: (chunk: Buffer) => boolean }).write = (chunk) => {
            const written = write(chunk);
            if (chunk.includes("typarray")) socket.destroy();
            return written;
          };
        }
        return { socket };
      });
      const uncaught = catchUncaught(ctx);
      const first = await client`select 1 as one`.then(
        () => "answered",
        (error: { code?: string }) => error.code,
      );
      expect(first).toBe("ECONNREFUSED");
      expect(await client`select 2 as two`).toEqual([{ two: 2 }]);
      expect(attempts()).toBe(3);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
    },
  },
  {
    fault: "a transaction's BEGIN fills its connection's pipeline (100 statements sent before it)",
    keeps:
      "the transaction commits, and its connection goes back to the pool outside any transaction",
    run: async (ctx) => {
      // postgres.js 3.4.9 took the connection for a transaction only if more could still be
      // pipelined on it after BEGIN: the 100th statement queued on a busy connection reached
      // PostgreSQL as a BEGIN on a connection the pool still handed out. The transaction failed
      // (TypeError, unhandled) and the connection stayed "idle in transaction": every later
      // statement on it ran inside a transaction nobody would commit (scripts/patch-postgres.mjs).
      // Through the shop's own client (db/client.ts) with one connection.
      const appName = "xiaopu-fault-pipeline";
      const { handle, side, sleeping } = await watchedPoolOfOne(ctx, appName);
      const uncaught = catchUncaught(ctx);
      await handle.db.execute(sql`select 1`);
      // One statement running and 99 sent behind it (drizzle runs a statement when it is
      // awaited: `then` starts each now), then the transaction's BEGIN, the 100th sent.
      const busy = [
        handle.db.execute(sql`select pg_sleep(0.5)`).then(() => {}),
        // No parameters: a statement with some waits for its description and stops the pipeline.
        ...Array.from({ length: 99 }, () => handle.db.execute(sql`select 1`).then(() => {})),
      ];
      await sleeping();
      const transaction = handle.db
        .transaction(async (tx) => {
          const rows = (await tx.execute(sql`select 'in it' as what`)) as unknown as object[];
          return rows[0];
        })
        .then(
          (row) => row,
          (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      await Promise.all(busy);
      expect(await transaction).toEqual({ what: "in it" });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
      const state = async () =>
        (await side`select state from pg_stat_activity where application_name = ${appName}`).map(
          (row) => row.state as string,
        );
      expect(await state()).toEqual(["idle"]);
      await handle.db.execute(sql`select 2`);
      expect(await state()).toEqual(["idle"]);
    },
  },
  {
    fault: "the socket of a transaction's connection drains between its statements",
    keeps: "other requests' statements wait for the transaction; none runs inside it",
    run: async (ctx) => {
      // A socket drains after a write that met a full buffer. postgres.js 3.4.9 then handed the
      // connection to the pool if no statement was in flight, even in the middle of a
      // transaction: the next request's statement ran inside it (scripts/patch-postgres.mjs).
      // The test's socket drains on cue while the transaction waits between two statements.
      const { client, sockets } = poolOnOwnSockets(ctx);
      const uncaught = catchUncaught(ctx);
      await client`select 1`;
      let outside: Promise<string | null> | undefined;
      const inside = await client.begin(async (tx) => {
        const [row] = await tx`select pg_current_xact_id()::text as xid`;
        outside = client`select pg_current_xact_id_if_assigned()::text as xid`.then(
          ([answer]) => answer!.xid as string | null,
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
        sockets.at(-1)!.emit("drain");
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tx`select 2`;
        return row!.xid as string;
      });
      expect(inside).toMatch(/^\d+$/);
      // Outside any transaction, PostgreSQL assigns no transaction id.
      expect(await outside).toBeNull();
      expect(uncaught).toEqual([]);
    },
  },
  {
    fault: "PostgreSQL backend of an open transaction terminated (pg_terminate_backend)",
    keeps: "the transaction rejects, nothing is thrown outside it, and the shop's pool heals",
    run: async (ctx) => {
      // postgres.js 3.4.9 answered with a ROLLBACK written to the dead socket on the next turn:
      // an uncaught TypeError (the end of a process that does not catch it: the billing CLI),
      // and a pool slot that never wrote again. Through the shop's own client (db/client.ts) and a drizzle transaction.
      const appName = "xiaopu-fault-open-transaction";
      const { handle, side, sleeping } = await watchedPoolOfOne(ctx, appName);
      const uncaught = catchUncaught(ctx);
      const transaction = handle.db
        .transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          await tx.execute(sql`select pg_sleep(5)`);
        })
        .then(
          () => "committed",
          (error: { code?: string; cause?: { code?: string } }) =>
            error.code ?? error.cause?.code ?? String(error),
        );
      await sleeping();
      const [terminated] = await side`
        select count(*)::int as n from (
          select pg_terminate_backend(pid) as done from pg_stat_activity
          where application_name = ${appName}) t where done`;
      expect(terminated!.n).toBe(1);
      expect(await transaction).toBe("CONNECTION_CLOSED");
      // Let the driver's next turns come (where the stray ROLLBACK was written).
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
      // A slot that could not write any more would answer CONNECT_TIMEOUT here.
      expect(await handle.db.execute(sql`select 3 as three`)).toEqual([{ three: 3 }]);
    },
  },
  {
    fault: "server process killed mid-settlement and restarted",
    keeps: "the recorded push is applied by the restarted shop's reconcile job, exactly once",
    run: async (ctx) => {
      const shop = await youzanShop(ctx);
      const o = await shop.order();
      // Youzan's delivery reaches a shop process that dies before it answers.
      const catcher = await startPushCatcher();
      ctx.defer(() => catcher.close());
      await shop.bed.sandbox.setPushUrl(catcher.url);
      await shop.bed.sandbox.pay({ qrId: o.qrId! });
      await shop.bed.sandbox.tick();
      const push = catcher.caught.find((p) => p.type === "trade_TradePaid")!;
      expect(push).toBeDefined();

      // The order's row is held locked, so the process's settlement waits inside its transaction.
      const side = sideConnection(ctx);
      const appName = "xiaopu-fault-shop-process";
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const locker = sideConnection(ctx);
      const holder = locker.begin(async (tx) => {
        await tx`select id from orders where id = ${o.id} for update`;
        locked();
        await released;
      });
      ctx.defer(async () => {
        release();
        await holder.catch(() => {});
      });
      await isLocked;
      const youzan = {
        baseUrl: `${shop.bed.server.url}/sandbox/youzan`,
        ...shop.bed.deps.youzanCredentials,
      };
      const child = startShopProcess({
        mode: "push",
        databaseUrl: withAppName(appName),
        nowMs: shop.bed.clock.current().getTime(),
        youzan,
        push: { body: push.body, headers: push.headers },
      });
      ctx.defer(() => child.kill());
      const waiting = async () =>
        (
          await side`select count(*)::int as n from pg_stat_activity
                     where application_name = ${appName} and wait_event_type = 'Lock'`
        )[0]!.n === 1;
      await eventually(waiting, 30_000);
      expect(await waiting()).toBe(true);
      // Recorded before it was applied: the inbox row is there, the order untouched.
      expect(await inboxRow("youzan", push.msgId)).toMatchObject({ status: "received" });
      child.kill();
      expect(await child.exited).toMatchObject({ signal: "SIGKILL" });
      release();
      await holder;
      // Its transaction died with it.
      await eventually(
        async () =>
          (
            await side`select count(*)::int as n from pg_stat_activity
                       where application_name = ${appName}`
          )[0]!.n === 0,
      );
      await expectUnpaid(o.id);
      expect(await inboxRow("youzan", push.msgId)).toMatchObject({ status: "received" });

      // The shop starts again: its reconcile job (a new process) finishes what was recorded.
      const restarted = await runShopProcess<{ summary: { inboxApplied: number } }>({
        mode: "reconcile",
        databaseUrl: withAppName(appName),
        nowMs: shop.bed.clock.current().getTime(),
        youzan,
      });
      expect(restarted.summary.inboxApplied).toBeGreaterThanOrEqual(1);
      await expectPaidOnce(o.id);
      expect(await inboxRow("youzan", push.msgId)).toMatchObject({
        status: "processed",
        outcome: "settled",
      });

      // Youzan never got its answer: it redelivers to the shop, which changes nothing.
      await shop.bed.sandbox.setPushUrl(null);
      shop.bed.clock.advance(30);
      await shop.deliverAll(3);
      expect(await inboxTally(db(), "youzan", push.msgId)).toEqual({ rows: 1, deliveries: 2 });
      await expectPaidOnce(o.id);
    },
  },
  {
    fault: "SMTP down",
    keeps: "notices wait and are retried; once it is back each goes out exactly once",
    run: async (ctx) => {
      const shop = await youzanShop(ctx);
      const smtp = await startSmtpServer();
      ctx.defer(() => smtp.close());
      const deps: NoticeDeps = {
        db: db(),
        now: () => shop.bed.deps.now(),
        appUrl: "http://shop.test",
        authSecret: "n".repeat(32),
        policy: DEFAULT_POLICY,
        transport: smtpTransport({ url: smtp.url, from: "小铺 <noreply@shop.test>" }),
        dingTalk: null,
        ownerEmail: "owner@shop.test",
      };
      const o = await shop.order();
      await shop.bed.sandbox.pay({ qrId: o.qrId! });
      await shop.deliverAll();
      await expectPaidOnce(o.id);
      await smtp.stop();
      expect(await sendDueNotices(deps)).toMatchObject({ sent: 0, failed: 2 });
      const waiting = await db().select().from(notices);
      expect(waiting.map((n) => [n.status, n.attempts])).toEqual([
        ["pending", 1],
        ["pending", 1],
      ]);
      await smtp.start();
      // Not before the back-off; then once.
      expect(await sendDueNotices(deps)).toMatchObject({ sent: 0, failed: 0 });
      await advanceClock(db(), RETRY_DELAYS_MS[0]! / 1000 + 1);
      shop.bed.clock.advance(RETRY_DELAYS_MS[0]! / 1000 + 1);
      const [a, b] = await Promise.all([sendDueNotices(deps), sendDueNotices(deps)]);
      expect(a.sent + b.sent).toBe(2);
      await advanceClock(db(), DAY);
      shop.bed.clock.advance(DAY);
      expect(await sendDueNotices(deps)).toMatchObject({ sent: 0 });
      const [buyer] = await db().select().from(users).where(eq(users.id, shop.buyerId));
      expect(smtp.to(buyer!.email)).toHaveLength(1);
      expect(smtp.to("owner@shop.test")).toHaveLength(1);
      expect(smtp.received).toHaveLength(2);
      const sent = await db().select().from(notices);
      expect(sent.map((n) => [n.status, n.attempts])).toEqual([
        ["sent", 1],
        ["sent", 1],
      ]);
      expect(await db().$count(notices, gt(notices.attempts, 1))).toBe(0);
    },
  },
];

describe("fault matrix", () => {
  it.each(FAULTS)("$fault", async (row) => {
    const ctx: FaultContext = { db: db(), defer: (cleanup) => cleanups.push(cleanup) };
    await row.run(ctx);
    expect(await invariantViolations(db()), `keeps: ${row.keeps}`).toEqual([]);
  });
});

describe("the invariant checks themselves", () => {
  it("report a paid trade whose grant is gone, a paid order gone back to pending, and an unverified delivery applied", async () => {
    const ctx: FaultContext = { db: db(), defer: (cleanup) => cleanups.push(cleanup) };
    const shop = await youzanShop(ctx);
    const o = await shop.order();
    await shop.bed.sandbox.pay({ qrId: o.qrId! });
    await shop.deliverAll();
    await expectPaidOnce(o.id);
    expect(await invariantViolations(db())).toEqual([]);

    await db().delete(entitlements).where(eq(entitlements.orderId, o.id));
    await db().update(webhookInbox).set({ signatureValid: false });
    const broken = await invariantViolations(db());
    expect(broken).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^paid trade whose order has no grant: youzan:/),
        expect.stringMatching(/^paid order without exactly one grant: .* has 0 grants$/),
        expect.stringMatching(/^unverified delivery applied: /),
      ]),
    );
    await db().update(orders).set({ status: "pending", paidAt: null }).where(eq(orders.id, o.id));
    expect(await invariantViolations(db())).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^paid trade without a paid order: .* is pending$/),
      ]),
    );
  });
});

afterAll(() => {
  const dir = path.resolve(import.meta.dirname, "../../.reports/reliability");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "fault-matrix.json"),
    `${JSON.stringify({ faultRows: FAULTS.length }, null, 2)}\n`,
  );
  console.log(`fault matrix: ${FAULTS.length} rows`);
});
