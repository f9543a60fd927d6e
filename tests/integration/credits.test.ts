import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, creditBalances, creditEntries, entitlements } from "@/db/schema";
import { creditSummary, recordCreditUse } from "@/lib/credits/ledger";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { checkYouzanOrder } from "@/lib/orders/check-status";
import { settlePayment, type PaidTrade } from "@/lib/orders/settle";
import { recordManualRefund } from "@/lib/refunds/manual";
import { withTestDatabase } from "../helpers/db";
import { makeOrder, makeProduct, makeUser } from "../helpers/factories";
import { gate } from "../helpers/gate";
import { withPurchaseTestbed } from "../helpers/purchase-testbed";

/*
 * Issue #12, the credit ledger: a paid pack is granted once however often it is settled; the
 * owner's uses take the balance down and are refused, with nothing written, when it is too low;
 * a double-submitted form records one use; a full refund takes back what is left of the pack.
 * Acceptance 5: two uses at once on a balance of one — one passes, the other is refused, the
 * balance is 0 (on PostgreSQL the two really race, held at the balance row's lock together).
 */

const t = withTestDatabase();
const db = () => t.db();
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
let keys = 0;
/** A form's one-time key, as the admin page renders one. */
const requestKey = () => `test-key-${String(++keys).padStart(8, "0")}-${crypto.randomUUID()}`;

const trade = (tradeNo: string, amountFen: number): PaidTrade => ({
  provider: "youzan",
  tradeNo,
  amountFen,
  paidAt: new Date("2026-12-01T02:00:00Z"),
});

/** A Youzan order for a pack of `credits`, paid and settled as the shop settles one. */
async function paidPack(userId: string, credits = 10) {
  const pack = await makeProduct(db(), { kind: "credit_pack", credits, priceFen: 2000 });
  const order = await makeOrder(db(), { userId, productId: pack.id, amountFen: 2000 });
  const settled = await settlePayment(db(), order.id, trade(`T-${order.id}`, 2000));
  expect(settled.outcome).toBe("settled");
  return order;
}

async function ledger(userId: string) {
  const [balance] = await db()
    .select({ balance: creditBalances.balance })
    .from(creditBalances)
    .where(eq(creditBalances.userId, userId));
  const entries = await db()
    .select({
      kind: creditEntries.kind,
      delta: creditEntries.delta,
      after: creditEntries.balanceAfter,
    })
    .from(creditEntries)
    .where(eq(creditEntries.userId, userId))
    .orderBy(creditEntries.createdAt, creditEntries.balanceAfter);
  return { balance: balance?.balance ?? null, entries };
}

const countUseAudits = () => db().$count(auditLog, eq(auditLog.action, "credits.use_recorded"));

async function people() {
  const buyer = await makeUser(db());
  const admin = await makeUser(db(), { role: "admin" });
  return { buyer, admin };
}

