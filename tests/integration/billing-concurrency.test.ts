import { and, count, eq, gt, inArray, isNotNull } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  agreements,
  alipaySandboxAgreements,
  alipaySandboxTrades,
  chargeAttempts,
  deductionLogs,
  entitlements,
  orders,
  payments,
} from "@/db/schema";
import { addDays } from "@/lib/clock";
import type { AlipayGateway } from "@/lib/payments/alipay";
import { runBillingPhase, type RunOptions, type RunReport } from "@/lib/billing/run";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { makeDueAgreements, type DueAgreements } from "../helpers/billing-fixtures";
import { billingDeps } from "../helpers/billing-testbed";
import { seed, withTestDatabase } from "../helpers/db";

/*
 * Issue #9, acceptance 5: charge runs started at the same moment share the due agreements
 * (FOR UPDATE SKIP LOCKED + a lease) and charge every one exactly once — counted at the sandbox
 * (its trades and the calls it answered) and in the shop's database (orders, attempts, payments).
 * 1,000 agreements on PostgreSQL (the integration-postgres tier sets TEST_DATABASE_URL); on
 * PGlite, which has one connection and runs the same code serially, a smaller set.
 */

const t = withTestDatabase();
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const SETTINGS = { concurrency: 8, batchSize: 50 };
let bed: AlipayTestbed;

beforeEach(async () => {
  await seed(t.db());
  bed = await alipayTestbed(t.db());
});
afterEach(async () => bed.close());

const due = async (count: number, daysAhead?: (i: number) => number) =>
  makeDueAgreements(t.db(), { count, now: await bed.deps.now(), daysAhead });

async function charge(options: RunOptions = {}): Promise<RunReport> {
  return (await runBillingPhase(billingDeps(bed, SETTINGS), "charge", options)) as RunReport;
}

/** Every fixture agreement charged exactly once for period 2, on both sides; nothing else. */
async function expectEachChargedOnce(fixture: DueAgreements) {
  const db = t.db();
  const n = fixture.agreements.length;
  const ids = fixture.agreements.map((a) => a.id);

  // The sandbox: one successful trade.pay per agreement on top of period 1's, and exactly n
  // trade.pay calls answered.
  const trades = await db
    .select({ agreementNo: alipaySandboxTrades.agreementNo, n: count() })
    .from(alipaySandboxTrades)
    .where(
      and(
        eq(alipaySandboxTrades.status, "TRADE_SUCCESS"),
        eq(alipaySandboxTrades.method, "alipay.trade.pay"),
      ),
    )
    .groupBy(alipaySandboxTrades.agreementNo);
  expect(trades).toHaveLength(n);
  expect(trades.filter((row) => row.n !== 2)).toEqual([]);
  const stats = (await bed.control("stats")).body as { calls: Record<string, number> };
  expect(stats.calls["alipay.trade.pay"]).toBe(n);
  const [moved] = await db
    .select({ n: count() })
    .from(alipaySandboxAgreements)
    .where(eq(alipaySandboxAgreements.deductedCount, 2));
  expect(moved!.n).toBe(n);

  // The shop: n paid renewal orders (one per agreement), n payments, n succeeded attempts for
  // period 2 and no other attempt, never two successes for one period, no lease left behind.
  const renewals = await db
    .select({ agreementId: orders.agreementId, status: orders.status })
    .from(orders)
    .where(eq(orders.kind, "renewal"));
  expect(renewals).toHaveLength(n);
  expect(renewals.every((o) => o.status === "paid")).toBe(true);
  expect(new Set(renewals.map((o) => o.agreementId))).toEqual(new Set(ids));
  const [paid] = await db
    .select({ n: count() })
    .from(payments)
    .innerJoin(orders, eq(orders.id, payments.orderId))
    .where(and(eq(orders.kind, "renewal"), eq(payments.status, "paid")));
  expect(paid!.n).toBe(n);
  const attempts = await db
    .select({ status: chargeAttempts.status, n: count() })
    .from(chargeAttempts)
    .where(eq(chargeAttempts.periodIndex, 2))
    .groupBy(chargeAttempts.status);
  expect(attempts).toEqual([{ status: "succeeded", n }]);
  const twice = await db
    .select({ agreementId: chargeAttempts.agreementId, period: chargeAttempts.periodIndex })
    .from(chargeAttempts)
    .where(eq(chargeAttempts.status, "succeeded"))
    .groupBy(chargeAttempts.agreementId, chargeAttempts.periodIndex)
    .having(gt(count(), 1));
  expect(twice).toEqual([]);
  const [logged] = await db
    .select({ n: count() })
    .from(deductionLogs)
    .where(eq(deductionLogs.apiMethod, "alipay.trade.pay"));
  expect(logged!.n).toBe(n);
  const [leased] = await db
    .select({ n: count() })
    .from(agreements)
    .where(isNotNull(agreements.billingLeaseUntil));
  expect(leased!.n).toBe(0);
  const advanced = await db
    .select({ n: count() })
    .from(agreements)
    .where(
      and(
        inArray(agreements.id, ids),
        eq(agreements.currentPeriod, 3),
        eq(agreements.paidPeriods, 2),
        eq(agreements.status, "active"),
      ),
    );
  expect(advanced[0]!.n).toBe(n);
}

const total = (...reports: RunReport[]) => reports.reduce((sum, r) => sum + r.charged, 0);

