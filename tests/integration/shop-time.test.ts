import { eq, getTableColumns, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { orders, users } from "@/db/schema";
import { advanceClock } from "@/lib/clock";
import { withTestDatabase } from "../helpers/db";
import { makeOrder, makeUser } from "../helpers/factories";

const t = withTestDatabase();

const DAY_MS = 86_400_000;
/** Database and test run on one machine; this covers the statements in between. */
const SLACK_MS = 60_000;

function expectAhead(instant: Date, aheadMs: number) {
  const ahead = instant.getTime() - Date.now();
  expect(ahead).toBeGreaterThan(aheadMs - SLACK_MS);
  expect(ahead).toBeLessThan(aheadMs + SLACK_MS);
}

/** An update through drizzle, as the shop's code writes them. */
async function updateOrder(id: string, set: Partial<typeof orders.$inferInsert>) {
  const [row] = await t.db().update(orders).set(set).where(eq(orders.id, id)).returning();
  return row!;
}

describe("updated_at and created_at follow the shop's clock", () => {
  it("updating an order without naming updatedAt stores the sandbox clock's time", async () => {
    const order = await makeOrder(t.db());
    await advanceClock(t.db(), DAY_MS / 1000);
    const updated = await updateOrder(order.id, { status: "expired" });
    expectAhead(updated.updatedAt, DAY_MS);
    // Written before the clock moved: real time.
    expectAhead(updated.createdAt, 0);
  });

  it("with no sandbox clock row (live mode) it is the server's time", async () => {
    const order = await makeOrder(t.db());
    const updated = await updateOrder(order.id, { status: "closed" });
    expectAhead(updated.updatedAt, 0);
  });

  it("an explicit value still wins", async () => {
    const order = await makeOrder(t.db());
    const chosen = new Date("2026-01-02T03:04:05.000Z");
    const updated = await updateOrder(order.id, { status: "closed", updatedAt: chosen });
    expect(updated.updatedAt).toEqual(chosen);
  });

  it("inserts through drizzle take the shop's time too, and so do upserts", async () => {
    await advanceClock(t.db(), DAY_MS / 1000);
    const user = await makeUser(t.db());
    expectAhead(user.createdAt, DAY_MS);
    expectAhead(user.updatedAt, DAY_MS);

    // The same email again: the upsert updates the row without naming updatedAt.
    await advanceClock(t.db(), DAY_MS / 1000);
    const [renamed] = await t
      .db()
      .insert(users)
      .values({ id: "usr_other", email: user.email, passwordHash: "scrypt$x" })
      .onConflictDoUpdate({ target: users.email, set: { name: "Renamed" } })
      .returning();
    expect(renamed!.id).toBe(user.id);
    expectAhead(renamed!.updatedAt, 2 * DAY_MS);
  });

  it("every updated_at column of the schema has an $onUpdate", () => {
    const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));
    const columns = tables.flatMap((table) =>
      Object.values(getTableColumns(table)).filter((column) => column.name === "updated_at"),
    );
    expect(columns.length).toBeGreaterThanOrEqual(5);
    for (const column of columns) expect(column.onUpdateFn, column.name).toBeTypeOf("function");
  });
});