describe("grants", () => {
  describe("through the Youzan sandbox", () => {
    const p = withPurchaseTestbed(t);

    it("push, poll and reconcile all settling one paid pack grant its 10 credits once", async () => {
      await p.bed.sandbox.setFaults({ pushDuplicates: 3 });
      const order = await p.order("credits-10");
      await p.bed.sandbox.pay({ qrId: order.qrId! });
      // The push (three times over), the buyer's poll and the reconcile job, all at once.
      await Promise.all([
        p.deliverAll(),
        checkYouzanOrder(p.bed.deps, order),
        reconcileOrders(p.bed.deps),
      ]);
      await p.bed.settle();
      await checkYouzanOrder(p.bed.deps, await p.reload(order.id));
      await reconcileOrders(p.bed.deps);
      expect((await p.reload(order.id)).status).toBe("paid");
      expect(await ledger(p.buyerId)).toEqual({
        balance: 10,
        entries: [{ kind: "grant", delta: 10, after: 10 }],
      });
      const [entry] = await db().select().from(creditEntries);
      expect(entry).toMatchObject({ orderId: order.id, userId: p.buyerId });
    });
  });

  it("settlement run three times (one after another and at once) grants once", async () => {
    const { buyer } = await people();
    const pack = await makeProduct(db(), { kind: "credit_pack", credits: 10, priceFen: 2000 });
    const order = await makeOrder(db(), { userId: buyer.id, productId: pack.id, amountFen: 2000 });
    const results = await Promise.all(
      [1, 2, 3].map(() => settlePayment(db(), order.id, trade("T-1", 2000))),
    );
    expect(results.map((r) => r.outcome).sort()).toEqual([
      "already_settled",
      "already_settled",
      "settled",
    ]);
    expect((await settlePayment(db(), order.id, trade("T-1", 2000))).outcome).toBe(
      "already_settled",
    );
    expect(await ledger(buyer.id)).toEqual({
      balance: 10,
      entries: [{ kind: "grant", delta: 10, after: 10 }],
    });
  });

  it("a second grant of one order is refused by the database (credit_entries_order_kind_uq)", async () => {
    const { buyer } = await people();
    const order = await paidPack(buyer.id);
    await expect(
      db().insert(creditEntries).values({
        id: "cre_second",
        userId: buyer.id,
        kind: "grant",
        delta: 10,
        balanceAfter: 20,
        orderId: order.id,
      }),
    ).rejects.toThrow();
  });

  it("packs add up; the summary lists the entries newest first with their order numbers", async () => {
    const { buyer } = await people();
    const first = await paidPack(buyer.id, 10);
    const second = await paidPack(buyer.id, 5);
    const summary = await creditSummary(db(), buyer.id);
    expect(summary).toMatchObject({ balance: 15, hasLedger: true, more: false });
    expect(summary.entries.map((e) => [e.kind, e.delta, e.balanceAfter, e.orderNo])).toEqual([
      ["grant", 5, 15, second.orderNo],
      ["grant", 10, 10, first.orderNo],
    ]);
    expect(await creditSummary(db(), buyer.id, { limit: 1 })).toMatchObject({ more: true });
    expect(await creditSummary(db(), (await makeUser(db())).id)).toEqual({
      balance: 0,
      hasLedger: false,
      entries: [],
      more: false,
    });
  });
});

describe("uses", () => {
  it("take the balance down, with the note, who recorded it and an audit row", async () => {
    const { buyer, admin } = await people();
    await paidPack(buyer.id, 10);
    const result = await recordCreditUse(db(), {
      userId: buyer.id,
      note: "  一对一咨询：简历修改  ",
      actorId: admin.id,
      requestKey: requestKey(),
    });
    expect(result).toMatchObject({ ok: true, balance: 9, repeated: false });
    await recordCreditUse(db(), {
      userId: buyer.id,
      amount: "3",
      note: "三次咨询",
      actorId: admin.id,
      requestKey: requestKey(),
    });
    expect(await ledger(buyer.id)).toEqual({
      balance: 6,
      entries: [
        { kind: "grant", delta: 10, after: 10 },
        { kind: "use", delta: -1, after: 9 },
        { kind: "use", delta: -3, after: 6 },
      ],
    });
    const summary = await creditSummary(db(), buyer.id);
    expect(summary.entries[1]).toMatchObject({
      kind: "use",
      note: "一对一咨询：简历修改",
      actorEmail: admin.email,
      orderNo: null,
    });
    const [audit] = await db()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "credits.use_recorded"))
      .orderBy(auditLog.id);
    expect(audit).toMatchObject({
      actorKind: "user",
      actorUserId: admin.id,
      targetType: "user",
      targetId: buyer.id,
      details: { amount: 1, before: { balance: 10 }, after: { balance: 9 } },
    });
  });

  it("too few credits (or none ever) is refused with the balance, and nothing is written", async () => {
    const { buyer, admin } = await people();
    await paidPack(buyer.id, 1);
    const before = await ledger(buyer.id);
    expect(
      await recordCreditUse(db(), {
        userId: buyer.id,
        amount: 2,
        note: "两次咨询",
        actorId: admin.id,
        requestKey: requestKey(),
      }),
    ).toEqual({ ok: false, reason: "insufficient_credits", balance: 1 });
    expect(await ledger(buyer.id)).toEqual(before);
    const stranger = await makeUser(db());
    expect(
      await recordCreditUse(db(), {
        userId: stranger.id,
        note: "咨询",
        actorId: admin.id,
        requestKey: requestKey(),
      }),
    ).toEqual({ ok: false, reason: "insufficient_credits", balance: 0 });
    expect(await ledger(stranger.id)).toEqual({ balance: null, entries: [] });
    expect(await countUseAudits()).toBe(0);
  });

  it("bad input is refused before anything is written", async () => {
    const { buyer, admin } = await people();
    await paidPack(buyer.id, 10);
    const base = { userId: buyer.id, actorId: admin.id, requestKey: requestKey(), note: "咨询" };
    await expect(recordCreditUse(db(), { ...base, note: "   " })).rejects.toMatchObject({
      code: "validation_failed",
      fields: { note: ["credits.note_required"] },
    });
    await expect(recordCreditUse(db(), { ...base, amount: 101 })).rejects.toMatchObject({
      fields: { amount: ["credits.amount_invalid"] },
    });
    await expect(recordCreditUse(db(), { ...base, amount: "1.5" })).rejects.toMatchObject({
      code: "validation_failed",
    });
    expect((await ledger(buyer.id)).balance).toBe(10);
  });

  it("one request key records one use: a resubmit, even at the same moment, gets the first result", async () => {
    const { buyer, admin } = await people();
    await paidPack(buyer.id, 10);
    const use = { userId: buyer.id, note: "一次咨询", actorId: admin.id, requestKey: requestKey() };
    const first = await recordCreditUse(db(), use);
    const again = await recordCreditUse(db(), use);
    expect(first).toMatchObject({ ok: true, balance: 9, repeated: false });
    expect(again).toMatchObject({ ok: true, balance: 9, repeated: true });
    expect(again.ok && first.ok && again.entry.id === first.entry.id).toBe(true);

    const racing = { ...use, requestKey: requestKey() };
    const both = await Promise.all([recordCreditUse(db(), racing), recordCreditUse(db(), racing)]);
    expect(both.map((r) => r.ok && r.balance)).toEqual([8, 8]);
    expect(await ledger(buyer.id)).toMatchObject({ balance: 8 });
    expect((await ledger(buyer.id)).entries.filter((e) => e.kind === "use")).toHaveLength(2);
    expect(await countUseAudits()).toBe(2);
    // A key is one form of one buyer's page: used for another buyer it is refused.
    const other = await makeUser(db());
    await paidPack(other.id, 10);
    await expect(recordCreditUse(db(), { ...use, userId: other.id })).rejects.toMatchObject({
      code: "conflict",
    });
  });
});

