import { and, asc, eq, gt, isNotNull, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET as cronGet, POST as cronPost } from "@/app/api/cron/billing/[phase]/route";
import { runningMembershipPlan } from "@/db/queries/entitlements";
import {
  agreements,
  alipaySandboxCalls,
  alipaySandboxTrades,
  billingRuns,
  chargeAttempts,
  deductionLogs,
  entitlements,
  orders,
} from "@/db/schema";
import { runBillingPhase, type Phase, type RunOptions, type RunReport } from "@/lib/billing/run";
import type { BillingSettings } from "@/lib/billing/deps";
import { DEFAULT_POLICY } from "@/lib/billing/schedule";
import { addDays, shanghaiDate, startOfShanghaiDate } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import type { AlipayGateway } from "@/lib/payments/alipay";
import { startSubscription } from "@/lib/subscriptions/start";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { atShanghaiHour, billingDeps } from "../helpers/billing-testbed";
import { makeUser } from "../helpers/factories";
import { seed, withTestDatabase } from "../helpers/db";

/*
 * Acceptance 2, 3, 4, 6 and 7 of the billing runs (#9) on the Alipay sandbox: the shop's real
 * client over loopback HTTP, the sandbox's gateway and wallet, the shop's webhook routes, one
 * virtual clock (set to 10:00 in Asia/Shanghai, so whole-day steps never cross midnight). Every
 * run goes through `phase()`, which also checks what every run owes: a completed `billing_runs`
 * row with the report's totals, one `deduction_logs` row per call the sandbox received (linked
 * to the agreement, and a charge's or query's to its attempt and order), no lease left behind.
 */

const t = withTestDatabase();
const DAY = 86_400;
/** The membership-weekly plan of the seed. */
const PERIOD_DAYS = 7;
const PAY = "alipay.trade.pay";
const QUERY = "alipay.trade.query";
const MODIFY = "alipay.user.agreement.executionplan.modify";
const ALL_PHASES: Phase[] = ["charge", "retry", "postpone", "reconcile"];

let bed: AlipayTestbed;

beforeEach(async () => {
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  await atShanghaiHour(bed, 10);
});
afterEach(async () => bed.close());

const db = () => t.db();
const now = () => bed.deps.now();
const today = async () => shanghaiDate(await now());
const nextDay = () => bed.advance(DAY);

interface Subscriber {
  userId: string;
  agreementId: string;
  agreementNo: string;
  amountFen: number;
}

/** A buyer signs the weekly plan on the sandbox; period 1 is charged when the sign is notified. */
async function subscriber(): Promise<Subscriber> {
  const user = await makeUser(db());
  const started = await startSubscription(bed.deps, {
    userId: user.id,
    productSlug: "membership-weekly",
  });
  expect((await bed.control("sign", { signUrl: started.signUrl })).status).toBe(200);
  await bed.deliver();
  const a = await agreementRow(started.agreementId);
  expect(a).toMatchObject({ status: "active", paidPeriods: 1, currentPeriod: 2 });
  expect(a.nextChargeDate).toBe(addDays(await today(), PERIOD_DAYS));
  return {
    userId: user.id,
    agreementId: a.id,
    agreementNo: a.agreementNo!,
    amountFen: a.singleAmountFen,
  };
}

const agreementRow = async (id: string) =>
  (await db().select().from(agreements).where(eq(agreements.id, id)))[0]!;

const periodOrder = async (agreementId: string, period: number) =>
  (
    await db()
      .select()
      .from(orders)
      .where(and(eq(orders.agreementId, agreementId), eq(orders.periodIndex, period)))
  )[0];

const attemptsOf = (agreementId: string, period: number) =>
  db()
    .select()
    .from(chargeAttempts)
    .where(and(eq(chargeAttempts.agreementId, agreementId), eq(chargeAttempts.periodIndex, period)))
    .orderBy(asc(chargeAttempts.attemptNo));

const grantsOf = (userId: string) =>
  db()
    .select()
    .from(entitlements)
    .where(eq(entitlements.userId, userId))
    .orderBy(asc(entitlements.startsAt));

/** Calls the sandbox received (all, or of one method), counted in its own table. */
const sandboxCalls = (method?: string) =>
  db().$count(alipaySandboxCalls, method ? eq(alipaySandboxCalls.method, method) : undefined);

/** The trades the sandbox holds for an agreement (its deductions), oldest first. */
const sandboxTrades = (agreementNo: string) =>
  db()
    .select()
    .from(alipaySandboxTrades)
    .where(eq(alipaySandboxTrades.agreementNo, agreementNo))
    .orderBy(asc(alipaySandboxTrades.createdAt));

const wallet = async () =>
  (await bed.control("wallet")).body as {
    balanceFen: number;
    agreements: { agreementNo: string; status: string; nextDeductDate: string }[];
  };

const walletAgreement = async (agreementNo: string) =>
  (await wallet()).agreements.find((a) => a.agreementNo === agreementNo)!;

async function setBalance(fen: number) {
  expect((await bed.control("balance", { fen })).status).toBe(200);
}

async function inject(body: Record<string, unknown>) {
  expect((await bed.control("faults", { inject: body })).status).toBe(200);
}

/** Polls (20 ms steps) until `check` holds or `ms` pass; the caller asserts afterwards. */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check()) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type Deps = ReturnType<typeof billingDeps>;

/**
 * One billing run, and what every run owes: its `billing_runs` row (completed, the report's
 * totals), one `deduction_logs` row per call the sandbox received, each linked to its agreement
 * (a charge or query also to its attempt and the attempt's order), and its leases given back.
 */
