import { and, asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { membershipOf } from "@/db/queries/entitlements";
import {
  alipaySandboxRefunds,
  alipaySandboxTrades,
  auditLog,
  deductionLogs,
  entitlements,
  orders,
  payments,
  refunds,
} from "@/db/schema";
import { refundAlipayOrder, type RefundDeps } from "@/lib/refunds/alipay";
import { startSubscription } from "@/lib/subscriptions/start";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { makeUser } from "../helpers/factories";
import { seed, withTestDatabase } from "../helpers/db";

/*
 * Issue #11, acceptance 3: refunds of Alipay membership orders through the sandbox, over real
 * HTTP (the shop's client signs alipay.trade.refund, the sandbox refunds once per
 * out_request_no). Requested twice in a row, twice at once, after an unknown answer: one refund
 * at the sandbox, the membership's end moved back, audited.
 */

const t = withTestDatabase();
const WEEKLY = "membership-weekly";
const DAY_S = 86_400;

let bed: AlipayTestbed;
let deps: RefundDeps;
let buyer: string;
let admin: string;

beforeEach(async () => {
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  deps = { db: t.db(), now: bed.deps.now, alipay: bed.deps.alipay };
  buyer = (await makeUser(t.db())).id;
  admin = (await makeUser(t.db(), { role: "admin" })).id;
});

afterEach(async () => {
  await bed.close();
});

/** A buyer subscribed in the browser: period 1 (¥9.90, 7 days) paid and granted. */
async function paidMembership(userId = buyer): Promise<{ orderNo: string; orderId: string }> {
  const started = await startSubscription(bed.deps, { userId, productSlug: WEEKLY });
  const signed = await bed.control("sign", { signUrl: started.signUrl });
  expect(signed.status).toBe(200);
  await bed.deliver();
  const [order] = await t.db().select().from(orders).where(eq(orders.orderNo, started.orderNo));
  expect(order).toMatchObject({ status: "paid", amountFen: 990 });
  return { orderNo: started.orderNo, orderId: order!.id };
}

const sandboxRefunds = () => t.db().select().from(alipaySandboxRefunds);
const refundRows = (orderId: string) =>
  t.db().select().from(refunds).where(eq(refunds.orderId, orderId)).orderBy(asc(refunds.createdAt));
const auditOf = (orderId: string) =>
  t
    .db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetType, "order"), eq(auditLog.targetId, orderId)))
    .orderBy(asc(auditLog.id));
const grantOf = async (orderId: string) =>
  (await t.db().select().from(entitlements).where(eq(entitlements.orderId, orderId)))[0]!;
const paymentOf = async (orderId: string) =>
  (await t.db().select().from(payments).where(eq(payments.orderId, orderId)))[0]!;

const full = (orderNo: string) => ({
  orderNo,
  amountFen: 990,
  note: "buyer asked",
  actorUserId: admin,
  expectedRefundedFen: 0,
});