describe("the due-agreements fixture", () => {
  it("builds an agreement the charge phase charges through the real client and the sandbox, both sides moving on one period", async () => {
    // Three days early: period 1 has days left, so period 2 starts where it ends.
    const fixture = await due(1, () => 3);
    const [made] = fixture.agreements;
    const report = await charge();
    expect(report).toMatchObject({ processed: 1, charged: 1, declined: 0, unknown: 0, closed: 0 });
    await expectEachChargedOnce(fixture);

    const [agreement] = await t.db().select().from(agreements).where(eq(agreements.id, made!.id));
    expect(agreement!.nextChargeDate).toBe(addDays(made!.nextChargeDate, 7));
    const wallet = (await bed.control("wallet")).body as {
      agreements: { agreementNo: string; externalAgreementNo: string; nextDeductDate: string }[];
    };
    expect(wallet.agreements).toEqual([
      expect.objectContaining({
        agreementNo: made!.agreementNo,
        externalAgreementNo: made!.externalAgreementNo,
        nextDeductDate: agreement!.nextChargeDate,
      }),
    ]);
    // Period 2 continues period 1's membership without a gap.
    const grants = await t
      .db()
      .select()
      .from(entitlements)
      .where(eq(entitlements.userId, made!.userId))
      .orderBy(entitlements.startsAt);
    expect(grants).toHaveLength(2);
    expect(grants[1]!.startsAt).toEqual(grants[0]!.expiresAt);
  });

  it("makes every agreement due today, whatever its date between its first attempt and its end (dry run)", async () => {
    const fixture = await due(120);
    expect(new Set(fixture.agreements.map((a) => a.nextChargeDate)).size).toBe(5);
    // Five days ahead: inside Alipay's window, but a weekly period began two days ago and is
    // first tried three days after it began (its reminder's lead): not claimed yet.
    await due(10, () => 5);
    const report = await charge({ dryRun: true });
    expect(report.wouldDo).toEqual({ due: 120 });
    expect(report.processed).toBe(120);
    // A dry run charges nothing: the sandbox holds period 1's trades only, and was never called.
    const [trades] = await t.db().select({ n: count() }).from(alipaySandboxTrades);
    expect(trades!.n).toBe(130);
    const stats = (await bed.control("stats")).body as { calls: Record<string, number> };
    expect(stats.calls).toEqual({});
  });
});

describe("one charge run", () => {
  it("has at most `concurrency` calls in flight at Alipay, while other agreements use the database", async () => {
    const fixture = await due(60);
    const deps = billingDeps(bed, SETTINGS);
    const real = deps.alipay.gateway;
    let inFlight = 0;
    let peak = 0;
    let lookedDuringCalls = 0;
    const gateway: AlipayGateway = {
      ...real,
      async chargeAgreement(input) {
        peak = Math.max(peak, ++inFlight);
        try {
          return await real.chargeAgreement(input);
        } finally {
          inFlight--;
        }
      },
    };
    // Work that reads the clock (looking, recording, settling) while the limit's calls are all out.
    const now = deps.now;
    const report = (await runBillingPhase(
      {
        ...deps,
        now: async () => {
          if (inFlight === SETTINGS.concurrency) lookedDuringCalls++;
          return now();
        },
        alipay: { ...deps.alipay, gateway },
      },
      "charge",
    )) as RunReport;
    expect(report).toMatchObject({ charged: 60, processed: 60, declined: 0, unknown: 0 });
    expect(peak).toBe(SETTINGS.concurrency);
    expect(lookedDuringCalls).toBeGreaterThan(0);
    await expectEachChargedOnce(fixture);
  });
});

describe("two charge runs started at the same moment", () => {
  it("share 60 due agreements and charge each exactly once (on PGlite, one connection: in turns)", async () => {
    const fixture = await due(60);
    const [a, b] = await Promise.all([charge(), charge()]);
    expect(total(a!, b!)).toBe(60);
    expect(a!.declined + b!.declined + a!.unknown + b!.unknown).toBe(0);
    await expectEachChargedOnce(fixture);
  });

  it.skipIf(!onPostgres)(
    "share 1,000 due agreements on PostgreSQL, both doing work, and charge each exactly once",
    async () => {
      const fixture = await due(1_000);
      const [a, b] = await Promise.all([charge(), charge()]);
      expect(total(a!, b!)).toBe(1_000);
      expect(a!.processed).toBeGreaterThan(0);
      expect(b!.processed).toBeGreaterThan(0);
      expect(a!.processed + b!.processed).toBe(1_000);
      expect(a!.declined + b!.declined + a!.unknown + b!.unknown).toBe(0);
      await expectEachChargedOnce(fixture);
    },
    240_000,
  );

  it("one of them out of time early: nothing is charged twice, and the next run charges what was given back", async () => {
    const n = onPostgres ? 1_000 : 60;
    const fixture = await due(n);
    // The first run's clock reads "over budget" after its first few looks (injected, no waiting).
    let looks = 0;
    const [short, full] = await Promise.all([
      charge({ elapsed: () => (++looks > 6 ? Number.POSITIVE_INFINITY : 0) }),
      charge(),
    ]);
    expect(short!.hasMore).toBe(true);
    expect(short!.charged).toBeGreaterThan(0);
    expect(short!.charged).toBeLessThan(n);
    expect(total(short!, full!)).toBeLessThanOrEqual(n);
    // What the short run claimed but did not reach was given back, not left leased.
    const [leased] = await t
      .db()
      .select({ n: count() })
      .from(agreements)
      .where(isNotNull(agreements.billingLeaseUntil));
    expect(leased!.n).toBe(0);
    // The full run took what it could see; whatever the short run gave back after that, the
    // next run (the next cron call) finishes.
    const next = await charge();
    expect(total(short!, full!, next)).toBe(n);
    expect(next.hasMore).toBe(false);
    await expectEachChargedOnce(fixture);
  }, 240_000);
});