async function phase(
  deps: Deps,
  name: Phase,
  options: RunOptions & { leasesLeft?: number } = {},
): Promise<RunReport> {
  const { leasesLeft = 0, ...runOptions } = options;
  const callsBefore = await sandboxCalls();
  const [{ lastLog }] = (await db()
    .select({ lastLog: sql<number>`coalesce(max(${deductionLogs.id}), 0)::int` })
    .from(deductionLogs)) as [{ lastLog: number }];
  const result = await runBillingPhase(deps, name, runOptions);
  expect(result).toHaveProperty("runId");
  const report = result as RunReport;

  const logs = await db()
    .select({
      log: deductionLogs,
      attemptOrderId: chargeAttempts.orderId,
      attemptAgreementId: chargeAttempts.agreementId,
    })
    .from(deductionLogs)
    .leftJoin(chargeAttempts, eq(chargeAttempts.id, deductionLogs.chargeAttemptId))
    .where(gt(deductionLogs.id, lastLog));
  // The sandbox records a call once it has answered: a slow answer lands after the client gave up.
  await eventually(async () => (await sandboxCalls()) - callsBefore >= logs.length);
  expect((await sandboxCalls()) - callsBefore).toBe(logs.length);
  for (const { log, attemptOrderId, attemptAgreementId } of logs) {
    expect(log.agreementId).not.toBeNull();
    if (log.apiMethod === PAY || log.apiMethod === QUERY) {
      expect(log.chargeAttemptId).not.toBeNull();
      expect(log.orderId).toBe(attemptOrderId);
      expect(log.agreementId).toBe(attemptAgreementId);
    }
    expect(JSON.stringify(log.request)).not.toMatch(/PRIVATE KEY|"sign"/);
  }

  const [run] = await db().select().from(billingRuns).where(eq(billingRuns.id, report.runId));
  expect(run).toMatchObject({
    job: `billing:${name}`,
    status: "completed",
    dryRun: runOptions.dryRun ?? false,
    claimed: report.processed,
    succeeded: report.charged,
    failed: report.declined,
    unknown: report.unknown,
    postponed: report.postponed,
  });
  expect(run!.finishedAt).not.toBeNull();
  expect(run!.summary).toMatchObject({ phase: name, hasMore: report.hasMore });
  const live = gt(agreements.billingLeaseUntil, await now());
  expect(await db().$count(agreements, live)).toBe(leasesLeft);
  return report;
}

/** Every phase once, as the daily crons would; the trade.pay calls they made. */
async function everyPhase(deps: Deps): Promise<number> {
  const before = await sandboxCalls(PAY);
  for (const name of ALL_PHASES) await phase(deps, name);
  return (await sandboxCalls(PAY)) - before;
}

const NOTHING = { processed: 0, charged: 0, declined: 0, closed: 0, postponed: 0, unknown: 0 };

