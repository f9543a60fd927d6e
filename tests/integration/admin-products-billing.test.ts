import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agreements, chargeAttempts, orders, products, users } from "@/db/schema";
import { editProduct, setProductActive } from "@/lib/admin/products";
import { runBillingPhase, type RunReport } from "@/lib/billing/run";
import { fenToYuan } from "@/lib/money";
import { createPurchaseOrder } from "@/lib/orders/create-order";
import { startSubscription } from "@/lib/subscriptions/start";
import { isAppError } from "@/lib/errors";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { makeDueAgreements } from "../helpers/billing-fixtures";
import { billingDeps } from "../helpers/billing-testbed";
import { seed, withTestDatabase } from "../helpers/db";
import { makeUser } from "../helpers/factories";
import { youzanTestbed } from "../helpers/youzan-testbed";

/*
 * Issue #11, products: a price change never touches existing agreements (each keeps the
 * `single_amount_fen` it was signed with, and the renewal run charges that), while a new
 * checkout uses the new price; a deactivated plan cannot be subscribed to but its agreements
 * keep renewing. Through the real Alipay client and sandbox.
 */

const t = withTestDatabase();
const CAP = 10_000;
let bed: AlipayTestbed;
let adminId: string;

beforeEach(async () => {
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  const [admin] = await t.db().select().from(users).where(eq(users.role, "admin"));
  adminId = admin!.id;
});
afterEach(async () => bed.close());

async function plan(slug: string) {
  const [row] = await t.db().select().from(products).where(eq(products.slug, slug));
  return row!;
}

/** The editor's form for a product, with the price replaced. */
function formOf(product: Awaited<ReturnType<typeof plan>>, price: string) {
  return {
    slug: product.slug,
    kind: product.kind,
    nameZh: product.nameZh,
    nameEn: product.nameEn,
    descriptionZh: product.descriptionZh,
    descriptionEn: product.descriptionEn,
    contentZh: product.contentZh ?? "",
    contentEn: product.contentEn ?? "",
    price,
    periodDays: String(product.periodDays ?? ""),
    credits: String(product.credits ?? ""),
    sortOrder: String(product.sortOrder),
  };
}

describe("a plan's price change", () => {
  it("leaves the active agreement's amount alone (the next renewal charges the old amount); a new checkout uses the new price", async () => {
    const weekly = await plan("membership-weekly");
    expect(weekly.priceFen).toBe(990);
    const fixture = await makeDueAgreements(t.db(), {
      count: 1,
      now: await bed.deps.now(),
      daysAhead: () => 0,
    });
    const agreementId = fixture.agreements[0]!.id;

    const edited = await editProduct(t.db(), adminId, weekly.id, formOf(weekly, "12.50"), CAP);
    expect(edited).toMatchObject({ ok: true, changed: true, product: { priceFen: 1250 } });

    // The stored amount is the agreement's own.
    const [kept] = await t.db().select().from(agreements).where(eq(agreements.id, agreementId));
    expect(kept!.singleAmountFen).toBe(990);

    // The renewal run charges it at the old amount, at the sandbox too.
    const report = (await runBillingPhase(billingDeps(bed), "charge", {})) as RunReport;
    expect(report).toMatchObject({ processed: 1, charged: 1 });
    const [renewal] = await t
      .db()
      .select()
      .from(orders)
      .where(and(eq(orders.agreementId, agreementId), eq(orders.kind, "renewal")));
    expect(renewal).toMatchObject({ amountFen: 990, status: "paid", periodIndex: 2 });
    const [attempt] = await t
      .db()
      .select()
      .from(chargeAttempts)
      .where(and(eq(chargeAttempts.agreementId, agreementId), eq(chargeAttempts.periodIndex, 2)));
    expect(attempt!.amountFen).toBe(990);
    const sandboxTrades = (await bed.control("stats")).body as { calls: Record<string, number> };
    expect(sandboxTrades.calls["alipay.trade.pay"]).toBe(1);

    // A new subscriber gets the new price: agreement amount and the first period's order.
    const buyer = await makeUser(t.db());
    const started = await startSubscription(bed.deps, {
      userId: buyer.id,
      productSlug: "membership-weekly",
    });
    const [fresh] = await t
      .db()
      .select()
      .from(agreements)
      .where(eq(agreements.id, started.agreementId));
    expect(fresh!.singleAmountFen).toBe(1250);
    const [first] = await t.db().select().from(orders).where(eq(orders.orderNo, started.orderNo));
    expect(first!.amountFen).toBe(1250);
    // The sign URL asks Alipay for the new cap.
    expect(new URL(started.signUrl).searchParams.get("biz_content")).toContain(
      `"single_amount":"${fenToYuan(1250)}"`,
    );
  });
});

describe("a deactivated plan", () => {
  it("cannot be subscribed to, while its active agreement keeps renewing; reactivated, it sells again", async () => {
    const weekly = await plan("membership-weekly");
    const fixture = await makeDueAgreements(t.db(), {
      count: 1,
      now: await bed.deps.now(),
      daysAhead: () => 0,
    });
    await setProductActive(t.db(), adminId, weekly.id, false);

    const buyer = await makeUser(t.db());
    await expect(
      startSubscription(bed.deps, { userId: buyer.id, productSlug: "membership-weekly" }),
    ).rejects.toSatisfy((error) => isAppError(error, "not_found"));

    const report = (await runBillingPhase(billingDeps(bed), "charge", {})) as RunReport;
    expect(report).toMatchObject({ processed: 1, charged: 1 });
    const [agreement] = await t
      .db()
      .select()
      .from(agreements)
      .where(eq(agreements.id, fixture.agreements[0]!.id));
    expect(agreement).toMatchObject({ status: "active", paidPeriods: 2 });

    await setProductActive(t.db(), adminId, weekly.id, true);
    const started = await startSubscription(bed.deps, {
      userId: buyer.id,
      productSlug: "membership-weekly",
    });
    expect(started.orderNo).toMatch(/^XP/);
  });
});

describe("a deactivated one-off product", () => {
  it("cannot be bought with a QR order; back on sale, a new order carries the edited price", async () => {
    const handbook = await plan("side-hustle-handbook");
    const youzan = await youzanTestbed(t.db());
    try {
      const buyer = await makeUser(t.db());
      await setProductActive(t.db(), adminId, handbook.id, false);
      await expect(
        createPurchaseOrder(youzan.deps, { userId: buyer.id, productSlug: handbook.slug }),
      ).rejects.toSatisfy((error) => isAppError(error, "not_found"));
      expect(await t.db().select().from(orders).where(eq(orders.userId, buyer.id))).toEqual([]);

      await editProduct(t.db(), adminId, handbook.id, formOf(handbook, "5.20"), CAP);
      await setProductActive(t.db(), adminId, handbook.id, true);
      const order = await createPurchaseOrder(youzan.deps, {
        userId: buyer.id,
        productSlug: handbook.slug,
      });
      expect(order.amountFen).toBe(520);
    } finally {
      await youzan.close();
    }
  });
});
