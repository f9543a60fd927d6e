import { and, asc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { GET as listRoute } from "@/app/api/admin/orders/route";
import { GET as detailRoute } from "@/app/api/admin/orders/[orderNo]/route";
import { POST as acceptRoute } from "@/app/api/admin/orders/[orderNo]/accept/route";
import { POST as markRefundedRoute } from "@/app/api/admin/orders/[orderNo]/mark-refunded/route";
import { POST as recordRefundRoute } from "@/app/api/admin/orders/[orderNo]/record-refund/route";
import { POST as refundRoute } from "@/app/api/admin/orders/[orderNo]/refund/route";
import { membershipOf } from "@/db/queries/entitlements";
import { auditLog, entitlements, orders, payments, refunds } from "@/db/schema";
import { withTestDatabase } from "../helpers/db";
import * as fixtures from "../helpers/order-fixtures";
import { makeUser } from "../helpers/factories";

/*
 * The orders JSON API and actions through their route handlers (issue #11): the guard first
 * (401 anonymous, 403 buyer — before any body is read), bad filters and cursors → 400, unknown
 * order → 404, bodies → 415/422, states that do not allow the action → 409, and each action's
 * effect with its audit row (before/after). Alipay refunds through the sandbox are in
 * admin-orders-refunds.test.ts.
 */

// The route's guard comes from Next's request (cookies, session): stood in for here.
const guard = vi.hoisted(() => ({ user: null as { id: string; role: string } | null }));
vi.mock("@/lib/auth/guards", async () => {
  const { AppError } = await import("@/lib/errors");
  return {
    assertAdmin: async () => {
      if (!guard.user) throw new AppError("unauthorized", "Sign in first.");
      if (guard.user.role !== "admin") throw new AppError("forbidden", "Admins only.");
      return guard.user;
    },
  };
});

const t = withTestDatabase();

let admin: { id: string; role: string };

beforeEach(async () => {
  admin = { id: (await makeUser(t.db(), { role: "admin" })).id, role: "admin" };
  guard.user = admin;
});

const ctx = (orderNo: string) => ({ params: Promise.resolve({ orderNo }) });
const get = (path: string) => new Request(`http://localhost${path}`);
const post = (path: string, body: unknown, type = "application/json") =>
  new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { "content-type": type },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

async function answer(response: Response) {
  const body = (await response.json()) as Record<string, unknown> & {
    error?: { code: string; message: string; fields?: Record<string, string[]> };
  };
  return { status: response.status, body };
}

const paidYouzanOrder = () => fixtures.paidYouzanOrder(t.db());
const reviewOrder = (kind?: "one_off" | "membership") => fixtures.reviewOrder(t.db(), kind);

const auditOf = (orderId: string) =>
  t
    .db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetType, "order"), eq(auditLog.targetId, orderId)))
    .orderBy(asc(auditLog.id));

describe("GET /api/admin/orders", () => {
  it("admin only: 401 anonymous, 403 buyer", async () => {
    guard.user = null;
    expect((await listRoute(get("/api/admin/orders"), undefined)).status).toBe(401);
    guard.user = { id: "usr_x", role: "buyer" };
    expect((await listRoute(get("/api/admin/orders"), undefined)).status).toBe(403);
  });

  it("lists with filters, pages with the cursor, and refuses bad filters and cursors with 400", async () => {
    const paid = await paidYouzanOrder();
    await reviewOrder();
    const all = await answer(await listRoute(get("/api/admin/orders?limit=1"), undefined));
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(1);
    expect(all.body.nextCursor).toEqual(expect.any(String));
    const next = await answer(
      await listRoute(
        get(`/api/admin/orders?limit=1&cursor=${all.body.nextCursor as string}`),
        undefined,
      ),
    );
    expect(next.body.items).toHaveLength(1);
    expect(next.body.nextCursor).toBeNull();
    const filtered = await answer(
      await listRoute(get("/api/admin/orders?status=paid&channel=youzan"), undefined),
    );
    expect(filtered.body.items).toEqual([
      expect.objectContaining({ orderNo: paid.orderNo, status: "paid", channel: "youzan" }),
    ]);
    for (const query of [
      "status=lost",
      "channel=wechat",
      "from=2026-13-01",
      "from=2026-12-02&to=2026-12-01",
      "limit=1000",
      "cursor=forged",
    ]) {
      const bad = await answer(await listRoute(get(`/api/admin/orders?${query}`), undefined));
      expect(bad.status, query).toBe(400);
      expect(bad.body.error?.code).toBe("bad_request");
    }
    const bad = await answer(await listRoute(get("/api/admin/orders?status=lost"), undefined));
    expect(bad.body.error?.fields).toHaveProperty("status");
  });
});

