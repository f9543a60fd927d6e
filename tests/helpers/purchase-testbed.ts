import { afterEach, beforeEach } from "vitest";
import type { Db } from "@/db/client";
import { findOrderById } from "@/db/queries/orders";
import type { Order } from "@/db/schema";
import { offsetClock } from "@/lib/clock";
import { createPurchaseOrder } from "@/lib/orders/create-order";
import { seed } from "./db";
import { makeUser } from "./factories";
import { youzanTestbed, type YouzanTestbed } from "./youzan-testbed";

export interface PurchaseTestbed {
  /** The shop and the Youzan sandbox of the current test. */
  readonly bed: YouzanTestbed;
  /** A buyer created for the current test. */
  readonly buyerId: string;
  /** Replaces the current testbed with one built with other options. */
  replaceBed(options: Parameters<typeof youzanTestbed>[1]): Promise<void>;
  order(slug?: string): Promise<Order>;
  reload(id: string): Promise<Order>;
  /** Runs the sandbox's delivery loop a few times (pushes 1 s apart need the clock). */
  deliverAll(steps?: number): Promise<void>;
}

/**
 * Per test: the seeded catalogue, one buyer and a fresh shop + Youzan sandbox testbed. The
 * sandbox delivers pushes only when a test ticks it, and the testbed's close waits for the work
 * webhooks left running after their reply, so nothing lands in the next test.
 */
export function withPurchaseTestbed(t: { db: () => Db }): PurchaseTestbed {
  let bed: YouzanTestbed | undefined;
  let buyerId: string | undefined;
  const current = () => {
    if (!bed || !buyerId) throw new Error("withPurchaseTestbed: used outside a test");
    return { bed, buyerId };
  };

  beforeEach(async () => {
    await seed(t.db());
    buyerId = (await makeUser(t.db())).id;
    bed = await youzanTestbed(t.db());
  });
  afterEach(async () => {
    await bed?.sandbox.tick().catch(() => {});
    await bed?.close();
    bed = undefined;
  });

  return {
    get bed() {
      return current().bed;
    },
    get buyerId() {
      return current().buyerId;
    },
    async replaceBed(options) {
      await current().bed.close();
      bed = await youzanTestbed(t.db(), options);
    },
    order: (slug = "side-hustle-handbook") =>
      createPurchaseOrder(current().bed.deps, { userId: current().buyerId, productSlug: slug }),
    reload: async (id) => {
      const order = await findOrderById(t.db(), id);
      if (!order) throw new Error(`no order ${id}`);
      return order;
    },
    deliverAll: async (steps = 4) => {
      for (let i = 0; i < steps; i++) {
        await current().bed.sandbox.tick();
        current().bed.clock.advance(2);
      }
    },
  };
}

/**
 * The testbed's deps on the sandbox's stored clock (`offsetClock`, a database read per `now()`),
 * as sandbox mode runs, instead of the test clock: for tests that count a path's statements.
 */
export function onSandboxClock(p: PurchaseTestbed, db: Db) {
  const clock = offsetClock(db);
  return { ...p.bed.deps, clock, now: clock.now };
}