describe("acceptance 5: two uses at once on a balance of one", () => {
  async function raceOnBalanceOfOne(holdLock: boolean) {
    const { buyer, admin } = await people();
    await paidPack(buyer.id, 1);
    const recordOne = () =>
      recordCreditUse(db(), {
        userId: buyer.id,
        note: "同时记录的咨询",
        actorId: admin.id,
        requestKey: requestKey(),
      });
    let uses: ReturnType<typeof recordOne>[];
    if (holdLock) {
      // The balance row held by a third transaction until both uses wait on it: they reach the
      // database before either commits (pg_stat_activity counts them), then race for it.
      const release = gate();
      const holder = db().transaction(async (tx) => {
        await tx.execute(
          sql`SELECT balance FROM credit_balances WHERE user_id = ${buyer.id} FOR UPDATE`,
        );
        await release.pass();
      });
      await release.reached();
      uses = [recordOne(), recordOne()];
      await waitForLockWaiters(2);
      release.open();
      await holder;
    } else {
      uses = [recordOne(), recordOne()];
    }
    const results = await Promise.all(uses);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, reason: "insufficient_credits", balance: 0 },
    ]);
    expect(await ledger(buyer.id)).toEqual({
      balance: 0,
      entries: [
        { kind: "grant", delta: 1, after: 1 },
        { kind: "use", delta: -1, after: 0 },
      ],
    });
    expect(await countUseAudits()).toBe(1);
  }

  /** Until `n` sessions of this database wait on a lock (PostgreSQL only). */
  async function waitForLockWaiters(n: number) {
    for (let i = 0; i < 500; i++) {
      const [row] = await db()
        .select({ n: sql<number>`count(*)::int` })
        .from(sql`pg_stat_activity`)
        .where(sql`datname = current_database() AND wait_event_type = 'Lock'`);
      if ((row?.n ?? 0) >= n) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`fewer than ${n} sessions ever waited on the balance row`);
  }

  it("Promise.all: exactly one succeeds, the balance is 0, one use entry", async () => {
    await raceOnBalanceOfOne(false);
  });

  it.skipIf(!onPostgres)(
    "on PostgreSQL, both waiting on the balance row together: the CHECK refuses the second",
    async () => {
      await raceOnBalanceOfOne(true);
    },
  );
  // PGlite has one connection: transactions run one after the other, so the uses cannot overlap
  // there; the test above still checks the outcome serially.

  it("the database itself refuses a negative balance (credit_balances_nonnegative)", async () => {
    const { buyer } = await people();
    await paidPack(buyer.id, 1);
    await expect(
      db().execute(sql`UPDATE credit_balances SET balance = -1 WHERE user_id = ${buyer.id}`),
    ).rejects.toSatisfy((error: unknown) =>
      String((error as { cause?: unknown }).cause ?? error).includes("credit_balances_nonnegative"),
    );
    expect((await ledger(buyer.id)).balance).toBe(1);
  });
});

