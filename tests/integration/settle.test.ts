import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, entitlements, notices, orders, payments, type Order } from "@/db/schema";
import { settlePayment, type PaidTrade } from "@/lib/orders/settle";
import { makeAgreement, makeOrder, makeProduct } from "../helpers/factories";
import { withTestDatabase } from "../helpers/db";
import { statementsOf } from "../helpers/statements";

const t = withTestDatabase();
let order: Order;

beforeEach(async () => {
  order = await makeOrder(t.db(), { amountFen: 990 });
});

const trade = (tradeNo: string, amountFen = 990): PaidTrade => ({
  provider: "youzan",
  tradeNo,
  amountFen,
  paidAt: new Date("2026-11-22T02:00:00Z"),
});

async function state() {
  const db = t.db();
  const [row] = await db.select().from(orders).where(eq(orders.id, order.id));
  return {
    status: row!.status,
    payments: (await db.select().from(payments)).map((p) => [p.providerTradeNo, p.status]),
    grants: await db.$count(entitlements),
  };
}

describe("settlePayment", () => {
  it("ten concurrent settlements of one trade: one payment, one paid order, one grant", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => settlePayment(t.db(), order.id, trade("E1"))),
    );
    expect(results.filter((r) => r.outcome === "settled")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "already_settled")).toHaveLength(9);
    expect(await state()).toEqual({ status: "paid", payments: [["E1", "paid"]], grants: 1 });
    expect(await t.db().$count(auditLog, eq(auditLog.action, "order.paid"))).toBe(1);
  });

  it("two different trades racing for one order: one pays it, the other is kept for a refund", async () => {
    const results = await Promise.all([
      settlePayment(t.db(), order.id, trade("E1")),
      settlePayment(t.db(), order.id, trade("E2")),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["duplicate_payment", "settled"]);
    const s = await state();
    expect(s.status).toBe("paid");
    expect(s.grants).toBe(1);
    expect(s.payments.map(([, status]) => status).sort()).toEqual(["mismatch", "paid"]);
  });

  it("a wrong amount flags the order for review; the right amount afterwards does not pay it", async () => {
    expect((await settlePayment(t.db(), order.id, trade("E1", 1))).outcome).toBe("amount_mismatch");
    expect((await settlePayment(t.db(), order.id, trade("E2"))).outcome).toBe("order_not_payable");
    const s = await state();
    expect(s).toMatchObject({ status: "review", grants: 0 });
  });

  it("a second paid order for content the buyer owns is flagged for a refund, not granted again", async () => {
    await settlePayment(t.db(), order.id, trade("E1"));
    const again = await makeOrder(t.db(), {
      userId: order.userId,
      productId: order.productId,
      amountFen: 990,
    });
    const result = await settlePayment(t.db(), again.id, trade("E2"));
    expect(result.outcome).toBe("duplicate_payment");
    expect(result.order.status).toBe("review");
    expect(result.order.reviewReason).toContain("already_owned");
    expect(await t.db().$count(entitlements)).toBe(1);
  });

  it("settles in eight statements: the order's lock, the buyer's, the facts; five writes", async () => {
    // A payment is the shop's hottest write: a statement more costs every push (PERFORMANCE.md).
    const { result, statements } = await statementsOf(t.db(), () =>
      settlePayment(t.db(), order.id, trade("E1")),
    );
    expect(result.outcome).toBe("settled");
    const sent = statements.filter((text) => !/^\s*(begin|commit)\b/i.test(text));
    expect(sent, sent.join("\n---\n")).toHaveLength(8);
    expect(sent[0]).toMatch(/from "orders".*for update of "orders"/s);
    expect(sent[1]).toMatch(/from "users".*for update of "users"/s);
    expect(sent[2]).toMatch(
      /from payments p.*for update.*from entitlements e.*max\(e\.expires_at\)/s,
    );
    // The receipt and the owner's alert: one insert of both.
    expect(sent.filter((text) => /insert into notices/.test(text))).toHaveLength(1);
    const written = await t
      .db()
      .select()
      .from(notices)
      .where(eq(notices.eventKey, `order:${order.id}`));
    expect(
      written.map((n) => [n.kind, n.recipient === "owner" ? "owner" : "buyer"]).sort(),
    ).toEqual([
      ["owner_new_order", "owner"],
      ["receipt", "buyer"],
    ]);
    // A replay reads the same facts and writes nothing.
    const again = await statementsOf(t.db(), () => settlePayment(t.db(), order.id, trade("E1")));
    expect(again.result.outcome).toBe("already_settled");
    expect(again.statements.filter((text) => !/^\s*(begin|commit)\b/i.test(text))).toHaveLength(3);
  });

  it("the same trade number at two providers is two trades", async () => {
    const other = await makeOrder(t.db(), { amountFen: 990 });
    await settlePayment(t.db(), order.id, trade("T-SAME"));
    const result = await settlePayment(t.db(), other.id, {
      ...trade("T-SAME"),
      provider: "alipay",
    });
    expect(result.outcome).toBe("settled");
  });

  it("a credit pack grants its credits; refuses amounts that are not integer fen", async () => {
    const pack = await makeProduct(t.db(), { kind: "credit_pack", credits: 10, priceFen: 2000 });
    const packOrder = await makeOrder(t.db(), {
      productId: pack.id,
      userId: order.userId,
      amountFen: 2000,
    });
    await settlePayment(t.db(), packOrder.id, trade("E9", 2000));
    const [grant] = await t
      .db()
      .select()
      .from(entitlements)
      .where(eq(entitlements.orderId, packOrder.id));
    expect(grant).toMatchObject({ kind: "credits", credits: 10 });
    await expect(settlePayment(t.db(), order.id, trade("E10", 9.9))).rejects.toThrow(RangeError);
  });
});