describe("refunding an Alipay membership order (acceptance 3)", () => {
  it("requested twice in a row: one refund at the sandbox, the membership's end moved back by the period", async () => {
    const { orderNo, orderId } = await paidMembership();
    const before = await membershipOf(t.db(), buyer);
    expect(before.endsAt).not.toBeNull();

    const first = await refundAlipayOrder(deps, full(orderNo));
    expect(first).toMatchObject({ status: "succeeded", reused: false });
    // The same request again (a double click after the first finished): refused, nothing sent.
    await expect(refundAlipayOrder(deps, full(orderNo))).rejects.toMatchObject({
      code: "conflict",
    });

    const atSandbox = await sandboxRefunds();
    expect(atSandbox).toHaveLength(1);
    expect(atSandbox[0]).toMatchObject({ amountFen: 990, outRequestNo: `${orderNo}RF1` });
    const [trade] = await t.db().select().from(alipaySandboxTrades);
    expect(trade).toMatchObject({ refundedFen: 990, status: "TRADE_CLOSED" });

    // The shop: order refunded, trade refunded, grant revoked, membership ended.
    const [order] = await t.db().select().from(orders).where(eq(orders.id, orderId));
    expect(order!.status).toBe("refunded");
    expect(await paymentOf(orderId)).toMatchObject({ status: "refunded", refundedFen: 990 });
    const grant = await grantOf(orderId);
    expect(grant.revokedAt).not.toBeNull();
    expect(await membershipOf(t.db(), buyer)).toEqual({ endsAt: null, grants: 0 });
    expect(await refundRows(orderId)).toMatchObject([
      {
        status: "succeeded",
        amountFen: 990,
        method: "alipay",
        attempts: 1,
        membershipCutSeconds: 7 * DAY_S,
        requestedBy: admin,
      },
    ]);

    // Audited: the request, then the refund with before and after.
    const audit = await auditOf(orderId);
    const mine = audit.filter((row) => row.actorKind === "user");
    expect(mine.map((row) => row.action)).toEqual(["order.refund_requested", "order.refund"]);
    expect(mine[1]).toMatchObject({
      actorUserId: admin,
      details: {
        amountFen: 990,
        before: { orderStatus: "paid", paymentStatus: "paid", grantRevoked: false },
        after: { orderStatus: "refunded", paymentStatus: "refunded", grantRevoked: true },
      },
    });
    // The exchange is in the deduction log, like every call to Alipay.
    const logs = await t
      .db()
      .select()
      .from(deductionLogs)
      .where(eq(deductionLogs.apiMethod, "alipay.trade.refund"));
    expect(logs).toMatchObject([{ orderId, outcome: "succeeded", httpStatus: 200 }]);
  });

  it("requested twice at once: one refund row, one refund at the sandbox, applied once", async () => {
    const { orderNo, orderId } = await paidMembership();
    const results = await Promise.allSettled([
      refundAlipayOrder(deps, full(orderNo)),
      refundAlipayOrder(deps, full(orderNo)),
    ]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    // Either the second reused the first's pending refund (both report it succeeded), or it
    // came after the first had finished and was refused as stale: never a second refund.
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    for (const r of fulfilled) expect(r.value.status).toBe("succeeded");
    for (const r of results) {
      if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "conflict" });
    }
    expect(await sandboxRefunds()).toHaveLength(1);
    expect(await refundRows(orderId)).toHaveLength(1);
    expect(await paymentOf(orderId)).toMatchObject({ refundedFen: 990, status: "refunded" });
    const actions = (await auditOf(orderId)).map((row) => row.action);
    expect(actions.filter((a) => a === "order.refund")).toHaveLength(1);
  });

  it("a partial refund shortens the membership proportionally; the rest refunds the whole period", async () => {
    const { orderNo, orderId } = await paidMembership();
    const grant = await grantOf(orderId);
    const end = grant.expiresAt!.getTime();

    // ¥4.95 of ¥9.90: half of the 7 days comes off the end.
    const half = await refundAlipayOrder(deps, { ...full(orderNo), amountFen: 495 });
    expect(half.status).toBe("succeeded");
    const shortened = await grantOf(orderId);
    expect(shortened.revokedAt).toBeNull();
    expect(end - shortened.expiresAt!.getTime()).toBe(3.5 * DAY_S * 1000);
    expect((await membershipOf(t.db(), buyer)).endsAt!.getTime()).toBe(end - 3.5 * DAY_S * 1000);
    const [order] = await t.db().select().from(orders).where(eq(orders.id, orderId));
    expect(order!.status).toBe("paid");
    expect(await paymentOf(orderId)).toMatchObject({ status: "paid", refundedFen: 495 });

    // More than is left is refused before Alipay is asked.
    await expect(
      refundAlipayOrder(deps, { ...full(orderNo), amountFen: 496, expectedRefundedFen: 495 }),
    ).rejects.toMatchObject({
      code: "validation_failed",
      fields: { amount: ["refund.amount_exceeds"] },
    });
    // A page that still shows nothing refunded cannot refund again.
    await expect(
      refundAlipayOrder(deps, { ...full(orderNo), amountFen: 495, expectedRefundedFen: 0 }),
    ).rejects.toMatchObject({ code: "conflict" });

    const rest = await refundAlipayOrder(deps, {
      ...full(orderNo),
      amountFen: 495,
      expectedRefundedFen: 495,
    });
    expect(rest.status).toBe("succeeded");
    expect((await grantOf(orderId)).revokedAt).not.toBeNull();
    expect(await refundRows(orderId)).toMatchObject([
      { outRequestNo: `${orderNo}RF1`, membershipCutSeconds: 3.5 * DAY_S },
      { outRequestNo: `${orderNo}RF2`, membershipCutSeconds: 3.5 * DAY_S },
    ]);
    expect((await sandboxRefunds()).map((r) => r.amountFen)).toEqual([495, 495]);
    const [after] = await t.db().select().from(orders).where(eq(orders.id, orderId));
    expect(after!.status).toBe("refunded");
  });

  it("a later period stacked on the refunded one moves back by the refunded time", async () => {
    const { orderNo, orderId } = await paidMembership();
    const first = await grantOf(orderId);
    // A second period paid in advance, stacked after the first (as a renewal settles).
    const [later] = await t
      .db()
      .insert(entitlements)
      .values({
        id: "ent_later0000000000000000",
        userId: buyer,
        orderId: (await paidOtherOrder(first.productId)).id,
        productId: first.productId,
        kind: "membership",
        startsAt: first.expiresAt!,
        expiresAt: new Date(first.expiresAt!.getTime() + 7 * DAY_S * 1000),
      })
      .returning();
    await refundAlipayOrder(deps, full(orderNo));
    const [moved] = await t.db().select().from(entitlements).where(eq(entitlements.id, later!.id));
    expect(moved!.startsAt.getTime()).toBe(first.startsAt.getTime());
    expect(moved!.expiresAt!.getTime()).toBe(later!.expiresAt!.getTime() - 7 * DAY_S * 1000);
    expect((await membershipOf(t.db(), buyer)).endsAt!.getTime()).toBe(
      later!.expiresAt!.getTime() - 7 * DAY_S * 1000,
    );
  });

  it("an unknown answer (the refund went through, the answer was lost) is asked again with the same number: one refund", async () => {
    const { orderNo, orderId } = await paidMembership();
    const injected = await bed.control("faults", {
      inject: { method: "alipay.trade.refund", kind: "system_error", count: 1, committed: true },
    });
    expect(injected.status).toBe(200);
    const result = await refundAlipayOrder(deps, full(orderNo));
    expect(result.status).toBe("succeeded");
    expect(await sandboxRefunds()).toHaveLength(1);
    expect(await refundRows(orderId)).toMatchObject([
      { status: "succeeded", attempts: 1, outRequestNo: `${orderNo}RF1` },
    ]);
    const logs = await t
      .db()
      .select()
      .from(deductionLogs)
      .where(eq(deductionLogs.orderId, orderId))
      .orderBy(asc(deductionLogs.id));
    const refundLogs = logs.filter((l) => l.apiMethod === "alipay.trade.refund");
    expect(refundLogs.map((l) => l.outcome)).toEqual(["unknown", "succeeded"]);
    // Both calls carried the same out_request_no: Alipay refunds once per number.
    expect(
      refundLogs.map(
        (l) => (l.request as { biz_content?: { out_request_no?: string } }).biz_content,
      ),
    ).toEqual([
      expect.objectContaining({ out_request_no: `${orderNo}RF1` }),
      expect.objectContaining({ out_request_no: `${orderNo}RF1` }),
    ]);
  });

  it("still unknown after every call: the refund stays pending, and the next request reuses it", async () => {
    const { orderNo, orderId } = await paidMembership();
    await bed.control("faults", {
      inject: { method: "alipay.trade.refund", kind: "http502", count: 3 },
    });
    const first = await refundAlipayOrder(deps, full(orderNo));
    expect(first).toMatchObject({ status: "pending", code: "http_502" });
    expect(await sandboxRefunds()).toHaveLength(0);
    // A second request reuses the pending refund and its number: no second refund is minted.
    const second = await refundAlipayOrder(deps, full(orderNo));
    expect(second).toMatchObject({ status: "succeeded", reused: true });
    expect(second.refund.id).toBe(first.refund.id);
    expect(await sandboxRefunds()).toHaveLength(1);
    expect(await refundRows(orderId)).toHaveLength(1);
  });

  it("a refusal is shown with Alipay's code, the refund stays failed and can be tried again", async () => {
    const { orderNo, orderId } = await paidMembership();
    await bed.control("faults", {
      inject: { method: "alipay.trade.refund", kind: "forbidden", count: 1 },
    });
    const failed = await refundAlipayOrder(deps, full(orderNo));
    expect(failed).toMatchObject({ status: "failed", code: "isv.insufficient-isv-permissions" });
    expect((await auditOf(orderId)).map((r) => r.action)).toContain("order.refund_failed");
    const [order] = await t.db().select().from(orders).where(eq(orders.id, orderId));
    expect(order!.status).toBe("paid");
    expect((await grantOf(orderId)).revokedAt).toBeNull();

    const retried = await refundAlipayOrder(deps, {
      orderNo,
      amountFen: 0,
      note: null,
      actorUserId: admin,
      retryRefundId: failed.refund.id,
    });
    expect(retried).toMatchObject({ status: "succeeded" });
    expect(retried.refund.outRequestNo).toBe(failed.refund.outRequestNo);
    expect(await sandboxRefunds()).toHaveLength(1);
    const actions = (await auditOf(orderId)).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(["order.refund_failed", "order.refund_retried", "order.refund"]),
    );
  });
});

/** Another paid order of the buyer for the same plan (for a stacked grant). */
async function paidOtherOrder(productId: string) {
  const [order] = await t
    .db()
    .insert(orders)
    .values({
      id: "ord_other000000000000000",
      orderNo: "XP20261201OTHER00001",
      userId: buyer,
      productId,
      kind: "purchase",
      provider: "youzan",
      amountFen: 990,
      status: "paid",
      paidAt: new Date(),
    })
    .returning();
  return order!;
}