describe("GET /api/admin/orders/{orderNo}", () => {
  it("the order with its trades, grant, audit and allowed actions; 404 for an unknown one", async () => {
    const order = await paidYouzanOrder();
    const found = await answer(await detailRoute(get("/x"), ctx(order.orderNo)));
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      order: { orderNo: order.orderNo, status: "paid" },
      payments: [{ status: "paid", amountFen: 990, refundedFen: 0 }],
      grant: { kind: "content", revokedAt: null },
      refunds: [],
      actions: { markRefunded: true, alipayRefundableFen: 0, acceptReview: false },
    });
    expect(found.body.audit).toEqual([expect.objectContaining({ action: "order.paid" })]);
    for (const orderNo of ["XP000NOPE", "../etc", "x".repeat(80)]) {
      expect((await detailRoute(get("/x"), ctx(orderNo))).status).toBe(404);
    }
    guard.user = null;
    expect((await detailRoute(get("/x"), ctx(order.orderNo))).status).toBe(401);
  });
});

describe("POST actions: guard and bodies", () => {
  const routes = [
    ["refund", refundRoute],
    ["mark-refunded", markRefundedRoute],
    ["record-refund", recordRefundRoute],
    ["accept", acceptRoute],
  ] as const;

  it("401 anonymous and 403 buyer before the body is read; 415/400/422 for bad bodies; 404 unknown", async () => {
    const order = await paidYouzanOrder();
    for (const [name, handler] of routes) {
      guard.user = null;
      expect((await handler(post("/x", undefined, ""), ctx(order.orderNo))).status, name).toBe(401);
      guard.user = { id: "usr_x", role: "buyer" };
      expect((await handler(post("/x", undefined, ""), ctx(order.orderNo))).status, name).toBe(403);
      guard.user = admin;
      expect(
        (
          await handler(
            post("/x", "note=x", "application/x-www-form-urlencoded"),
            ctx(order.orderNo),
          )
        ).status,
        name,
      ).toBe(415);
      expect((await handler(post("/x", "{nope"), ctx(order.orderNo))).status, name).toBe(400);
      expect((await handler(post("/x", { surprise: 1 }), ctx(order.orderNo))).status, name).toBe(
        422,
      );
      expect((await handler(post("/x", {}), ctx("XP000NOPE"))).status, name).not.toBe(200);
    }
    // Nothing changed.
    const [after] = await t.db().select().from(orders).where(eq(orders.id, order.id));
    expect(after!.status).toBe("paid");
    expect(await t.db().select().from(refunds)).toEqual([]);
  });
});