describe("insufficient balance (acceptance 2)", () => {
  it("retried up to BILLING_MAX_ATTEMPTS, once a day, then postponed with executionplan.modify; the membership lapses; after a top-up a later period charges again", async () => {
    const deps = billingDeps(bed);
    const s = await subscriber();
    const d0 = await today();
    const periodOneGrant = (await grantsOf(s.userId))[0]!;
    await setBalance(0);

    // D+1, D+2: the window of D+7 opens on D+2, but a weekly period is first tried three days
    // (NOTICE_REMIND_DAYS) after it began, on D+3: no phase does anything.
    for (let day = 1; day <= 2; day++) {
      await nextDay();
      for (const name of ALL_PHASES) expect(await phase(deps, name)).toMatchObject(NOTHING);
    }
    expect(await sandboxCalls(PAY)).toBe(1);

    // D+3 … D+5: one attempt a day, each declined; a second retry the same day calls nothing.
    for (let attempt = 1; attempt <= DEFAULT_POLICY.maxAttempts; attempt++) {
      await nextDay();
      const first = await phase(deps, attempt === 1 ? "charge" : "retry");
      expect(first).toMatchObject({ processed: 1, declined: 1, charged: 0 });
      for (const again of ["retry", "retry", "charge", "reconcile"] as const) {
        expect(await phase(deps, again)).toMatchObject(NOTHING);
      }
      expect(await sandboxCalls(PAY)).toBe(1 + attempt);
    }
    const order2 = (await periodOrder(s.agreementId, 2))!;
    const declined = await attemptsOf(s.agreementId, 2);
    expect(
      declined.map((a) => [a.attemptNo, a.status, a.errorCode, a.outTradeNo, a.orderId]),
    ).toEqual(
      [1, 2, 3].map((n) => [
        n,
        "failed",
        "ACQ.BUYER_BALANCE_NOT_ENOUGH",
        n === 1 ? order2.orderNo : `${order2.orderNo}R${n}`,
        order2.id,
      ]),
    );
    // Each retry waits for the next Asia/Shanghai day.
    declined.forEach((a, i) =>
      expect(a.nextRetryAt).toEqual(startOfShanghaiDate(addDays(d0, 4 + i))),
    );
    expect(await sandboxTrades(s.agreementNo)).toHaveLength(1);

    // D+6: the limit is reached: no fourth attempt. The postpone phase moves the plan.
    await nextDay();
    expect(await phase(deps, "retry")).toMatchObject(NOTHING);
    const modifyBefore = await sandboxCalls(MODIFY);
    expect(await phase(deps, "postpone")).toMatchObject({ processed: 1, postponed: 1 });
    expect(await sandboxCalls(MODIFY)).toBe(modifyBefore + 1);
    expect(await sandboxCalls(PAY)).toBe(4);
    const moved = await agreementRow(s.agreementId);
    expect(moved).toMatchObject({
      status: "active",
      currentPeriod: 3,
      postponedPeriod: 2,
      paidPeriods: 1,
      nextChargeDate: addDays(d0, 14),
    });
    expect((await periodOrder(s.agreementId, 2))!.status).toBe("closed");
    expect((await walletAgreement(s.agreementNo)).nextDeductDate).toBe(addDays(d0, 14));
    const [modifyLog] = await db()
      .select()
      .from(deductionLogs)
      .where(eq(deductionLogs.apiMethod, MODIFY));
    expect(modifyLog).toMatchObject({
      agreementId: s.agreementId,
      orderId: order2.id,
      chargeAttemptId: null,
      outcome: "succeeded",
      httpStatus: 200,
    });
    expect(modifyLog!.request).toMatchObject({
      method: MODIFY,
      biz_content: { agreement_no: s.agreementNo, deduct_time: addDays(d0, 14) },
    });
    expect(deps.alerts.items()).toContainEqual(
      expect.objectContaining({
        kind: "retries_exhausted",
        agreementId: s.agreementId,
        orderNo: order2.orderNo,
      }),
    );
    expect(deps.alerts.items().map((i) => i.kind)).toEqual(["retries_exhausted"]);
    // Postponed once: a second run has nothing to move.
    expect(await phase(deps, "postpone")).toMatchObject(NOTHING);

    // D+7 … D+9: nothing is due (period 3 began on D+7: first tried on D+10); the membership
    // lapses.
    for (let day = 7; day <= 9; day++) {
      await nextDay();
      expect(await everyPhase(deps)).toBe(0);
    }
    expect(await runningMembershipPlan(db(), s.userId, await now())).toBeUndefined();
    expect(periodOneGrant.expiresAt!.getTime()).toBeLessThan((await now()).getTime());

    // Topped up; D+10: period 3 is charged by the charge phase; the membership resumes.
    await setBalance(50_000);
    await nextDay();
    expect(await phase(deps, "charge")).toMatchObject({ processed: 1, charged: 1, declined: 0 });
    await bed.deliver();
    const resumedAt = await now();
    expect(await runningMembershipPlan(db(), s.userId, resumedAt)).toBeDefined();
    expect(await agreementRow(s.agreementId)).toMatchObject({
      status: "active",
      paidPeriods: 2,
      currentPeriod: 4,
      nextChargeDate: addDays(d0, 21),
    });
    const order3 = (await periodOrder(s.agreementId, 3))!;
    expect(order3).toMatchObject({ status: "paid", kind: "renewal" });
    expect((await attemptsOf(s.agreementId, 3)).map((a) => [a.attemptNo, a.status])).toEqual([
      [1, "succeeded"],
    ]);
    const grants = await grantsOf(s.userId);
    expect(grants.map((g) => g.orderId)).toEqual([periodOneGrant.orderId, order3.id]);
    // The gap is not covered: the new period runs from the day it was paid.
    expect(grants[1]!.startsAt.getTime()).toBeGreaterThan(grants[0]!.expiresAt!.getTime());
    expect(grants[1]!.expiresAt!.getTime() - grants[1]!.startsAt.getTime()).toBe(
      PERIOD_DAYS * DAY * 1000,
    );
    const trades = await sandboxTrades(s.agreementNo);
    expect(trades.map((tr) => [tr.outTradeNo, tr.status])).toEqual([
      [(await periodOrder(s.agreementId, 1))!.orderNo, "TRADE_SUCCESS"],
      [order3.orderNo, "TRADE_SUCCESS"],
    ]);
    expect(await sandboxCalls(PAY)).toBe(5);
    expect((await wallet()).balanceFen).toBe(50_000 - s.amountFen);
    expect((await walletAgreement(s.agreementNo)).nextDeductDate).toBe(addDays(d0, 21));
  });

  it("retries only inside the window: a period first tried on its last days gets no attempt after its date, and is postponed as date_passed", async () => {
    const deps = billingDeps(bed);
    const s = await subscriber();
    const d0 = await today();
    await setBalance(0);
    // Billing did not run until D+6 (switched off, say).
    await bed.advance(6 * DAY);
    expect(await phase(deps, "charge")).toMatchObject({ processed: 1, declined: 1 });
    await nextDay(); // D+7: the last day of the window.
    expect(await phase(deps, "retry")).toMatchObject({ processed: 1, declined: 1 });
    await nextDay(); // D+8: past the date, under the limit, still no attempt.
    expect(await phase(deps, "retry")).toMatchObject(NOTHING);
    expect(await phase(deps, "charge")).toMatchObject(NOTHING);
    expect(await sandboxCalls(PAY)).toBe(3);
    expect((await attemptsOf(s.agreementId, 2)).map((a) => a.status)).toEqual(["failed", "failed"]);
    expect(await phase(deps, "postpone")).toMatchObject({ processed: 1, postponed: 1 });
    expect(await agreementRow(s.agreementId)).toMatchObject({
      currentPeriod: 3,
      postponedPeriod: 2,
      nextChargeDate: addDays(d0, 14),
    });
    expect((await walletAgreement(s.agreementNo)).nextDeductDate).toBe(addDays(d0, 14));
    expect(deps.alerts.items()).toEqual([
      expect.objectContaining({ kind: "date_passed", agreementId: s.agreementId }),
    ]);
  });

  it("a declined charge (injected balance_insufficient) stops at the policy's limit (BILLING_MAX_ATTEMPTS=2)", async () => {
    const deps = billingDeps(bed, { policy: { ...DEFAULT_POLICY, maxAttempts: 2 } });
    const s = await subscriber();
    await inject({ method: PAY, kind: "balance_insufficient", count: 5 });
    await bed.advance(3 * DAY);
    expect(await phase(deps, "charge")).toMatchObject({ processed: 1, declined: 1 });
    await nextDay();
    expect(await phase(deps, "retry")).toMatchObject({ processed: 1, declined: 1 });
    await nextDay();
    expect(await phase(deps, "retry")).toMatchObject(NOTHING);
    expect(await sandboxCalls(PAY)).toBe(3);
    expect(await phase(deps, "postpone")).toMatchObject({ postponed: 1 });
    expect(deps.alerts.items()).toEqual([
      expect.objectContaining({ kind: "retries_exhausted", agreementId: s.agreementId }),
    ]);
    expect((await attemptsOf(s.agreementId, 2)).map((a) => a.errorCode)).toEqual([
      "ACQ.BUYER_BALANCE_NOT_ENOUGH",
      "ACQ.BUYER_BALANCE_NOT_ENOUGH",
    ]);
  });
});

