import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { chargeAttempts, orders } from "@/db/schema";
import { newPeriodOrderWithAttempt, periodOrderOf } from "@/lib/subscriptions/period-order";
import { withTestDatabase } from "../helpers/db";
import { makeAgreement } from "../helpers/factories";

/*
 * lib/subscriptions/period-order.ts: a renewal's order and its first attempt are written by one
 * statement (db/queries/agreements.ts insertPeriodOrderWithAttempt) — both or neither.
 */

const t = withTestDatabase();
const deps = () => ({ db: t.db(), now: async () => new Date("2026-12-01T08:00:00Z") });

describe("a period's order with its first attempt", () => {
  it("writes the renewal order and attempt 1 (out_trade_no = the order number), decoded as rows", async () => {
    const agreement = await makeAgreement(t.db(), { status: "active", currentPeriod: 2 });
    const made = await newPeriodOrderWithAttempt(deps(), agreement, 2, null);
    expect(made).not.toBeNull();
    const { order, attempt } = made!;
    expect(order).toMatchObject({
      agreementId: agreement.id,
      periodIndex: 2,
      kind: "renewal",
      provider: "alipay",
      status: "pending",
      amountFen: agreement.singleAmountFen,
      userId: agreement.userId,
    });
    expect(order.createdAt).toBeInstanceOf(Date);
    expect(attempt).toMatchObject({
      agreementId: agreement.id,
      orderId: order.id,
      periodIndex: 2,
      attemptNo: 1,
      outTradeNo: order.orderNo,
      amountFen: order.amountFen,
      status: "pending",
      tradeNo: null,
      billingRunId: null,
      finishedAt: null,
    });
    expect(attempt.createdAt).toBeInstanceOf(Date);
    // What was returned is what is stored.
    const [stored] = await t.db().select().from(orders).where(eq(orders.id, order.id));
    expect(stored).toEqual(order);
    const [storedAttempt] = await t
      .db()
      .select()
      .from(chargeAttempts)
      .where(eq(chargeAttempts.id, attempt.id));
    expect(storedAttempt).toEqual(attempt);
  });

  it("when the period has its order already: null, and no attempt is written", async () => {
    const agreement = await makeAgreement(t.db(), { status: "active", currentPeriod: 2 });
    const existing = await periodOrderOf(deps(), agreement, 2, { likelyNew: true });
    expect(await newPeriodOrderWithAttempt(deps(), agreement, 2, null)).toBeNull();
    expect(await t.db().select().from(orders).where(eq(orders.agreementId, agreement.id))).toEqual([
      existing,
    ]);
    expect(await t.db().select().from(chargeAttempts)).toEqual([]);
  });

  it("two callers at once: one order, one attempt", async () => {
    const agreement = await makeAgreement(t.db(), { status: "active", currentPeriod: 3 });
    const results = await Promise.all([
      newPeriodOrderWithAttempt(deps(), agreement, 3, null),
      newPeriodOrderWithAttempt(deps(), agreement, 3, null),
    ]);
    expect(results.filter((made) => made !== null)).toHaveLength(1);
    expect(await t.db().select().from(orders)).toHaveLength(1);
    expect(await t.db().select().from(chargeAttempts)).toHaveLength(1);
  });
});
