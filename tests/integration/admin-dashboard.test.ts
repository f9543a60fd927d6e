import { describe, expect, it } from "vitest";
import { billingRuns, chargeAttempts, entitlements, webhookInbox } from "@/db/schema";
import { loadDashboard } from "@/lib/admin/dashboard-overview";
import { newId } from "@/lib/ids";
import { withTestDatabase } from "../helpers/db";
import { makeAgreement, makeOrder, makeProduct, makeUser } from "../helpers/factories";

/*
 * The admin overview's aggregates (issue #11, "Dashboard"): revenue per Shanghai day and channel
 * over 30 days, totals, MRR normalised per month, churn window edges, failing agreements, the
 * inbox's health — on rows seeded across the window.
 */

const t = withTestDatabase();

/** 2026-12-01 23:30 in Shanghai. */
const NOW = new Date("2026-12-01T15:30:00Z");
const at = (iso: string) => new Date(iso);

async function paid(
  kind: "purchase" | "membership_initial" | "renewal",
  amountFen: number,
  paidAt: Date,
  status: "paid" | "refunded" | "review" = "paid",
) {
  const db = t.db();
  if (kind === "purchase") {
    return makeOrder(db, { kind, provider: "youzan", amountFen, status, paidAt });
  }
  const agreement = await makeAgreement(db);
  return makeOrder(db, {
    kind,
    provider: "alipay",
    amountFen,
    status,
    paidAt,
    userId: agreement.userId,
    productId: agreement.productId,
    agreementId: agreement.id,
    periodIndex: kind === "renewal" ? 2 : 1,
  });
}

describe("revenue per Shanghai day and channel", () => {
  it("sums each day's paid orders per channel over exactly 30 days, today included", async () => {
    // Today (Shanghai 2026-12-01): youzan 990 + 1990, first 3000, renewal 990 + 990.
    await paid("purchase", 990, at("2026-12-01T01:00:00Z"));
    await paid("purchase", 1990, at("2026-11-30T16:00:00Z")); // 00:00 on Dec 1 in Shanghai
    await paid("membership_initial", 3000, at("2026-12-01T10:00:00Z"));
    await paid("renewal", 990, at("2026-12-01T15:29:00Z"));
    await paid("renewal", 990, at("2026-12-01T02:00:00Z"));
    // Yesterday: 23:59:59 on Nov 30 in Shanghai is 15:59:59 UTC.
    await paid("purchase", 4900, at("2026-11-30T15:59:59Z"));
    // Six days ago (the 7-day total's first day) and seven days ago (outside it).
    await paid("renewal", 3000, at("2026-11-25T04:00:00Z"));
    await paid("membership_initial", 990, at("2026-11-24T04:00:00Z"));
    // The chart's first day (Nov 2) at its first instant, and the day before (outside).
    await paid("purchase", 500, at("2026-11-01T16:00:00Z"));
    await paid("purchase", 700, at("2026-11-01T15:59:59Z"));
    // Not revenue: refunded, in review, pending.
    await paid("purchase", 9999, at("2026-12-01T03:00:00Z"), "refunded");
    await paid("purchase", 8888, at("2026-12-01T03:00:00Z"), "review");
    await makeOrder(t.db(), { amountFen: 7777 });

    const data = await loadDashboard(t.db(), NOW);
    expect(data.window).toEqual({ today: "2026-12-01", from7: "2026-11-25", from30: "2026-11-02" });
    expect(data.series).toHaveLength(30);
    expect(data.series[0]).toEqual({
      day: "2026-11-02",
      total: 500,
      youzan: 500,
      alipay_first: 0,
      alipay_renewal: 0,
    });
    const byDay = Object.fromEntries(data.series.map((d) => [d.day, d]));
    expect(byDay["2026-12-01"]).toEqual({
      day: "2026-12-01",
      total: 990 + 1990 + 3000 + 990 + 990,
      youzan: 2980,
      alipay_first: 3000,
      alipay_renewal: 1980,
    });
    expect(byDay["2026-11-30"]).toMatchObject({ total: 4900, youzan: 4900 });
    expect(byDay["2026-11-25"]).toMatchObject({ total: 3000, alipay_renewal: 3000 });
    expect(byDay["2026-11-24"]).toMatchObject({ total: 990, alipay_first: 990 });
    expect(data.series.filter((d) => d.total > 0).map((d) => d.day)).toEqual([
      "2026-11-02",
      "2026-11-24",
      "2026-11-25",
      "2026-11-30",
      "2026-12-01",
    ]);
    expect(data.totals).toEqual({
      todayFen: 7960,
      last7Fen: 7960 + 4900 + 3000,
      last30Fen: 7960 + 4900 + 3000 + 990 + 500,
    });
  });

  it("today begins at midnight in Shanghai, not in UTC", async () => {
    await paid("purchase", 100, at("2026-12-01T15:59:59Z")); // Dec 1, 23:59:59 Shanghai
    await paid("purchase", 200, at("2026-12-01T16:00:00Z")); // Dec 2, 00:00:00 Shanghai
    const data = await loadDashboard(t.db(), at("2026-12-01T16:30:00Z"));
    expect(data.window.today).toBe("2026-12-02");
    expect(data.totals.todayFen).toBe(200);
    expect(data.totals.last7Fen).toBe(300);
    expect(data.series.at(-1)).toMatchObject({ day: "2026-12-02", youzan: 200 });
    expect(data.series.at(-2)).toMatchObject({ day: "2026-12-01", youzan: 100 });
  });
});