describe("a charge no retry can cure", () => {
  it("refused (isv.insufficient-isv-permissions): not_retryable alert, never retried, the period postponed", async () => {
    const deps = billingDeps(bed);
    const s = await subscriber();
    const d0 = await today();
    await bed.advance(3 * DAY);
    await inject({ method: PAY, kind: "forbidden" });
    expect(await phase(deps, "charge")).toMatchObject({ processed: 1, declined: 1 });
    expect(
      (await attemptsOf(s.agreementId, 2)).map((a) => [a.status, a.errorCode, a.nextRetryAt]),
    ).toEqual([["failed", "isv.insufficient-isv-permissions", null]]);
    expect(deps.alerts.items()).toEqual([
      expect.objectContaining({
        kind: "not_retryable",
        agreementId: s.agreementId,
        code: "isv.insufficient-isv-permissions",
      }),
    ]);
    await nextDay();
    expect(await phase(deps, "retry")).toMatchObject(NOTHING);
    expect(await sandboxCalls(PAY)).toBe(2);
    expect(await phase(deps, "postpone")).toMatchObject({ postponed: 1 });
    expect(await agreementRow(s.agreementId)).toMatchObject({
      status: "active",
      currentPeriod: 3,
      postponedPeriod: 2,
      nextChargeDate: addDays(d0, 14),
    });
    // The refusal was reported when it happened; postponing it adds no second alert.
    expect(deps.alerts.items().map((item) => item.kind)).toEqual(["not_retryable"]);
  });
});

describe("a first period never paid", () => {
  it("is not charged by the runs, and after two days reconcile unsigns it and closes its order", async () => {
    const deps = billingDeps(bed);
    await setBalance(0);
    const user = await makeUser(db());
    const started = await startSubscription(bed.deps, {
      userId: user.id,
      productSlug: "membership-weekly",
    });
    expect((await bed.control("sign", { signUrl: started.signUrl })).status).toBe(200);
    await bed.deliver();
    const signed = await agreementRow(started.agreementId);
    expect(signed).toMatchObject({ status: "active", paidPeriods: 0, currentPeriod: 1 });
    expect(await sandboxCalls(PAY)).toBe(1);

    // Day 1: nothing charges, retries or postpones it; the buyer may still retry at the checkout.
    await nextDay();
    expect(await everyPhase(deps)).toBe(0);
    expect(await sandboxCalls(MODIFY)).toBe(0);
    expect((await agreementRow(signed.id)).status).toBe("active");

    // Day 2 and a bit: reconcile unsigns it at Alipay.
    await bed.advance(DAY + 3_600);
    const report = await phase(deps, "reconcile");
    expect(report.expiredUnpaid).toBe(1);
    expect(await agreementRow(signed.id)).toMatchObject({ status: "closed", autoRenew: false });
    expect((await periodOrder(signed.id, 1))!.status).toBe("closed");
    expect((await walletAgreement(signed.agreementNo!)).status).toBe("UNSIGN");
    expect(await sandboxCalls(PAY)).toBe(1);
    expect(await grantsOf(user.id)).toEqual([]);
    // Its unsign notification changes nothing more; later runs leave it alone.
    await bed.deliver();
    await bed.advance(7 * DAY);
    expect(await everyPhase(deps)).toBe(0);
    expect((await agreementRow(signed.id)).status).toBe("closed");
  });
});

describe("a run that died", () => {
  it("leaves a running receipt that the next run marks aborted", async () => {
    const deps = billingDeps(bed);
    const longAgo = new Date((await now()).getTime() - 3 * 3_600_000);
    await db()
      .insert(billingRuns)
      .values({ id: "run_dead", job: "billing:charge", startedAt: longAgo });
    await db()
      .insert(billingRuns)
      .values({ id: "run_orders", job: "orders:reconcile", startedAt: longAgo });
    await phase(deps, "retry");
    const rows = await db().select().from(billingRuns).orderBy(asc(billingRuns.id));
    expect(rows.find((r) => r.id === "run_dead")).toMatchObject({ status: "aborted" });
    // Other jobs' receipts are theirs to judge.
    expect(rows.find((r) => r.id === "run_orders")).toMatchObject({ status: "running" });
  });
});

describe("a postponement whose answer is lost", () => {
  async function exhausted() {
    const s = await subscriber();
    await inject({ method: PAY, kind: "balance_insufficient", count: 3 });
    await bed.advance(3 * DAY);
    const deps = billingDeps(bed);
    expect(await phase(deps, "charge")).toMatchObject({ declined: 1 });
    for (let i = 0; i < 2; i++) {
      await nextDay();
      expect(await phase(deps, "retry")).toMatchObject({ declined: 1 });
    }
    return { s, deps, d0: addDays(await today(), -5) };
  }

  it("moved at Alipay (committed ACQ.SYSTEM_ERROR): alipay.user.agreement.query confirms it, postponed once", async () => {
    const { s, deps, d0 } = await exhausted();
    await inject({ method: MODIFY, kind: "system_error", committed: true });
    expect(await phase(deps, "postpone")).toMatchObject({ postponed: 1 });
    expect(await agreementRow(s.agreementId)).toMatchObject({
      currentPeriod: 3,
      nextChargeDate: addDays(d0, 14),
    });
    expect(await sandboxCalls(MODIFY)).toBe(1);
    expect(await sandboxCalls("alipay.user.agreement.query")).toBe(1);
    expect(await phase(deps, "postpone")).toMatchObject(NOTHING);
  });

  it("not moved (ACQ.SYSTEM_ERROR, nothing committed): postpone_failed alert, the agreement stays; the next run moves it", async () => {
    const { s, deps, d0 } = await exhausted();
    await inject({ method: MODIFY, kind: "system_error", committed: false });
    expect(await phase(deps, "postpone")).toMatchObject({ processed: 1, postponed: 0 });
    expect(deps.alerts.items()).toContainEqual(
      expect.objectContaining({ kind: "postpone_failed", agreementId: s.agreementId }),
    );
    expect(await agreementRow(s.agreementId)).toMatchObject({
      currentPeriod: 2,
      nextChargeDate: addDays(d0, 7),
      postponedPeriod: null,
    });
    expect((await periodOrder(s.agreementId, 2))!.status).toBe("pending");
    expect(await phase(deps, "postpone")).toMatchObject({ postponed: 1 });
    expect(await agreementRow(s.agreementId)).toMatchObject({
      currentPeriod: 3,
      nextChargeDate: addDays(d0, 14),
      postponedPeriod: 2,
    });
    expect((await walletAgreement(s.agreementNo)).nextDeductDate).toBe(addDays(d0, 14));
    expect(await sandboxCalls(MODIFY)).toBe(2);
  });
});