describe("refunds of a credit pack", () => {
  async function refundInFull(orderNo: string, actorUserId: string) {
    return recordManualRefund(
      { db: db(), now: async () => new Date("2026-12-02T02:00:00Z") },
      { orderNo, note: "退回微信转账", actorUserId },
    );
  }

  async function useCredits(userId: string, actorId: string, amount: number) {
    const result = await recordCreditUse(db(), {
      userId,
      amount,
      note: `${amount} 次咨询`,
      actorId,
      requestKey: requestKey(),
    });
    expect(result.ok).toBe(true);
  }

  it("after 3 of 10 used, a full refund takes the 7 left; the grant is revoked", async () => {
    const { buyer, admin } = await people();
    const order = await paidPack(buyer.id, 10);
    await useCredits(buyer.id, admin.id, 3);
    const refunded = await refundInFull(order.orderNo, admin.id);
    expect(refunded.after[0]).toMatchObject({ grantRevoked: true, creditsTakenBack: 7 });
    expect(await ledger(buyer.id)).toEqual({
      balance: 0,
      entries: [
        { kind: "grant", delta: 10, after: 10 },
        { kind: "use", delta: -3, after: 7 },
        { kind: "refund", delta: -7, after: 0 },
      ],
    });
    const [refundEntry] = await db()
      .select()
      .from(creditEntries)
      .where(eq(creditEntries.kind, "refund"));
    expect(refundEntry).toMatchObject({ orderId: order.id });
    const [grant] = await db()
      .select()
      .from(entitlements)
      .where(eq(entitlements.orderId, order.id));
    expect(grant!.revokedAt).not.toBeNull();
  });

  it("after all 10 used, a full refund takes nothing and writes no entry", async () => {
    const { buyer, admin } = await people();
    const order = await paidPack(buyer.id, 10);
    await useCredits(buyer.id, admin.id, 10);
    const refunded = await refundInFull(order.orderNo, admin.id);
    expect(refunded.after[0]).toMatchObject({ grantRevoked: true, creditsTakenBack: 0 });
    expect(await ledger(buyer.id)).toEqual({
      balance: 0,
      entries: [
        { kind: "grant", delta: 10, after: 10 },
        { kind: "use", delta: -10, after: 0 },
      ],
    });
  });

  it("two packs, 3 used, one refunded: its 10 go, the other pack's 7 stay", async () => {
    const { buyer, admin } = await people();
    const first = await paidPack(buyer.id, 10);
    await paidPack(buyer.id, 10);
    await useCredits(buyer.id, admin.id, 3);
    await refundInFull(first.orderNo, admin.id);
    expect(await ledger(buyer.id)).toMatchObject({ balance: 7 });
    const refunds = await db()
      .select()
      .from(creditEntries)
      .where(and(eq(creditEntries.userId, buyer.id), eq(creditEntries.kind, "refund")));
    expect(refunds).toEqual([
      expect.objectContaining({ orderId: first.id, delta: -10, balanceAfter: 7 }),
    ]);
    // The buyer can still use what is left, and no more.
    await useCredits(buyer.id, admin.id, 7);
    expect(
      await recordCreditUse(db(), {
        userId: buyer.id,
        note: "再一次",
        actorId: admin.id,
        requestKey: requestKey(),
      }),
    ).toMatchObject({ ok: false, balance: 0 });
  });
});
