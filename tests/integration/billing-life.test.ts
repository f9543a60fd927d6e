import { asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agreements, entitlements, orders } from "@/db/schema";
import { addDays, shanghaiDate } from "@/lib/clock";
import { runBillingPhase, type RunReport } from "@/lib/billing/run";
import { startSubscription } from "@/lib/subscriptions/start";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { billingDeps } from "../helpers/billing-testbed";
import { makeUser } from "../helpers/factories";
import { seed, withTestDatabase } from "../helpers/db";

const t = withTestDatabase();
const DAY = 86_400;
let bed: AlipayTestbed;
let buyer: string;

beforeEach(async () => {
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  buyer = (await makeUser(t.db())).id;
});
afterEach(async () => bed.close());

async function subscribeWeekly() {
  const started = await startSubscription(bed.deps, {
    userId: buyer,
    productSlug: "membership-weekly",
  });
  expect((await bed.control("sign", { signUrl: started.signUrl })).status).toBe(200);
  await bed.deliver();
}

const agreementOf = async () =>
  (await t.db().select().from(agreements).where(eq(agreements.userId, buyer)))[0]!;

describe("a weekly plan through its life on the sandbox clock", () => {
  it("charged inside the window, renewed 4 times, the date advancing exactly 7 days, the membership continuous", async () => {
    const deps = billingDeps(bed);
    await subscribeWeekly();
    const first = await agreementOf();
    const day0 = shanghaiDate(await bed.deps.now());
    expect(first.nextChargeDate).toBe(addDays(day0, 7));

    const chargedOn: string[] = [];
    for (let day = 1; day <= 28; day++) {
      await bed.advance(DAY);
      const report = (await runBillingPhase(deps, "charge")) as RunReport;
      await bed.deliver();
      if (report.charged > 0) chargedOn.push(shanghaiDate(await bed.deps.now()));
      expect(report.declined + report.unknown + report.closed).toBe(0);
    }
    const a = await agreementOf();
    // Day 0 + 4 renewals = 5 paid periods; each renewal inside [date − 5, date], and not before
    // NOTICE_REMIND_DAYS (3) after its period began, so its reminder could go out in time.
    expect(a).toMatchObject({ status: "active", paidPeriods: 5, currentPeriod: 6 });
    expect(a.nextChargeDate).toBe(addDays(day0, 35));
    expect(chargedOn).toEqual([3, 10, 17, 24].map((d) => addDays(day0, d)));

    const paid = await t
      .db()
      .select()
      .from(orders)
      .where(eq(orders.userId, buyer))
      .orderBy(asc(orders.periodIndex));
    expect(paid.map((o) => [o.periodIndex, o.kind, o.status])).toEqual([
      [1, "membership_initial", "paid"],
      [2, "renewal", "paid"],
      [3, "renewal", "paid"],
      [4, "renewal", "paid"],
      [5, "renewal", "paid"],
    ]);
    const grants = await t
      .db()
      .select()
      .from(entitlements)
      .where(eq(entitlements.userId, buyer))
      .orderBy(asc(entitlements.startsAt));
    expect(grants).toHaveLength(5);
    for (let i = 1; i < grants.length; i++) {
      // Continuous: each period starts where the previous one ended.
      expect(grants[i]!.startsAt).toEqual(grants[i - 1]!.expiresAt);
      expect(grants[i]!.expiresAt!.getTime() - grants[i]!.startsAt.getTime()).toBe(7 * DAY * 1000);
    }
    // The sandbox agrees: five deductions, next one on the same date.
    const stats = (await bed.control("stats")).body as { calls: Record<string, number> };
    expect(stats.calls["alipay.trade.pay"]).toBe(5);
    const wallet = (await bed.control("wallet")).body as {
      agreements: { nextDeductDate: string }[];
    };
    expect(wallet.agreements[0]!.nextDeductDate).toBe(addDays(day0, 35));
  });
});