describe("the reconcile phase and a sign notification that never came", () => {
  /** A buyer signs at the sandbox; the sign notification is lost (never delivered). */
  async function signedUnnotified() {
    const user = await makeUser(db());
    const started = await startSubscription(bed.deps, {
      userId: user.id,
      productSlug: "membership-weekly",
    });
    expect((await bed.control("sign", { signUrl: started.signUrl })).status).toBe(200);
    // Five minutes later the reconcile phase asks about it.
    await bed.advance(6 * 60);
    return started.agreementId;
  }

  it("asks alipay.user.agreement.query, activates the agreement and charges period 1", async () => {
    const agreementId = await signedUnnotified();
    const report = (await runBillingPhase(billingDeps(bed), "reconcile")) as RunReport;
    expect(report.waitingSigns).toEqual({ checked: 1, signed: 1 });
    expect(await agreementRow(agreementId)).toMatchObject({ status: "active", paidPeriods: 1 });
    expect(await sandboxCalls("alipay.user.agreement.query")).toBe(1);
    expect(await sandboxCalls(PAY)).toBe(1);
    await bed.deliver();
    expect(await sandboxCalls(PAY)).toBe(1);
    expect(await db().$count(entitlements)).toBe(1);
  });

  // The status questions about a waiting signature are logged like every other call.
  it("logs every call of that run in deduction_logs (one row per sandbox call)", async () => {
    await signedUnnotified();
    const report = await phase(billingDeps(bed), "reconcile");
    expect(report.waitingSigns).toEqual({ checked: 1, signed: 1 });
  });
});

describe("a charge whose outcome is unknown (acceptance 3)", () => {
  /** After a committed charge: paid once, one grant, one deduction, no other out_trade_no. */
  async function paidOnce(s: Subscriber) {
    const order2 = (await periodOrder(s.agreementId, 2))!;
    expect(order2.status).toBe("paid");
    const attempts = await attemptsOf(s.agreementId, 2);
    expect(attempts.map((a) => [a.attemptNo, a.status, a.outTradeNo])).toEqual([
      [1, "succeeded", order2.orderNo],
    ]);
    const trades = await sandboxTrades(s.agreementNo);
    expect(trades.map((tr) => tr.status)).toEqual(["TRADE_SUCCESS", "TRADE_SUCCESS"]);
    expect(trades[1]!.outTradeNo).toBe(order2.orderNo);
    expect(attempts[0]!.tradeNo).toBe(trades[1]!.tradeNo);
    expect(await sandboxCalls(PAY)).toBe(2);
    expect((await wallet()).balanceFen).toBe(100_000_00 - 2 * s.amountFen);
    const grants = await grantsOf(s.userId);
    expect(grants).toHaveLength(2);
    expect(grants[1]!.orderId).toBe(order2.id);
    expect(grants[1]!.startsAt).toEqual(grants[0]!.expiresAt);
    expect(await agreementRow(s.agreementId)).toMatchObject({
      paidPeriods: 2,
      currentPeriod: 3,
    });
  }

  it("committed at the sandbox (ACQ.SYSTEM_ERROR), asked at once with trade.query: paid in the same run", async () => {
    const deps = billingDeps(bed);
    const s = await subscriber();
    await bed.advance(3 * DAY);
    await inject({ method: PAY, kind: "system_error", committed: true });
    expect(await phase(deps, "charge")).toMatchObject({ processed: 1, charged: 1, unknown: 0 });
    const logs = await db()
      .select()
      .from(deductionLogs)
      .where(isNotNull(deductionLogs.chargeAttemptId))
      .orderBy(asc(deductionLogs.id));
    expect(logs.slice(-2).map((l) => [l.apiMethod, l.outcome])).toEqual([
      [PAY, "unknown"],
      [QUERY, "succeeded"],
    ]);
    await bed.deliver();
    for (let day = 0; day < 6; day++) {
      expect(await everyPhase(deps)).toBe(0);
      await nextDay();
    }
    await paidOnce(s);
  });

  it("committed, and the query fails too: the run reports unknown, nothing charges the period until the reconcile phase finds it paid", async () => {
    const deps = billingDeps(bed);
    const s = await subscriber();
    await bed.advance(3 * DAY);
    await inject({ method: PAY, kind: "system_error", committed: true });
    await inject({ method: QUERY, kind: "system_error" });
    expect(await phase(deps, "charge")).toMatchObject({ processed: 1, unknown: 1, charged: 0 });
    expect((await attemptsOf(s.agreementId, 2)).map((a) => a.status)).toEqual(["unknown"]);
    expect((await periodOrder(s.agreementId, 2))!.status).toBe("pending");
    // Neither the charge nor the retry phase touches a period whose outcome is unknown.
    for (const name of ["charge", "retry", "postpone", "charge"] as const) {
      expect(await phase(deps, name)).toMatchObject(NOTHING);
    }
    await nextDay();
    for (const name of ["charge", "retry"] as const) {
      expect(await phase(deps, name)).toMatchObject(NOTHING);
    }
    expect(await sandboxCalls(PAY)).toBe(2);

    const queries = await sandboxCalls(QUERY);
    expect(await phase(deps, "reconcile")).toMatchObject({ processed: 1, charged: 1 });
    expect(await sandboxCalls(QUERY)).toBe(queries + 1);
    expect(deps.alerts.items()).toEqual([]);
    // The trade notification arrives late: nothing more.
    await bed.deliver();
    expect(await everyPhase(deps)).toBe(0);
    await paidOnce(s);
  });

  it("a timeout (slow answer, client timeout shorter): unknown, resolved with trade.query on the same out_trade_no", async () => {
    const s = await subscriber();
    // The same shop and sandbox, now with a client that gives up sooner than the slow answer.
    const timeoutMs = 500;
    await bed.close();
    bed = await alipayTestbed(db(), { timeoutMs });
    const deps = billingDeps(bed);
    await bed.advance(3 * DAY);
    expect((await bed.control("faults", { slowMs: timeoutMs * 4 })).status).toBe(200);
    await inject({ method: PAY, kind: "slow" });
    // Resolved at once by the query, or left unknown for the reconcile phase: charged either way.
    const report = await phase(deps, "charge");
    expect(report).toMatchObject({ processed: 1, declined: 0 });
    expect(report.charged + report.unknown).toBe(1);
    const order2 = (await periodOrder(s.agreementId, 2))!;
    const payLogs = await db()
      .select()
      .from(deductionLogs)
      .where(and(eq(deductionLogs.apiMethod, PAY), eq(deductionLogs.orderId, order2.id)));
    // The client gave up: no answer, no HTTP status.
    expect(payLogs).toEqual([expect.objectContaining({ outcome: "unknown", httpStatus: null })]);
    if (report.unknown === 1) {
      expect(await phase(deps, "reconcile")).toMatchObject({ charged: 1 });
    }
    await bed.deliver();
    await nextDay();
    expect(await everyPhase(deps)).toBe(0);
    await paidOnce(s);
  });

  it("not committed (ACQ.SYSTEM_ERROR, no trade): not charged; charged once on the next day by the retry phase with a new attempt number", async () => {
    const deps = billingDeps(bed);
    const s = await subscriber();
    await bed.advance(3 * DAY);
    await inject({ method: PAY, kind: "system_error", committed: false });
    expect(await phase(deps, "charge")).toMatchObject({ processed: 1, declined: 1, charged: 0 });
    const order2 = (await periodOrder(s.agreementId, 2))!;
    expect((await attemptsOf(s.agreementId, 2)).map((a) => [a.status, a.errorCode])).toEqual([
      ["failed", "ACQ.SYSTEM_ERROR"],
    ]);
    // Same day: no new attempt.
    for (const name of ALL_PHASES) expect(await phase(deps, name)).toMatchObject(NOTHING);
    expect(await sandboxCalls(PAY)).toBe(2);

    await nextDay();
    expect(await phase(deps, "retry")).toMatchObject({ processed: 1, charged: 1 });
    await bed.deliver();
    expect(await everyPhase(deps)).toBe(0);
    expect(
      (await attemptsOf(s.agreementId, 2)).map((a) => [a.attemptNo, a.status, a.outTradeNo]),
    ).toEqual([
      [1, "failed", order2.orderNo],
      [2, "succeeded", `${order2.orderNo}R2`],
    ]);
    const trades = await sandboxTrades(s.agreementNo);
    expect(trades.map((tr) => [tr.outTradeNo, tr.status])).toEqual([
      [(await periodOrder(s.agreementId, 1))!.orderNo, "TRADE_SUCCESS"],
      [`${order2.orderNo}R2`, "TRADE_SUCCESS"],
    ]);
    expect((await wallet()).balanceFen).toBe(100_000_00 - 2 * s.amountFen);
    expect((await periodOrder(s.agreementId, 2))!.status).toBe("paid");
    expect(await grantsOf(s.userId)).toHaveLength(2);
  });
});

