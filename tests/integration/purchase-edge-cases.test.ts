import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { POST as alipayTradeRoute } from "@/app/api/webhooks/alipay/trade/route";
import { POST as youzanWebhookRoute } from "@/app/api/webhooks/youzan/route";
import { entitlements, orders, payments, webhookInbox } from "@/db/schema";
import { payments as paymentsGauge } from "@/lib/jobs/payments-first";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { createPurchaseOrder } from "@/lib/orders/create-order";
import { withTestDatabase } from "../helpers/db";
import { gate } from "../helpers/gate";
import { withPurchaseTestbed } from "../helpers/purchase-testbed";

/*
 * Edge cases found in a review of the purchase flow: races between buy requests, payments that
 * arrive after the time-to-live with their pushes lost, and NUL characters in deliveries. Each
 * test failed before the fix it documents.
 */

const t = withTestDatabase();
const p = withPurchaseTestbed(t);
const { order, reload, deliverAll } = p;

describe("create-order", () => {
  it("two overlapping buy requests share one order: one QR code, one payment, one grant", async () => {
    // A double click / two tabs: the second request starts while the first is still waiting
    // for Youzan's qrcode.create. The overlap is arranged: qrcode.create is held until the
    // second request has seen the open order without a QR code and started waiting for it.
    const creating = gate();
    const secondWaits = gate();
    const { youzan } = p.bed.deps;
    const deps = {
      ...p.bed.deps,
      youzan: {
        ...youzan,
        createDynamicQr: async (input: Parameters<typeof youzan.createDynamicQr>[0]) => {
          await creating.pass();
          return youzan.createDynamicQr(input);
        },
      },
      sleep: async () => {
        await secondWaits.pass();
      },
    };
    const buy = () =>
      createPurchaseOrder(deps, { userId: p.buyerId, productSlug: "side-hustle-handbook" });
    const first = buy();
    await creating.reached();
    const second = buy();
    await secondWaits.reached();
    expect(creating.arrivals).toBe(1); // the second request did not ask for a QR of its own
    creating.open();
    const a = await first; // the QR code is attached before the waiting request looks again
    secondWaits.open();
    const b = await second;
    expect(creating.arrivals).toBe(1);

    // The buyer scans and pays whatever QR codes they were shown.
    for (const qrId of new Set([a.qrId!, b.qrId!])) await p.bed.sandbox.pay({ qrId });
    await deliverAll();

    const paidOrders = await t
      .db()
      .$count(
        orders,
        and(
          eq(orders.userId, p.buyerId),
          eq(orders.productId, a.productId),
          eq(orders.status, "paid"),
        ),
      );
    const grants = await t
      .db()
      .$count(
        entitlements,
        and(eq(entitlements.userId, p.buyerId), eq(entitlements.productId, a.productId)),
      );
    // Today: two orders, both paid, two grants of the same content.
    expect({ paidOrders, grants }).toEqual({ paidOrders: 1, grants: 1 });
    expect(b.id).toBe(a.id);
  });
});

describe("expiry and reconcile", () => {
  it("a payment after the TTL on a scan opened before it is found by reconcile even with its push lost", async () => {
    await p.bed.sandbox.setFaults({ pushLost: true });
    const o = await order();
    // The buyer opens the QR at minute 14: Youzan keeps that trade payable until minute 44.
    p.bed.clock.advance(14 * 60);
    await p.bed.sandbox.scan(o.qrId!);
    p.bed.clock.advance(2 * 60);
    await reconcileOrders(p.bed.deps);
    expect((await reload(o.id)).status).toBe("expired");

    await p.bed.sandbox.pay({ qrId: o.qrId! }); // money received by Youzan at minute 16
    for (let run = 0; run < 6; run++) {
      p.bed.clock.advance(5 * 60);
      await deliverAll();
      await reconcileOrders(p.bed.deps);
    }
    // Settle honours late payments, but nothing ever asks Youzan about an expired order.
    expect(await t.db().$count(payments, eq(payments.orderId, o.id))).toBe(1);
    expect((await reload(o.id)).status).toBe("paid");
  });

  it("a payment before the TTL hidden by a lagging trade list is found later even with its push lost", async () => {
    // Spec §3.3/§8: lists lag ≥ 30 s behind the payment; pushes can be lost entirely.
    await p.bed.sandbox.setFaults({ pushLost: true, tradeVisibleAfterSeconds: 60 });
    const o = await order();
    p.bed.clock.advance(14 * 60 + 40);
    await p.bed.sandbox.pay({ qrId: o.qrId! }); // paid at 14:40, inside the TTL
    p.bed.clock.advance(30); // 15:10: the "final check" does not see the payment yet
    await reconcileOrders(p.bed.deps);
    expect((await reload(o.id)).status).toBe("expired");

    for (let run = 0; run < 6; run++) {
      p.bed.clock.advance(5 * 60);
      await deliverAll();
      await reconcileOrders(p.bed.deps);
    }
    expect(await t.db().$count(payments, eq(payments.orderId, o.id))).toBe(1);
    expect((await reload(o.id)).status).toBe("paid");
  });
});

