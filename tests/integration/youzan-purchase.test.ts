import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as reconcileRoute } from "@/app/api/cron/orders/reconcile/route";
import { billingRuns, entitlements, orders, payments, webhookInbox } from "@/db/schema";
import { createPurchaseOrder } from "@/lib/orders/create-order";
import { checkYouzanOrder } from "@/lib/orders/check-status";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { applyTradePaid } from "@/lib/webhooks/youzan/trade-paid";
import { makeUser } from "../helpers/factories";
import { statementsOf } from "../helpers/statements";
import { gate } from "../helpers/gate";
import { withTestDatabase } from "../helpers/db";
import { withPurchaseTestbed } from "../helpers/purchase-testbed";

const t = withTestDatabase();
const p = withPurchaseTestbed(t);
const { order, reload, deliverAll } = p;

async function counts(orderId: string) {
  const db = t.db();
  return {
    payments: await db.$count(payments, eq(payments.orderId, orderId)),
    paidPayments: await db.$count(
      payments,
      and(eq(payments.orderId, orderId), eq(payments.status, "paid")),
    ),
    grants: await db.$count(entitlements, eq(entitlements.orderId, orderId)),
  };
}

describe("creating a QR order", () => {
  it("stores a pending order with its Youzan QR, amount in fen, expiring after the TTL", async () => {
    const o = await order();
    expect(o).toMatchObject({
      status: "pending",
      amountFen: 990,
      provider: "youzan",
      kind: "purchase",
    });
    expect(o.qrId).toMatch(/^\d+$/);
    expect(o.qrUrl).toContain(`/sandbox/youzan/pay?qr_id=${o.qrId}`);
    expect(o.expiresAt!.getTime() - p.bed.clock.current().getTime()).toBe(15 * 60_000);
    const qr = await p.bed.sandbox.getQr(o.qrId!);
    expect(qr).toMatchObject({ priceFen: 990, qrType: "QR_TYPE_DYNAMIC", paid: false });
  });

  it("reuses the buyer's open order for the same product; refuses memberships and unknown slugs", async () => {
    const first = await order();
    expect((await order()).id).toBe(first.id);
    await expect(order("membership-monthly")).rejects.toMatchObject({ code: "bad_request" });
    await expect(order("no-such-product")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("settling by push", () => {
  it("a paid trade's push settles the order once: one payment, one grant, content unlocked", async () => {
    const o = await order();
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await deliverAll();
    const paid = await reload(o.id);
    expect(paid.status).toBe("paid");
    expect(paid.paidAt).toBeInstanceOf(Date);
    expect(await counts(o.id)).toEqual({ payments: 1, paidPayments: 1, grants: 1 });
    expect(p.bed.replies.length).toBeGreaterThan(0);
    for (const reply of p.bed.replies)
      expect(reply).toEqual({ status: 200, body: { code: 0, msg: "success" } });
    const inbox = await t.db().select().from(webhookInbox);
    expect(inbox.some((row) => row.status === "processed" && row.outcome === "settled")).toBe(true);
  });

  it("content is bought once; credit packs can be bought again", async () => {
    const o = await order();
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await checkYouzanOrder(p.bed.deps, o);
    await expect(order()).rejects.toMatchObject({ code: "conflict" });

    const pack = await order("credits-10");
    await p.bed.sandbox.pay({ qrId: pack.qrId! });
    await checkYouzanOrder(p.bed.deps, pack);
    const again = await order("credits-10");
    expect(again.id).not.toBe(pack.id);
    expect(again.status).toBe("pending");
  });

  it("a credit pack grants its credits", async () => {
    const o = await order("credits-10");
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await deliverAll();
    const [grant] = await t.db().select().from(entitlements).where(eq(entitlements.orderId, o.id));
    expect(grant).toMatchObject({ kind: "credits", credits: 10, userId: p.buyerId });
  });

  it("with every push lost, the buyer's polling settles the order", async () => {
    await p.bed.sandbox.setFaults({ pushLost: true });
    const o = await order();
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await deliverAll();
    expect(p.bed.replies).toHaveLength(0);
    expect((await reload(o.id)).status).toBe("pending");
    expect(await checkYouzanOrder(p.bed.deps, await reload(o.id))).toEqual({
      checked: true,
      outcome: "settled",
    });
    expect((await reload(o.id)).status).toBe("paid");
    expect(await counts(o.id)).toEqual({ payments: 1, paidPayments: 1, grants: 1 });
  });

  it("pushes of a trade already recorded (TRADE_SUCCESS after TRADE_PAID, duplicates) ask Youzan nothing", async () => {
    await p.bed.sandbox.setFaults({ pushDuplicates: 3 });
    const o = await order();
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await deliverAll(6);
    expect((await reload(o.id)).status).toBe("paid");
    const inbox = await t.db().select().from(webhookInbox);
    expect(inbox.length).toBeGreaterThan(1);
    expect(inbox.filter((row) => row.outcome === "already_settled").length).toBeGreaterThan(0);
    // Only the first push re-reads the trade: the others find it recorded (issue #14).
    expect((await p.bed.sandbox.stats()).apiCalls["youzan.trade.get"]).toBe(1);
    expect(await counts(o.id)).toEqual({ payments: 1, paidPayments: 1, grants: 1 });
  });

  it("a paid push names its QR code: the order and the trade's record are one read (issue #14)", async () => {
    const o = await order();
    const { tid } = await p.bed.sandbox.pay({ qrId: o.qrId! });
    const event = {
      type: "trade_TradePaid",
      status: "TRADE_PAID",
      tid,
      qrId: o.qrId!,
      kdtId: null,
    };
    // What the shop reads before it asks Youzan (a trade not visible yet stops it right there).
    const notYet = { ...p.bed.deps, youzan: { ...p.bed.deps.youzan, getTrade: async () => null } };
    const first = await statementsOf(t.db(), () => applyTradePaid(notYet, event));
    expect(first.result).toEqual({ status: "failed", outcome: "trade_not_visible_yet" });
    expect(first.statements, first.statements.join("\n---\n")).toHaveLength(1);
    expect(first.statements[0]).toMatch(/from "orders" where "orders"\."qr_id"/);
    expect(first.statements[0]).toMatch(/exists \(select 1 from payments p where p\.provider = /);
    const settling = await statementsOf(t.db(), () => applyTradePaid(p.bed.deps, event));
    expect(settling.result).toEqual({ status: "processed", outcome: "settled" });
    // No statement of the push reads the order's QR image (a ~3 KB data URL from Youzan).
    expect(o.qrImage?.length ?? 0).toBeGreaterThan(1000);
    expect(settling.statements.filter((text) => /qr_image/.test(text))).toEqual([]);
    // Once recorded, the same push is answered from that one read, without asking Youzan.
    const again = await statementsOf(t.db(), () => applyTradePaid(p.bed.deps, event));
    expect(again.result).toEqual({ status: "processed", outcome: "already_settled" });
    expect(again.statements).toHaveLength(1);
    expect((await p.bed.sandbox.stats()).apiCalls["youzan.trade.get"]).toBe(1);
    expect(await counts(o.id)).toEqual({ payments: 1, paidPayments: 1, grants: 1 });
  });

  it("a push whose QR id Youzan's trade does not confirm settles the trade's own order", async () => {
    const o = await order();
    const { tid } = await p.bed.sandbox.pay({ qrId: o.qrId! });
    const other = await order("writing-that-sells");
    const event = {
      type: "trade_TradePaid",
      status: "TRADE_PAID",
      tid,
      qrId: other.qrId!,
      kdtId: null,
    };
    expect(await applyTradePaid(p.bed.deps, event)).toEqual({
      status: "processed",
      outcome: "settled",
    });
    expect((await reload(o.id)).status).toBe("paid");
    expect((await reload(other.id)).status).toBe("pending");
  });

  it("pushes duplicated 5 times, out of order, V2 and V3 together: one paid order, one grant", async () => {
    await p.bed.sandbox.setFaults({
      pushDuplicates: 5,
      pushOutOfOrder: true,
      subscription: "both",
    });
    const o = await order();
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await deliverAll(6);
    // Polling at the same time changes nothing more.
    await Promise.all([checkYouzanOrder(p.bed.deps, o), checkYouzanOrder(p.bed.deps, o)]);
    expect((await reload(o.id)).status).toBe("paid");
    expect(await counts(o.id)).toEqual({ payments: 1, paidPayments: 1, grants: 1 });
    const inbox = await t.db().select().from(webhookInbox);
    expect(inbox.length).toBeGreaterThan(1);
    const keys = inbox.map((row) => row.eventKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(inbox.some((row) => row.deliveries >= 6)).toBe(true);
    expect(p.bed.replies.length).toBeGreaterThanOrEqual(12);
    expect(p.bed.replies.every((r) => r.status === 200)).toBe(true);
  });

  it("a push that arrives before the trade is queryable is applied later", async () => {
    await p.bed.sandbox.setFaults({ tradeVisibleAfterSeconds: 60 });
    const o = await order();
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await deliverAll(2);
    expect((await reload(o.id)).status).toBe("pending");
    const waiting = await t
      .db()
      .select()
      .from(webhookInbox)
      .where(eq(webhookInbox.status, "failed"));
    expect(waiting.map((row) => row.outcome)).toContain("trade_not_visible_yet");
    // Acknowledged all the same: the push is recorded, so Youzan must not hold it against us.
    expect(p.bed.replies.every((r) => r.status === 200)).toBe(true);

    p.bed.clock.advance(61);
    const summary = await reconcileOrders(p.bed.deps);
    expect(summary.inboxApplied + summary.settled).toBeGreaterThan(0);
    expect((await reload(o.id)).status).toBe("paid");
    expect(await counts(o.id)).toEqual({ payments: 1, paidPayments: 1, grants: 1 });
  });
});

describe("deliveries that must change nothing", () => {
  async function post(body: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${p.bed.server.url}/api/webhooks/youzan`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  it("a forged signature is refused (401), recorded, and changes no order", async () => {
    const o = await order();
    const msg = encodeURIComponent(
      JSON.stringify({ tid: "E20261122000000123456789", status: "TRADE_SUCCESS" }),
    );
    const body = JSON.stringify({
      client_id: p.bed.deps.youzanCredentials.clientId,
      id: "E20261122000000123456789",
      kdt_id: 10001000,
      type: "trade_TradePaid",
      status: "TRADE_PAID",
      msg,
      msg_id: "forged-1",
      sign: "0".repeat(32),
      version: 1,
    });
    const reply = await post(body, { "event-sign": "f".repeat(32) });
    expect(reply.status).toBe(401);
    const [row] = await t.db().select().from(webhookInbox);
    expect(row).toMatchObject({
      status: "rejected",
      outcome: "bad_signature",
      signatureValid: false,
      body,
    });
    expect(await reload(o.id)).toEqual(o);
  });

  it("malformed JSON gets a 400 with a reason and is recorded; a heartbeat is acknowledged", async () => {
    const reply = await post("{not json");
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain("malformed");
    const rows = await t.db().select().from(webhookInbox);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "rejected", eventKey: null });
    expect(await post('{"test":true}')).toEqual({ status: 200, body: { code: 0, msg: "success" } });
    expect(await t.db().$count(webhookInbox)).toBe(1);
  });

  it("a correctly signed push for another shop is acknowledged, recorded and ignored", async () => {
    const o = await order();
    const { clientId, clientSecret } = p.bed.deps.youzanCredentials;
    const msg = encodeURIComponent(
      JSON.stringify({ qr_info: { qr_id: Number(o.qrId) }, full_order_info: {} }),
    ).replace(/%20/g, "+");
    const body = JSON.stringify({
      client_id: clientId,
      id: "E20261122000000987654321",
      kdt_id: 99999999,
      type: "trade_TradePaid",
      status: "TRADE_PAID",
      msg,
      msg_id: "other-shop-1",
      version: 1,
      sendCount: 0,
    });
    const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");
    const reply = await post(body, {
      "event-sign": md5(clientId + body + clientSecret),
      "event-type": "trade_TradePaid",
      "client-id": clientId,
    });
    expect(reply).toEqual({ status: 200, body: { code: 0, msg: "success" } });
    const [row] = await t.db().select().from(webhookInbox);
    expect(row).toMatchObject({ status: "ignored", outcome: "foreign_shop", signatureValid: true });
    expect(await reload(o.id)).toEqual(o);
  });

  it("a redelivery of an event given up on (dead) is acknowledged and changes nothing", async () => {
    const o = await order();
    const { clientId, clientSecret } = p.bed.deps.youzanCredentials;
    const body = JSON.stringify({
      client_id: clientId,
      id: "E20261122000000123123123",
      kdt_id: Number(p.bed.deps.youzanCredentials.kdtId),
      type: "trade_TradePaid",
      status: "TRADE_PAID",
      msg: encodeURIComponent(JSON.stringify({ qr_info: { qr_id: Number(o.qrId) } })),
      msg_id: "dead-1",
      version: 1,
    });
    const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");
    const headers = {
      "event-sign": md5(clientId + body + clientSecret),
      "event-type": "trade_TradePaid",
      "client-id": clientId,
    };
    // Youzan does not know this trade: the apply fails (not visible yet), and is given up on.
    expect((await post(body, headers)).status).toBe(200);
    await t
      .db()
      .update(webhookInbox)
      .set({ status: "dead", attempts: 20 })
      .where(eq(webhookInbox.eventKey, "dead-1"));
    const asked = (await p.bed.sandbox.stats()).apiCalls["youzan.trade.get"] ?? 0;
    expect(await post(body, headers)).toEqual({ status: 200, body: { code: 0, msg: "success" } });
    const [row] = await t
      .db()
      .select()
      .from(webhookInbox)
      .where(eq(webhookInbox.eventKey, "dead-1"));
    expect(row).toMatchObject({ status: "dead", attempts: 20, deliveries: 2 });
    expect((await p.bed.sandbox.stats()).apiCalls["youzan.trade.get"] ?? 0).toBe(asked);
  });

  it("a payment for a QR code that is not ours is recorded as unknown_order", async () => {
    const mine = await order();
    const foreign = await p.bed.deps.youzan.createDynamicQr({
      name: "not ours",
      amountFen: 500,
      source: "elsewhere",
    });
    await p.bed.sandbox.pay({ qrId: foreign.qrId });
    await deliverAll();
    const outcomes = (await t.db().select().from(webhookInbox)).map((row) => row.outcome);
    expect(outcomes).toContain("unknown_order");
    expect(await reload(mine.id)).toEqual(mine);
    expect(await t.db().$count(payments)).toBe(0);
  });

  it("a wrong amount leaves the order unpaid and flagged for review, with nothing granted", async () => {
    const o = await order();
    await p.bed.sandbox.pay({ qrId: o.qrId!, amountFen: 1 });
    await deliverAll();
    const flagged = await reload(o.id);
    expect(flagged.status).toBe("review");
    expect(flagged.paidAt).toBeNull();
    expect(flagged.reviewReason).toContain("amount_mismatch");
    expect(await counts(o.id)).toEqual({ payments: 1, paidPayments: 0, grants: 0 });
    const outcomes = (await t.db().select().from(webhookInbox)).map((row) => row.outcome);
    expect(outcomes).toContain("amount_mismatch");
  });

  it("answers within the budget when applying is slow; the apply goes on in the background", async () => {
    await p.replaceBed({ applyBudgetMs: 20 });
    const o = await order();
    // Youzan's trade detail hangs until the test lets it through: the push outlives its budget.
    const slow = gate();
    const { youzan } = p.bed.deps;
    p.bed.deps.youzan = {
      ...youzan,
      getTrade: async (tid) => (await slow.pass(), youzan.getTrade(tid)),
    };
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await p.bed.sandbox.tick();
    expect(slow.arrivals).toBe(1);
    expect(p.bed.replies[0]).toEqual({ status: 200, body: { code: 0, msg: "success" } });
    expect((await reload(o.id)).status).toBe("pending");

    slow.open();
    await p.bed.settle();
    expect((await reload(o.id)).status).toBe("paid");
    expect(await counts(o.id)).toEqual({ payments: 1, paidPayments: 1, grants: 1 });
  });

  it("a late apply that never finishes (the process died) is finished by the reconcile job", async () => {
    await p.replaceBed({ applyBudgetMs: 20 });
    const o = await order();
    const stuck = gate();
    const { youzan } = p.bed.deps;
    p.bed.deps.youzan = { ...youzan, getTrade: async () => (await stuck.pass(), null) };
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await p.bed.sandbox.tick();
    expect(p.bed.replies[0]?.status).toBe(200);
    stuck.fail(new Error("the instance was stopped"));
    await p.bed.settle();
    const open = (await t.db().select().from(webhookInbox)).filter((r) => r.status === "failed");
    expect(open).toMatchObject([{ outcome: "error", attempts: 1 }]);
    expect((await reload(o.id)).status).toBe("pending");

    p.bed.deps.youzan = youzan;
    const summary = await reconcileOrders(p.bed.deps);
    expect(summary.inboxApplied).toBeGreaterThan(0);
    expect((await reload(o.id)).status).toBe("paid");
    expect(await counts(o.id)).toEqual({ payments: 1, paidPayments: 1, grants: 1 });
  });
});

describe("status polling", () => {
  it("twenty concurrent pollers cause at most one Youzan query per 3 seconds", async () => {
    const o = await order();
    const poll = () =>
      Promise.all(Array.from({ length: 20 }, () => checkYouzanOrder(p.bed.deps, o)));
    const queries = async () => (await p.bed.sandbox.stats()).apiCallsByQr[o.qrId!] ?? 0;

    const first = await poll();
    expect(first.filter((r) => r.checked)).toHaveLength(1);
    expect(await queries()).toBe(1);
    p.bed.clock.advance(2);
    await poll();
    expect(await queries()).toBe(1);
    p.bed.clock.advance(1.5);
    await poll();
    expect(await queries()).toBe(2);
  });

  it("a paid order is not polled again", async () => {
    const o = await order();
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await checkYouzanOrder(p.bed.deps, o);
    p.bed.clock.advance(10);
    expect(await checkYouzanOrder(p.bed.deps, await reload(o.id))).toEqual({
      checked: false,
    });
  });
});

describe("tokens", () => {
  it("a revoked token is refreshed once and the call succeeds; concurrent calls share one refresh", async () => {
    const o = await order();
    const before = (await p.bed.sandbox.stats()).tokensIssued;
    await p.bed.sandbox.revokeTokens();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => p.bed.deps.youzan.listReceivedTrades(o.qrId!)),
    );
    expect(results.every((rows) => Array.isArray(rows))).toBe(true);
    expect((await p.bed.sandbox.stats()).tokensIssued).toBe(before + 1);
  });

  it("an expired token (the clock moved 8 days) is replaced once", async () => {
    const o = await order();
    const before = (await p.bed.sandbox.stats()).tokensIssued;
    p.bed.clock.advance(8 * 24 * 3600);
    await Promise.all([
      p.bed.deps.youzan.listReceivedTrades(o.qrId!),
      p.bed.deps.youzan.listReceivedTrades(o.qrId!),
    ]);
    expect((await p.bed.sandbox.stats()).tokensIssued).toBe(before + 1);
  });
});

describe("reconcile job", () => {
  it("closes an unpaid order after its time-to-live and leaves a summary row", async () => {
    const o = await order();
    p.bed.clock.advance(14 * 60);
    let summary = await reconcileOrders(p.bed.deps);
    expect((await reload(o.id)).status).toBe("pending");
    p.bed.clock.advance(2 * 60);
    summary = await reconcileOrders(p.bed.deps);
    expect(summary.expired).toBe(1);
    expect((await reload(o.id)).status).toBe("expired");
    const [run] = await t.db().select().from(billingRuns).where(eq(billingRuns.id, summary.runId));
    expect(run).toMatchObject({ job: "orders.reconcile", status: "completed" });
  });

  it("settles a paid order whose pushes were lost instead of expiring it", async () => {
    await p.bed.sandbox.setFaults({ pushLost: true });
    const o = await order();
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    p.bed.clock.advance(20 * 60);
    const summary = await reconcileOrders(p.bed.deps);
    expect(summary.settled).toBe(1);
    expect((await reload(o.id)).status).toBe("paid");
  });

  it("honours a payment that arrives after the order expired", async () => {
    const o = await order();
    p.bed.clock.advance(16 * 60);
    await reconcileOrders(p.bed.deps);
    expect((await reload(o.id)).status).toBe("expired");
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await deliverAll();
    expect((await reload(o.id)).status).toBe("paid");
    expect(await counts(o.id)).toEqual({ payments: 1, paidPayments: 1, grants: 1 });
  });

  it("is bounded by its batch and resumes where it stopped", async () => {
    const buyers = await Promise.all([makeUser(t.db()), makeUser(t.db()), makeUser(t.db())]);
    for (const buyer of buyers) {
      await createPurchaseOrder(p.bed.deps, {
        userId: buyer.id,
        productSlug: "writing-that-sells",
      });
    }
    p.bed.clock.advance(16 * 60);
    const first = await reconcileOrders(p.bed.deps, { batch: 2 });
    expect(first.expired).toBe(2);
    const second = await reconcileOrders(p.bed.deps, { batch: 2 });
    expect(second.expired).toBe(1);
    expect(await t.db().$count(orders, eq(orders.status, "expired"))).toBe(3);
    expect(await t.db().$count(billingRuns)).toBe(2);
  });

  it("the cron route refuses a request without the bearer secret", async () => {
    for (const authorization of [undefined, "Bearer wrong", "Basic abc"]) {
      const response = await reconcileRoute(
        new Request("http://localhost/api/cron/orders/reconcile", {
          headers: authorization ? { authorization } : {},
        }),
        undefined,
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
    }
    expect(await t.db().$count(billingRuns)).toBe(0);
  });
});