describe("unsigned mid-way (acceptance 4)", () => {
  it("unsigned in the wallet (notification): the agreement is unsigned and never charged again", async () => {
    const deps = billingDeps(bed);
    const s = await subscriber();
    await nextDay();
    expect((await bed.control("unsign", { agreementNo: s.agreementNo })).status).toBe(200);
    await bed.deliver();
    expect(await agreementRow(s.agreementId)).toMatchObject({
      status: "unsigned",
      autoRenew: false,
    });
    expect((await walletAgreement(s.agreementNo)).status).toBe("UNSIGN");
    for (let day = 2; day <= 16; day++) {
      await nextDay();
      expect(await everyPhase(deps)).toBe(0);
    }
    expect(await sandboxCalls(PAY)).toBe(1);
    expect(await sandboxCalls(MODIFY)).toBe(0);
    expect(await db().$count(chargeAttempts, eq(chargeAttempts.periodIndex, 2))).toBe(0);
    expect(await periodOrder(s.agreementId, 2)).toBeUndefined();
    // The paid period stays.
    expect(await grantsOf(s.userId)).toHaveLength(1);
    expect(deps.alerts.sent).toEqual([]);
  });

  it("gone at Alipay just before the charge (ACQ.AGREEMENT_NOT_EXIST): closed, alerted, never charged again", async () => {
    const deps = billingDeps(bed);
    const s = await subscriber();
    await bed.advance(3 * DAY);
    await inject({ method: PAY, kind: "unsigned" });
    expect(await phase(deps, "charge")).toMatchObject({ processed: 1, closed: 1, charged: 0 });
    expect(await agreementRow(s.agreementId)).toMatchObject({ status: "closed", autoRenew: false });
    expect(
      (await attemptsOf(s.agreementId, 2)).map((a) => [a.status, a.errorCode, a.nextRetryAt]),
    ).toEqual([["failed", "ACQ.AGREEMENT_NOT_EXIST", null]]);
    const order2 = (await periodOrder(s.agreementId, 2))!;
    expect(deps.alerts.items()).toEqual([
      expect.objectContaining({
        kind: "agreement_closed",
        agreementId: s.agreementId,
        orderNo: order2.orderNo,
        code: "ACQ.AGREEMENT_NOT_EXIST",
      }),
    ]);
    // The wallet's unsign notification follows: still closed.
    await bed.deliver();
    expect((await agreementRow(s.agreementId)).status).toBe("closed");
    for (let day = 3; day <= 16; day++) {
      await nextDay();
      expect(await everyPhase(deps)).toBe(0);
    }
    expect(await sandboxCalls(PAY)).toBe(2);
    expect(await sandboxCalls(MODIFY)).toBe(0);
    expect(await sandboxTrades(s.agreementNo)).toHaveLength(1);
    expect((await periodOrder(s.agreementId, 2))!.status).not.toBe("paid");
    expect(await grantsOf(s.userId)).toHaveLength(1);
    expect(deps.alerts.items()).toHaveLength(1);
  });
});