describe("webhook input", () => {
  async function postWebhook(body: string) {
    return youzanWebhookRoute(
      new Request("http://localhost/api/webhooks/youzan", {
        method: "POST",
        headers: { "content-type": "application/json", "event-sign": "0".repeat(32) },
        body,
      }),
      undefined,
    );
  }

  it("a forged push whose JSON carries \\u0000 is refused with a 4xx and recorded", async () => {
    // Valid JSON; the escape becomes a NUL character, which PostgreSQL text cannot store.
    const body = '{"type":"trade_TradePaid\\u0000","id":"E1","msg":"%7B%7D","msg_id":"x"}';
    const response = await postWebhook(body);
    expect(response.status).toBe(401);
    expect(await t.db().$count(webhookInbox)).toBe(1);
  });

  it("a push is counted while answered (the notice sender gives way to it), refused or not", async () => {
    const started = vi.spyOn(paymentsGauge, "started");
    try {
      expect((await postWebhook('{"type":"trade_TradePaid"}\u0000')).status).toBe(400);
      const alipay = await alipayTradeRoute(
        new Request("http://localhost/api/webhooks/alipay/trade", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "notify_type=trade_status_sync&sign=forged",
        }),
        undefined,
      );
      expect(alipay.status).toBe(400);
      expect(started).toHaveBeenCalledTimes(2);
      expect(paymentsGauge.inFlight()).toBe(0);
    } finally {
      started.mockRestore();
    }
  });

  it("a body with a raw NUL byte is refused with a 4xx and recorded", async () => {
    const response = await postWebhook('{"type":"trade_TradePaid"}\u0000');
    expect(response.status).toBe(400);
    expect(await t.db().$count(webhookInbox)).toBe(1);
  });
});

describe("create-order after the time-to-live", () => {
  it("a double click past the TTL answers one new order to every request, never provider_unavailable", async () => {
    // Issue #7, item 7. The first request claims the expired order's final provider check; the
    // nine others read the clock a moment earlier, so their claim finds it taken (the race seen
    // in production) while the first is still asking Youzan. They used to answer 503 at once.
    const expired = await order();
    p.bed.clock.advance(16 * 60);
    const base = p.bed.deps;
    const checking = gate();
    const parked = Array.from({ length: 9 }, () => gate());
    const buy = (deps: typeof base) =>
      createPurchaseOrder(deps, { userId: p.buyerId, productSlug: "side-hustle-handbook" });

    const first = buy({
      ...base,
      youzan: {
        ...base.youzan,
        listReceivedTrades: async (qrId: string) => {
          await checking.pass();
          return base.youzan.listReceivedTrades(qrId);
        },
      },
    });
    await checking.reached(); // the final check is claimed and waiting for the provider
    const others = parked.map((waiting) =>
      buy({
        ...base,
        now: async () => new Date((await base.now()).getTime() - 1),
        sleep: () => waiting.pass(),
      }),
    );
    const done = others.map((call) =>
      call.then(
        () => undefined,
        () => undefined,
      ),
    );
    // Each of the nine has lost the claim and waits, or has already answered.
    await Promise.all(others.map((_, i) => Promise.race([parked[i]!.reached(), done[i]])));
    expect(checking.arrivals).toBe(1);

    checking.open();
    const winner = await first;
    for (const waiting of parked) waiting.open();
    const results = await Promise.allSettled(others);

    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const ids = results.map((r) => (r.status === "fulfilled" ? r.value.id : null));
    expect(new Set(ids)).toEqual(new Set([winner.id]));
    expect(winner.id).not.toBe(expired.id);
    expect(winner.qrId).toBeTruthy();
    expect((await reload(expired.id)).status).toBe("expired");
    expect(
      await t
        .db()
        .$count(orders, and(eq(orders.userId, p.buyerId), eq(orders.productId, winner.productId))),
    ).toBe(2);
  });
});