describe("agreements: statuses, MRR, churn, failing charges", () => {
  it("counts agreements by status and normalises each active one's amount to a month", async () => {
    const db = t.db();
    await makeAgreement(db, { status: "active", singleAmountFen: 3000, periodDays: 30 });
    await makeAgreement(db, { status: "active", singleAmountFen: 3100, periodDays: 31 });
    await makeAgreement(db, { status: "active", singleAmountFen: 990, periodDays: 7 });
    await makeAgreement(db, { status: "active", singleAmountFen: 9000, periodDays: 90 });
    await makeAgreement(db, { status: "pending_sign", singleAmountFen: 5000, periodDays: 30 });
    await makeAgreement(db, { status: "closed", singleAmountFen: 5000, periodDays: 30 });
    const data = await loadDashboard(db, NOW);
    expect(data.agreementsByStatus).toEqual({ active: 4, pending_sign: 1, unsigned: 0, closed: 1 });
    expect(data.activeAgreements).toBe(4);
    // 3000 + 3100 (one month each) + 990 × 30.4375 / 7 + 9000 / 3.
    expect(data.mrrFen).toBe(Math.round(3000 + 3100 + (990 * 30.4375) / 7 + 3000));
    expect(data.mrrFen).toBe(13405);
  });

  it("churn counts signed agreements ended from the window's first Shanghai day on", async () => {
    const db = t.db();
    const signed = at("2026-09-01T00:00:00Z");
    // The window starts 2026-11-02 00:00 Shanghai = 2026-11-01T16:00Z.
    await makeAgreement(db, {
      status: "closed",
      signedAt: signed,
      unsignedAt: at("2026-11-01T16:00:00Z"),
    });
    await makeAgreement(db, {
      status: "unsigned",
      signedAt: signed,
      unsignedAt: at("2026-12-01T15:00:00Z"),
    });
    // A second before the window: not churn of this window, nor in its base.
    await makeAgreement(db, {
      status: "closed",
      signedAt: signed,
      unsignedAt: at("2026-11-01T15:59:59Z"),
    });
    // Never signed (a released sign request): not churn.
    await makeAgreement(db, { status: "closed", unsignedAt: at("2026-11-20T00:00:00Z") });
    // Live all along, and signed inside the window.
    await makeAgreement(db, { status: "active", signedAt: signed });
    await makeAgreement(db, { status: "active", signedAt: at("2026-11-20T00:00:00Z") });
    const data = await loadDashboard(db, NOW);
    expect(data.churn).toEqual({ churned: 2, base: 4, rate: 0.5, from: "2026-11-02" });
  });

  it("a failing agreement is an active one whose latest attempt failed", async () => {
    const db = t.db();
    const attempt = async (
      agreement: { id: string; userId: string; productId: string },
      n: number,
      status: "failed" | "succeeded" | "pending",
      createdAt: Date,
    ) => {
      const order = await makeOrder(db, {
        kind: "renewal",
        provider: "alipay",
        userId: agreement.userId,
        productId: agreement.productId,
        agreementId: agreement.id,
        periodIndex: n,
        amountFen: 3000,
      });
      await db.insert(chargeAttempts).values({
        id: newId("chg"),
        agreementId: agreement.id,
        orderId: order.id,
        periodIndex: n,
        attemptNo: 1,
        outTradeNo: order.orderNo,
        amountFen: 3000,
        status,
        createdAt,
      });
    };
    const failing = await makeAgreement(db, { status: "active" });
    await attempt(failing, 1, "succeeded", at("2026-11-01T00:00:00Z"));
    await attempt(failing, 2, "failed", at("2026-12-01T00:00:00Z"));
    const healed = await makeAgreement(db, { status: "active" });
    await attempt(healed, 1, "failed", at("2026-11-01T00:00:00Z"));
    await attempt(healed, 2, "succeeded", at("2026-12-01T00:00:00Z"));
    const ended = await makeAgreement(db, { status: "closed" });
    await attempt(ended, 1, "failed", at("2026-12-01T00:00:00Z"));
    const data = await loadDashboard(db, NOW);
    expect(data.failing).toBe(1);
  });
});

