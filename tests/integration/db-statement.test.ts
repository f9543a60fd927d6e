import { eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { auditLog, deductionLogs, orders, products } from "@/db/schema";
import { rowsOf } from "@/db/rows";
import { bind, statement, type Slots } from "@/db/statement";
import { advanceClock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { withTestDatabase } from "../helpers/db";
import { makeOrder, makeUser } from "../helpers/factories";

/*
 * db/statement.ts: a statement's SQL is built once and run on whichever database or transaction
 * it is handed, with drizzle's own result mapping. Runs on PGlite and on PostgreSQL (the
 * integration tiers): it reads drizzle's prepared queries' internals, which both drivers have.
 */

const t = withTestDatabase();
const DAY_MS = 86_400_000;

const orderWithProduct = statement((db, slot: Slots<{ id: string }>) =>
  db
    .select({ order: orders, product: products })
    .from(orders)
    .leftJoin(products, eq(products.id, orders.productId))
    .where(eq(orders.id, slot.id)),
);

describe("statement", () => {
  it("returns what the builder returns: joined rows mapped to objects, Dates as Dates", async () => {
    const order = await makeOrder(t.db());
    const direct = await t
      .db()
      .select({ order: orders, product: products })
      .from(orders)
      .leftJoin(products, eq(products.id, orders.productId))
      .where(eq(orders.id, order.id));
    const cached = await orderWithProduct.run(t.db(), { id: order.id });
    expect(cached).toEqual(direct);
    expect(cached[0]!.order.createdAt).toBeInstanceOf(Date);
    expect(cached[0]!.product?.id).toBe(order.productId);
    expect(await orderWithProduct.run(t.db(), { id: "ord_missing" })).toEqual([]);
  });

  it("builds its SQL once, then runs it on the pool and inside transactions alike", async () => {
    const build = vi.fn((db: Db, slot: Slots<{ id: string }>) =>
      db.select({ id: orders.id }).from(orders).where(eq(orders.id, slot.id)),
    );
    const byId = statement(build);
    const a = await makeOrder(t.db());
    const b = await makeOrder(t.db());
    expect(await byId.run(t.db(), { id: a.id })).toEqual([{ id: a.id }]);
    await t.db().transaction(async (tx) => {
      expect(await byId.run(tx, { id: b.id })).toEqual([{ id: b.id }]);
      // Inside the transaction: it sees the transaction's own writes.
      await tx.update(orders).set({ status: "closed" }).where(eq(orders.id, b.id));
      const statusOf = statement((db, slot: Slots<{ id: string }>) =>
        db.select({ status: orders.status }).from(orders).where(eq(orders.id, slot.id)),
      );
      expect(await statusOf.run(tx, { id: b.id })).toEqual([{ status: "closed" }]);
    });
    expect(build).toHaveBeenCalledTimes(1);
    expect(byId.text(t.db())).toMatch(/where "orders"\."id" = \$1/);
  });

  it("a rolled-back transaction's writes through a statement are gone", async () => {
    const order = await makeOrder(t.db());
    const close = statement((db, slot: Slots<{ id: string }>) =>
      db
        .update(orders)
        .set({ status: "closed" })
        .where(eq(orders.id, slot.id))
        .returning({ id: orders.id }),
    );
    await expect(
      t.db().transaction(async (tx) => {
        expect(await close.run(tx, { id: order.id })).toEqual([{ id: order.id }]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const [row] = await t.db().select().from(orders).where(eq(orders.id, order.id));
    expect(row!.status).toBe("pending");
  });

  it("encodes values as their columns do, nulls included (a null Date, a null JSON value)", async () => {
    const order = await makeOrder(t.db());
    const log = statement(
      (db, slot: Slots<{ orderId: string; request: object | null; response: object | null }>) =>
        db
          .insert(deductionLogs)
          .values({
            provider: "alipay",
            apiMethod: "alipay.trade.pay",
            orderId: slot.orderId,
            request: slot.request,
            response: slot.response,
            outcome: "succeeded",
          })
          .returning(),
    );
    const [row] = await log.run(t.db(), {
      orderId: order.id,
      request: { out_trade_no: "订单-1", amount: "9.90" },
      response: null,
    });
    expect(row!.request).toEqual({ out_trade_no: "订单-1", amount: "9.90" });
    // SQL NULL, not the JSON value null.
    const result = await t
      .db()
      .execute(sql`select response is null as is_null from deduction_logs where id = ${row!.id}`);
    expect(rowsOf(result)).toEqual([{ is_null: true }]);

    const paidAt = statement((db, slot: Slots<{ id: string; paidAt: Date | null }>) =>
      db
        .update(orders)
        .set({ paidAt: bind(slot.paidAt, orders.paidAt) })
        .where(eq(orders.id, slot.id))
        .returning({ paidAt: orders.paidAt }),
    );
    const at = new Date("2026-02-28T16:00:00.123Z");
    expect(await paidAt.run(t.db(), { id: order.id, paidAt: at })).toEqual([{ paidAt: at }]);
    expect(await paidAt.run(t.db(), { id: order.id, paidAt: null })).toEqual([{ paidAt: null }]);
  });

  it("column defaults stay SQL: a row inserted after the sandbox clock moved has the shop's time", async () => {
    const user = await makeUser(t.db());
    const audit = statement((db, slot: Slots<{ targetId: string }>) =>
      db
        .insert(auditLog)
        .values({ actorKind: "cron", action: "test.statement", targetId: slot.targetId })
        .returning({ createdAt: auditLog.createdAt }),
    );
    const [before] = await audit.run(t.db(), { targetId: user.id });
    await advanceClock(t.db(), DAY_MS / 1000);
    const [after] = await audit.run(t.db(), { targetId: user.id });
    const moved = after!.createdAt.getTime() - before!.createdAt.getTime();
    expect(moved).toBeGreaterThan(DAY_MS - 60_000);
    expect(moved).toBeLessThan(DAY_MS + 60_000);
  });

  it("a missing or undefined value is refused with its name, before anything is sent", async () => {
    const byId = statement((db, slot: Slots<{ id: string }>) =>
      db.select({ id: orders.id }).from(orders).where(eq(orders.id, slot.id)),
    );
    await expect(byId.run(t.db(), { id: undefined as unknown as string })).rejects.toThrow(
      'no value for "id"',
    );
    await expect(byId.run(t.db(), {} as { id: string })).rejects.toThrow(/"id"/);
  });

  it.runIf(getEnv().database.kind === "postgres")(
    "on PostgreSQL it is a named prepared statement of the transaction's connection",
    async () => {
      const order = await makeOrder(t.db());
      await t.db().transaction(async (tx) => {
        await orderWithProduct.run(tx, { id: order.id });
        const rows = (await tx.execute(
          sql`select count(*)::int as n from pg_prepared_statements where statement = ${orderWithProduct.text(tx)}`,
        )) as unknown as { n: number }[];
        expect(rows[0]!.n).toBe(1);
      });
    },
  );
});