describe("a run stopped halfway (acceptance 6)", () => {
  it("by its time budget: hasMore, the rest charged by the next runs, every agreement exactly once, no lease kept", async () => {
    const buyers: Subscriber[] = [];
    for (let i = 0; i < 5; i++) buyers.push(await subscriber());
    await bed.advance(3 * DAY);
    const budget = 1_000;
    /**
     * A run whose stopwatch crosses the budget once `calls` trade.pay calls have reached
     * Alipay: agreements already past their check finish, nothing else starts.
     */
    const stoppedAfter = (calls: number, settings: Partial<BillingSettings>) => {
      const deps = billingDeps(bed, { ...settings, timeBudgetMs: budget });
      const real = deps.alipay.gateway;
      let made = 0;
      const gateway: AlipayGateway = {
        ...real,
        chargeAgreement: (input) => {
          made++;
          return real.chargeAgreement(input);
        },
      };
      return {
        deps: { ...deps, alipay: { ...deps.alipay, gateway } },
        elapsed: () => (made >= calls ? budget : 0),
        made: () => made,
      };
    };
    const paidSecond = async () => db().$count(orders, eq(orders.periodIndex, 2));
    const triedSecond = async () => db().$count(chargeAttempts, eq(chargeAttempts.periodIndex, 2));

    // One call at a time (two agreements in progress): the budget is spent during the first.
    const one = stoppedAfter(1, { concurrency: 1 });
    const first = await phase(one.deps, "charge", { elapsed: one.elapsed });
    expect(first).toMatchObject({ hasMore: true, batches: 1, declined: 0, unknown: 0 });
    expect(first.charged).toBeGreaterThanOrEqual(1);
    expect(first.charged).toBeLessThanOrEqual(2);
    expect(first.processed).toBe(first.charged);
    expect(one.made()).toBe(first.charged);
    // What was not reached has no attempt: it was given back untouched (and unleased: phase()).
    expect(await paidSecond()).toBe(first.charged);
    expect(await triedSecond()).toBe(first.charged);

    // Batches of one, the next claimed ahead: the claim after the first call finds the time up.
    const two = stoppedAfter(1, { concurrency: 1, batchSize: 1 });
    const second = await phase(two.deps, "charge", { elapsed: two.elapsed });
    expect(second).toMatchObject({ hasMore: true, declined: 0, unknown: 0 });
    expect(second.charged).toBeGreaterThanOrEqual(1);
    expect(second.charged).toBeLessThanOrEqual(2);
    expect(first.charged + second.charged).toBeLessThan(5);
    expect(two.made()).toBe(second.charged);
    expect(await paidSecond()).toBe(first.charged + second.charged);
    expect(await triedSecond()).toBe(first.charged + second.charged);

    const last = await phase(billingDeps(bed), "charge");
    expect(last).toMatchObject({ hasMore: false });
    expect(first.charged + second.charged + last.charged).toBe(5);
    expect(await phase(billingDeps(bed), "charge")).toMatchObject(NOTHING);

    expect(await sandboxCalls(PAY)).toBe(10);
    for (const s of buyers) {
      const order2 = (await periodOrder(s.agreementId, 2))!;
      expect(order2.status).toBe("paid");
      expect((await attemptsOf(s.agreementId, 2)).map((a) => a.status)).toEqual(["succeeded"]);
      expect((await sandboxTrades(s.agreementNo)).map((tr) => tr.outTradeNo)).toEqual([
        (await periodOrder(s.agreementId, 1))!.orderNo,
        order2.orderNo,
      ]);
      expect(await agreementRow(s.agreementId)).toMatchObject({ paidPeriods: 2, currentPeriod: 3 });
    }
    expect(await db().$count(entitlements)).toBe(10);
  });

  /**
   * A charge run killed mid-call: its gateway's trade.pay never answers (after reaching the
   * sandbox, or before), so the attempt stays `pending`, the lease and the `running` receipt
   * stay behind, and nothing else of that run ever happens.
   */
  async function killedCharge(reachAlipay: boolean) {
    const real = bed.deps.alipay.gateway;
    let reached!: () => void;
    const called = new Promise<void>((resolve) => (reached = resolve));
    const gateway: AlipayGateway = {
      ...real,
      async chargeAgreement(input) {
        if (reachAlipay) await real.chargeAgreement(input);
        reached();
        return new Promise(() => {});
      },
    };
    const deps = billingDeps(bed);
    void runBillingPhase({ ...deps, alipay: { ...deps.alipay, gateway } }, "charge");
    await called;
  }

  async function afterTheKill(s: Subscriber) {
    const [attempt] = await attemptsOf(s.agreementId, 2);
    expect(attempt).toMatchObject({ attemptNo: 1, status: "pending" });
    expect(await db().$count(billingRuns, eq(billingRuns.status, "running"))).toBe(1);
    expect((await agreementRow(s.agreementId)).billingLeaseUntil).not.toBeNull();
    return attempt!;
  }

  it("killed before the call reached Alipay: once stale (and the lease lapsed), reconcile asks trade.query; not found → retried on the next day, charged once", async () => {
    const deps = billingDeps(bed);
    const s = await subscriber();
    await bed.advance(3 * DAY);
    await killedCharge(false);
    const attempt = await afterTheKill(s);
    // Young: another run's call in flight; leased: nobody claims it.
    for (const name of ALL_PHASES) {
      expect(await phase(deps, name, { leasesLeft: 1 })).toMatchObject(NOTHING);
    }
    // Stale, but the dead run's lease (5 minutes) has not lapsed yet.
    await bed.advance(DEFAULT_POLICY.stalePendingMs / 1000 + 60);
    expect(await phase(deps, "reconcile", { leasesLeft: 1 })).toMatchObject(NOTHING);
    expect(await sandboxCalls()).toBe(1);
    await bed.advance(5 * 60);
    const queries = await sandboxCalls(QUERY);
    expect(await phase(deps, "reconcile")).toMatchObject({ processed: 1, declined: 1 });
    expect(await sandboxCalls(QUERY)).toBe(queries + 1);
    const [settled] = await attemptsOf(s.agreementId, 2);
    expect(settled).toMatchObject({ id: attempt.id, status: "failed" });
    expect(settled!.nextRetryAt!.getTime()).toBeGreaterThan((await now()).getTime());
    // Not again today.
    for (const name of ALL_PHASES) expect(await phase(deps, name)).toMatchObject(NOTHING);
    expect(await sandboxCalls(PAY)).toBe(1);

    await nextDay();
    expect(await phase(deps, "retry")).toMatchObject({ processed: 1, charged: 1 });
    await bed.deliver();
    expect(await everyPhase(deps)).toBe(0);
    const order2 = (await periodOrder(s.agreementId, 2))!;
    expect(order2.status).toBe("paid");
    expect((await attemptsOf(s.agreementId, 2)).map((a) => [a.attemptNo, a.status])).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    expect((await sandboxTrades(s.agreementNo)).map((tr) => tr.outTradeNo)).toEqual([
      (await periodOrder(s.agreementId, 1))!.orderNo,
      `${order2.orderNo}R2`,
    ]);
    expect(await sandboxCalls(PAY)).toBe(2);
    expect(await grantsOf(s.userId)).toHaveLength(2);
  });

  it("killed after Alipay charged: reconcile finds the trade paid; nothing charged twice", async () => {
    const deps = billingDeps(bed);
    const s = await subscriber();
    await bed.advance(3 * DAY);
    await killedCharge(true);
    await afterTheKill(s);
    expect(await sandboxCalls(PAY)).toBe(2);
    await bed.advance(DEFAULT_POLICY.stalePendingMs / 1000 + 5 * 60);
    for (const name of ["charge", "retry", "postpone"] as const) {
      expect(await phase(deps, name)).toMatchObject(NOTHING);
    }
    expect(await phase(deps, "reconcile")).toMatchObject({ processed: 1, charged: 1 });
    await bed.deliver();
    await nextDay();
    expect(await everyPhase(deps)).toBe(0);
    const order2 = (await periodOrder(s.agreementId, 2))!;
    expect(order2.status).toBe("paid");
    const attempts = await attemptsOf(s.agreementId, 2);
    expect(attempts.map((a) => [a.attemptNo, a.status])).toEqual([[1, "succeeded"]]);
    const trades = await sandboxTrades(s.agreementNo);
    expect(trades.map((tr) => tr.outTradeNo)).toEqual([
      (await periodOrder(s.agreementId, 1))!.orderNo,
      order2.orderNo,
    ]);
    expect(attempts[0]!.tradeNo).toBe(trades[1]!.tradeNo);
    expect(await sandboxCalls(PAY)).toBe(2);
    expect((await wallet()).balanceFen).toBe(100_000_00 - 2 * s.amountFen);
    expect(await grantsOf(s.userId)).toHaveLength(2);
  });
});