describe("mark a Youzan order refunded by hand", () => {
  it("note required; the order, trade and grant change together, with one audit row", async () => {
    const order = await paidYouzanOrder();
    const missing = await answer(
      await markRefundedRoute(post("/x", { note: "  ", confirm: "refunded" }), ctx(order.orderNo)),
    );
    expect(missing.status).toBe(422);
    expect(missing.body.error?.fields).toEqual({ note: ["refund.note"] });

    const done = await answer(
      await markRefundedRoute(
        post("/x", { note: "Returned by WeChat transfer", confirm: "refunded" }),
        ctx(order.orderNo),
      ),
    );
    expect(done).toMatchObject({ status: 200, body: { status: "refunded" } });
    const [after] = await t.db().select().from(orders).where(eq(orders.id, order.id));
    expect(after!.status).toBe("refunded");
    const [payment] = await t.db().select().from(payments).where(eq(payments.orderId, order.id));
    expect(payment).toMatchObject({ status: "refunded", refundedFen: 990 });
    expect(payment!.refundedAt).not.toBeNull();
    const [grant] = await t
      .db()
      .select()
      .from(entitlements)
      .where(eq(entitlements.orderId, order.id));
    expect(grant!.revokedAt).not.toBeNull();
    expect(await t.db().select().from(refunds).where(eq(refunds.orderId, order.id))).toMatchObject([
      {
        method: "manual",
        status: "succeeded",
        amountFen: 990,
        note: "Returned by WeChat transfer",
        outRequestNo: null,
        requestedBy: admin.id,
      },
    ]);
    const audit = (await auditOf(order.id)).filter((row) => row.action === "order.refund_recorded");
    expect(audit).toEqual([
      expect.objectContaining({
        actorKind: "user",
        actorUserId: admin.id,
        details: expect.objectContaining({
          note: "Returned by WeChat transfer",
          before: expect.objectContaining({ orderStatus: "paid" }),
          after: expect.objectContaining({ orderStatus: "refunded" }),
        }),
      }),
    ]);

    // Twice: refused (already refunded), nothing more written.
    const again = await markRefundedRoute(
      post("/x", { note: "again", confirm: "refunded" }),
      ctx(order.orderNo),
    );
    expect(again.status).toBe(409);
    expect(await t.db().select().from(refunds)).toHaveLength(1);
    // Alipay's refund route refuses a Youzan order (no refund API) before asking anyone.
    const viaAlipay = await refundRoute(
      post("/x", { amount: "9.90", expectedRefundedFen: 0, confirm: "refund" }),
      ctx(order.orderNo),
    );
    expect(viaAlipay.status).toBe(409);
  });
});

