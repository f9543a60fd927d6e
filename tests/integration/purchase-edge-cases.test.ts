import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as youzanWebhookRoute } from "@/app/api/webhooks/youzan/route";
import type { Db } from "@/db/client";
import { entitlements, orders, payments, webhookInbox, type Order } from "@/db/schema";
import { createPurchaseOrder } from "@/lib/orders/create-order";
import { reconcileOrders } from "@/lib/orders/reconcile";
import { makeUser } from "../helpers/factories";
import { seed, withTestDatabase } from "../helpers/db";
import { youzanTestbed, type YouzanTestbed } from "../helpers/youzan-testbed";

/*
 * Edge cases found in a review of the purchase flow: races between buy requests, payments that
 * arrive after the time-to-live with their pushes lost, and NUL characters in deliveries. Each
 * test failed before the fix it documents.
 */

const t = withTestDatabase();
let bed: YouzanTestbed;
let buyerId: string;

beforeEach(async () => {
  await seed(t.db());
  buyerId = (await makeUser(t.db())).id;
  bed = await youzanTestbed(t.db());
});
afterEach(async () => {
  // Let pushes the sandbox started in the background land inside this test, not the next one.
  await bed.sandbox.tick().catch(() => {});
  await bed.close();
});

async function order(slug = "side-hustle-handbook"): Promise<Order> {
  return createPurchaseOrder(bed.deps, { userId: buyerId, productSlug: slug });
}

async function reload(db: Db, id: string): Promise<Order> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  return row!;
}

async function deliverAll(steps = 4) {
  for (let i = 0; i < steps; i++) {
    await bed.sandbox.tick();
    bed.clock.advance(2);
  }
}

describe("create-order", () => {
  it("two overlapping buy requests share one order: one QR code, one payment, one grant", async () => {
    // A double click / two tabs: the second request starts while the first is still waiting
    // for Youzan's qrcode.create. findOpenPurchase only sees orders that already have a qr_id.
    await bed.sandbox.setFaults({ slowMs: 200 });
    const first = order();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = order();
    const [a, b] = await Promise.all([first, second]);
    await bed.sandbox.setFaults({ slowMs: 0 });

    // The buyer scans and pays whatever QR codes they were shown.
    for (const qrId of new Set([a.qrId!, b.qrId!])) await bed.sandbox.pay({ qrId });
    await deliverAll();

    const paidOrders = await t
      .db()
      .$count(
        orders,
        and(
          eq(orders.userId, buyerId),
          eq(orders.productId, a.productId),
          eq(orders.status, "paid"),
        ),
      );
    const grants = await t
      .db()
      .$count(
        entitlements,
        and(eq(entitlements.userId, buyerId), eq(entitlements.productId, a.productId)),
      );
    // Today: two orders, both paid, two grants of the same content.
    expect({ paidOrders, grants }).toEqual({ paidOrders: 1, grants: 1 });
    expect(b.id).toBe(a.id);
  });
});

describe("expiry and reconcile", () => {
  it("a payment after the TTL on a scan opened before it is found by reconcile even with its push lost", async () => {
    await bed.sandbox.setFaults({ pushLost: true });
    const o = await order();
    // The buyer opens the QR at minute 14: Youzan keeps that trade payable until minute 44.
    bed.clock.advance(14 * 60);
    await bed.sandbox.scan(o.qrId!);
    bed.clock.advance(2 * 60);
    await reconcileOrders(bed.deps);
    expect((await reload(t.db(), o.id)).status).toBe("expired");

    await bed.sandbox.pay({ qrId: o.qrId! }); // money received by Youzan at minute 16
    for (let run = 0; run < 6; run++) {
      bed.clock.advance(5 * 60);
      await deliverAll();
      await reconcileOrders(bed.deps);
    }
    // Settle honours late payments, but nothing ever asks Youzan about an expired order.
    expect(await t.db().$count(payments, eq(payments.orderId, o.id))).toBe(1);
    expect((await reload(t.db(), o.id)).status).toBe("paid");
  });

  it("a payment before the TTL hidden by a lagging trade list is found later even with its push lost", async () => {
    // Spec §3.3/§8: lists lag ≥ 30 s behind the payment; pushes can be lost entirely.
    await bed.sandbox.setFaults({ pushLost: true, tradeVisibleAfterSeconds: 60 });
    const o = await order();
    bed.clock.advance(14 * 60 + 40);
    await bed.sandbox.pay({ qrId: o.qrId! }); // paid at 14:40, inside the TTL
    bed.clock.advance(30); // 15:10: the "final check" does not see the payment yet
    await reconcileOrders(bed.deps);
    expect((await reload(t.db(), o.id)).status).toBe("expired");

    for (let run = 0; run < 6; run++) {
      bed.clock.advance(5 * 60);
      await deliverAll();
      await reconcileOrders(bed.deps);
    }
    expect(await t.db().$count(payments, eq(payments.orderId, o.id))).toBe(1);
    expect((await reload(t.db(), o.id)).status).toBe("paid");
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

  it("a body with a raw NUL byte is refused with a 4xx and recorded", async () => {
    const response = await postWebhook('{"type":"trade_TradePaid"}\u0000');
    expect(response.status).toBe(400);
    expect(await t.db().$count(webhookInbox)).toBe(1);
  });
});