describe("settlePayment of membership periods", () => {
  const DAY = 86_400_000;
  const now = new Date("2026-11-30T04:00:00Z");

  it("periods of one buyer settling at once stack: each extends from the other's end", async () => {
    const db = t.db();
    const agreement = await makeAgreement(db, { status: "active" });
    const periods = await Promise.all(
      [1, 2, 3, 4].map((periodIndex) =>
        makeOrder(db, {
          userId: agreement.userId,
          productId: agreement.productId,
          provider: "alipay",
          kind: "renewal",
          agreementId: agreement.id,
          periodIndex,
          amountFen: 990,
        }),
      ),
    );
    const results = await Promise.all(
      periods.map((p, i) =>
        settlePayment(db, p.id, { ...trade(`A${i}`), provider: "alipay" }, now),
      ),
    );
    expect(results.map((r) => r.outcome)).toEqual(["settled", "settled", "settled", "settled"]);
    const grants = await db
      .select()
      .from(entitlements)
      .where(eq(entitlements.userId, agreement.userId))
      .orderBy(entitlements.startsAt);
    expect(grants.map((g) => [g.startsAt, g.expiresAt])).toEqual(
      [0, 1, 2, 3].map((i) => [
        new Date(now.getTime() + i * 30 * DAY),
        new Date(now.getTime() + (i + 1) * 30 * DAY),
      ]),
    );
  });

  it("a replayed period changes nothing", async () => {
    const db = t.db();
    const agreement = await makeAgreement(db, { status: "active" });
    const period = await makeOrder(db, {
      userId: agreement.userId,
      productId: agreement.productId,
      provider: "alipay",
      kind: "membership_initial",
      agreementId: agreement.id,
      periodIndex: 1,
    });
    const paid = { ...trade("A1"), provider: "alipay" as const };
    expect((await settlePayment(db, period.id, paid, now)).outcome).toBe("settled");
    expect((await settlePayment(db, period.id, paid, now)).outcome).toBe("already_settled");
    expect(await db.$count(entitlements, eq(entitlements.orderId, period.id))).toBe(1);
  });
});