describe("members, review, runs, inbox", () => {
  it("counts live members, orders in review, the last five billing runs and stuck inbox rows", async () => {
    const db = t.db();
    const plan = await makeProduct(db, { kind: "membership", periodDays: 30 });
    const member = async (startsAt: Date, expiresAt: Date, revokedAt: Date | null = null) => {
      const user = await makeUser(db);
      const order = await makeOrder(db, { userId: user.id, productId: plan.id });
      await db.insert(entitlements).values({
        id: newId("ent"),
        userId: user.id,
        orderId: order.id,
        productId: plan.id,
        kind: "membership",
        startsAt,
        expiresAt,
        revokedAt,
      });
    };
    await member(at("2026-11-20T00:00:00Z"), at("2026-12-20T00:00:00Z"));
    await member(at("2026-11-20T00:00:00Z"), at("2026-12-20T00:00:00Z"));
    await member(at("2026-10-01T00:00:00Z"), at("2026-11-01T00:00:00Z")); // expired
    await member(
      at("2026-11-20T00:00:00Z"),
      at("2026-12-20T00:00:00Z"),
      at("2026-11-25T00:00:00Z"),
    );
    await makeOrder(db, { status: "review", reviewReason: "amount" });
    await makeOrder(db, { status: "review", reviewReason: "amount" });

    for (let i = 0; i < 7; i++) {
      await db.insert(billingRuns).values({
        id: `run_${i}`,
        job: i === 6 ? "orders.reconcile" : "billing:charge",
        status: "completed",
        startedAt: new Date(NOW.getTime() - (10 - i) * 3_600_000),
      });
    }
    const inbox = async (status: "received" | "failed" | "dead", receivedAt: Date) =>
      db.insert(webhookInbox).values({
        id: newId("evt"),
        provider: "youzan",
        eventKey: newId("evt"),
        signatureValid: true,
        body: "{}",
        status,
        receivedAt,
      });
    await inbox("received", new Date(NOW.getTime() - 6 * 60_000));
    await inbox("received", new Date(NOW.getTime() - 60_000));
    await inbox("failed", NOW);
    await inbox("dead", NOW);
    await inbox("dead", NOW);

    const data = await loadDashboard(db, NOW);
    expect(data.activeMembers).toBe(2);
    expect(data.ordersInReview).toBe(2);
    // Billing runs only (not the reconcile job), newest first.
    expect(data.lastBillingRuns.map((run) => run.id)).toEqual([
      "run_5",
      "run_4",
      "run_3",
      "run_2",
      "run_1",
    ]);
    expect(data.inbox).toMatchObject({ received: 2, failed: 1, dead: 2 });
    expect(data.inboxStuck).toBe(1);
  });
});