describe("resolving an order in review", () => {
  it("accept the payment: paid through settlement, granted exactly once, audited", async () => {
    const order = await reviewOrder();
    const accepted = await answer(
      await acceptRoute(
        post("/x", { note: "Buyer paid ¥9.00 by mistake; fine", confirm: "accept" }),
        ctx(order.orderNo),
      ),
    );
    expect(accepted).toMatchObject({ status: 200, body: { status: "paid" } });
    const [after] = await t.db().select().from(orders).where(eq(orders.id, order.id));
    expect(after).toMatchObject({ status: "paid" });
    expect(after!.paidAt).not.toBeNull();
    const [payment] = await t.db().select().from(payments).where(eq(payments.orderId, order.id));
    expect(payment).toMatchObject({ status: "paid", amountFen: 900 });
    expect(
      await t.db().select().from(entitlements).where(eq(entitlements.orderId, order.id)),
    ).toHaveLength(1);
    const audit = (await auditOf(order.id)).filter((row) => row.action === "order.review_accepted");
    expect(audit).toEqual([
      expect.objectContaining({
        actorKind: "user",
        actorUserId: admin.id,
        details: expect.objectContaining({
          amountFen: 900,
          expectedFen: 990,
          note: "Buyer paid ¥9.00 by mistake; fine",
          before: { status: "review" },
          after: { status: "paid" },
        }),
      }),
    ]);
    // A second acceptance (a double click) changes nothing.
    const again = await acceptRoute(post("/x", { confirm: "accept" }), ctx(order.orderNo));
    expect(again.status).toBe(409);
    expect(
      await t.db().select().from(entitlements).where(eq(entitlements.orderId, order.id)),
    ).toHaveLength(1);
  });

  it("accepting a membership order extends the membership by its period, once", async () => {
    const order = await reviewOrder("membership");
    expect(await membershipOf(t.db(), order.userId)).toEqual({ endsAt: null, grants: 0 });
    const accepted = await acceptRoute(post("/x", { confirm: "accept" }), ctx(order.orderNo));
    expect(accepted.status).toBe(200);
    const membership = await membershipOf(t.db(), order.userId);
    expect(membership.grants).toBe(1);
    expect(membership.endsAt).not.toBeNull();
  });

  it("record a refund: note required, order refunded, the trade refunded in full, audited", async () => {
    const order = await reviewOrder();
    expect(
      (await recordRefundRoute(post("/x", { confirm: "refunded" }), ctx(order.orderNo))).status,
    ).toBe(422);
    const done = await answer(
      await recordRefundRoute(
        post("/x", { note: "Sent ¥9.00 back by Alipay transfer", confirm: "refunded" }),
        ctx(order.orderNo),
      ),
    );
    expect(done.status).toBe(200);
    const [after] = await t.db().select().from(orders).where(eq(orders.id, order.id));
    expect(after!.status).toBe("refunded");
    const [payment] = await t.db().select().from(payments).where(eq(payments.orderId, order.id));
    expect(payment).toMatchObject({ status: "refunded", refundedFen: 900 });
    expect(
      await t.db().select().from(entitlements).where(eq(entitlements.orderId, order.id)),
    ).toEqual([]);
    const audit = (await auditOf(order.id)).filter((row) => row.action === "order.refund_recorded");
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({
      before: { orderStatus: "review" },
      after: { orderStatus: "refunded" },
    });
    // Not in review any more: neither action applies.
    expect((await acceptRoute(post("/x", { confirm: "accept" }), ctx(order.orderNo))).status).toBe(
      409,
    );
    expect(
      (await recordRefundRoute(post("/x", { note: "x", confirm: "refunded" }), ctx(order.orderNo)))
        .status,
    ).toBe(409);
  });

  it("a paid order is not in review: accept and record-refund are 409, mark-refunded refuses a review order", async () => {
    const paid = await paidYouzanOrder();
    expect((await acceptRoute(post("/x", { confirm: "accept" }), ctx(paid.orderNo))).status).toBe(
      409,
    );
    const review = await reviewOrder();
    expect(
      (await markRefundedRoute(post("/x", { note: "x", confirm: "refunded" }), ctx(review.orderNo)))
        .status,
    ).toBe(409);
  });
});

/** The refusal's text (postgres.js and PGlite put the server error on the error or its cause). */
async function refusal(action: Promise<unknown>): Promise<string> {
  const error = await action.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the database accepted a row that breaks an invariant").toBeDefined();
  const err = error as {
    message?: string;
    cause?: { message?: string; constraint_name?: string; constraint?: string };
  };
  return [err.message, err.cause?.message, err.cause?.constraint_name, err.cause?.constraint].join(
    " ",
  );
}

describe("the database refuses what the code must never do", () => {
  it("payments_refund_within_amount, refunds_order_pending_uq, refunds_amount_positive", async () => {
    const order = await paidYouzanOrder();
    const [payment] = await t.db().select().from(payments).where(eq(payments.orderId, order.id));
    expect(
      await refusal(
        t.db().update(payments).set({ refundedFen: 991 }).where(eq(payments.id, payment!.id)),
      ),
    ).toMatch(/payments_refund_within_amount/);
    const row = (id: string, amountFen = 100) => ({
      id,
      orderId: order.id,
      paymentId: payment!.id,
      provider: "alipay" as const,
      method: "alipay" as const,
      outRequestNo: id,
      amountFen,
      status: "pending" as const,
    });
    await t.db().insert(refunds).values(row("rfd_a"));
    expect(await refusal(t.db().insert(refunds).values(row("rfd_b")))).toMatch(
      /refunds_order_pending_uq/,
    );
    expect(
      await refusal(
        t
          .db()
          .insert(refunds)
          .values({ ...row("rfd_c", 0), status: "failed" }),
      ),
    ).toMatch(/refunds_amount_positive/);
    expect(
      await refusal(
        t
          .db()
          .insert(refunds)
          .values({ ...row("rfd_d"), method: "manual", status: "failed" }),
      ),
    ).toMatch(/refunds_method_fields/);
  });
});