describe("cron routes, dry run and the kill switch (acceptance 7)", () => {
  const context = (phase: string) => ({ params: Promise.resolve({ phase }) });
  const request = (path: string, method: "GET" | "POST", authorization?: string) =>
    new Request(`http://localhost${path}`, {
      method,
      headers: authorization ? { authorization } : {},
    });

  /** What a dry run must leave exactly as it was. */
  async function snapshot() {
    return {
      agreements: await db().select().from(agreements).orderBy(asc(agreements.id)),
      orders: await db().select().from(orders).orderBy(asc(orders.id)),
      attempts: await db().$count(chargeAttempts),
      logs: await db().$count(deductionLogs),
      grants: await db().$count(entitlements),
      calls: await sandboxCalls(),
      wallet: await wallet(),
    };
  }

  it("refuse a missing or wrong secret (401) and an unknown phase (404), on GET and POST", async () => {
    const secret = getEnv().cronSecret;
    for (const handler of [cronGet, cronPost]) {
      const method = handler === cronGet ? "GET" : "POST";
      for (const authorization of [
        undefined,
        "Bearer wrong",
        `Bearer ${secret}x`,
        `Basic ${secret}`,
        secret,
      ]) {
        const response = await handler(
          request("/api/cron/billing/charge", method, authorization),
          context("charge"),
        );
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
      }
      const unknown = await handler(
        request("/api/cron/billing/refund", method, `Bearer ${secret}`),
        context("refund"),
      );
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: { code: "not_found" } });
    }
    expect(await db().$count(billingRuns)).toBe(0);
  });

  it("?dryRun=1 reports what it would do (wouldDo) and changes and calls nothing; the function's dry run neither", async () => {
    const secret = getEnv().cronSecret;
    const s = await subscriber();
    await bed.advance(3 * DAY);
    const before = await snapshot();

    const response = await cronGet(
      request("/api/cron/billing/charge?dryRun=1", "GET", `Bearer ${secret}`),
      context("charge"),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      phase: "charge",
      dryRun: true,
      processed: 1,
      charged: 0,
      wouldDo: { due: 1 },
      hasMore: false,
    });
    const viaPost = await cronPost(
      request("/api/cron/billing/retry?dryRun=true", "POST", `Bearer ${secret}`),
      context("retry"),
    );
    expect(viaPost.status).toBe(200);
    expect(await viaPost.json()).toMatchObject({ phase: "retry", dryRun: true, wouldDo: {} });

    // The same through the function, with a gateway that would reach the sandbox.
    const deps = billingDeps(bed);
    const dry = await phase(deps, "charge", { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, processed: 1, charged: 0, wouldDo: { due: 1 } });
    for (const name of ["retry", "postpone", "reconcile"] as const) {
      expect(await phase(deps, name, { dryRun: true })).toMatchObject({
        processed: 0,
        wouldDo: {},
      });
    }
    expect(await snapshot()).toEqual(before);
    // Only the receipts, each marked as a dry run.
    const runs = await db().select().from(billingRuns);
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => r.dryRun && r.status === "completed")).toBe(true);
    expect(deps.alerts.sent).toEqual([]);

    // What it said it would do is what a real run does.
    expect(await phase(deps, "charge")).toMatchObject({ dryRun: false, charged: 1 });
    expect((await periodOrder(s.agreementId, 2))!.status).toBe("paid");
  });

  it("BILLING_ENABLED=false: every phase answers {skipped: disabled} and does nothing", async () => {
    await subscriber();
    await bed.advance(3 * DAY);
    const before = await snapshot();
    const deps = billingDeps(bed, { enabled: false });
    for (const name of ALL_PHASES) {
      expect(await runBillingPhase(deps, name)).toEqual({ phase: name, skipped: "disabled" });
      expect(await runBillingPhase(deps, name, { dryRun: true })).toEqual({
        phase: name,
        skipped: "disabled",
      });
    }
    expect(await snapshot()).toEqual(before);
    expect(await db().$count(billingRuns)).toBe(0);
    expect(deps.alerts.sent).toEqual([]);
  });
});
