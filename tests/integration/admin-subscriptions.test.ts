import { and, asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as actionRoute } from "@/app/api/admin/subscriptions/[id]/[action]/route";
import { GET as detailRoute } from "@/app/api/admin/subscriptions/[id]/route";
import { GET as listRoute } from "@/app/api/admin/subscriptions/route";
import { GET as deductionsRoute } from "@/app/api/admin/deductions/route";
import {
  agreements,
  alipaySandboxTrades,
  auditLog,
  chargeAttempts,
  orders,
  products,
  users,
} from "@/db/schema";
import { encodeCursor } from "@/lib/admin/query";
import {
  deductionQuery,
  deductionsPage,
  postponeNow,
  refreshNow,
  retryNow,
  subscriptionQuery,
  subscriptionsPage,
  unsignNow,
} from "@/lib/admin/subscriptions";
import { runBillingPhase } from "@/lib/billing/run";
import { addDays, shanghaiDate } from "@/lib/clock";
import { isAppError } from "@/lib/errors";
import { startSubscription } from "@/lib/subscriptions/start";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { atShanghaiHour, billingDeps } from "../helpers/billing-testbed";
import { makeUser } from "../helpers/factories";
import { seed, withTestDatabase } from "../helpers/db";

/*
 * The admin's subscriptions (issue #11): the list's filters, search, sort and cursor, the
 * deduction logs' filters, and the four actions on one agreement against the Alipay sandbox
 * (the real client over loopback HTTP, the virtual clock at 10:00 Asia/Shanghai). Every action
 * is checked for its audit row with before and after.
 */

// The routes' guard and runtime come from Next's request and the app's env: stood in for here.
const guard = vi.hoisted(() => ({ user: null as { id: string; role: string } | null }));
const runtime = vi.hoisted(() => ({ deps: null as unknown }));
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
vi.mock("@/lib/runtime", () => ({
  getBillingRuntime: async () => runtime.deps,
  kickNotices: vi.fn(),
}));

const t = withTestDatabase();
const DAY = 86_400;
const PAY = "alipay.trade.pay";

let bed: AlipayTestbed;

beforeEach(async () => {
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  await atShanghaiHour(bed, 10);
});
afterEach(async () => bed.close());

const db = () => t.db();
const today = async () => shanghaiDate(await bed.deps.now());

interface Subscriber {
  userId: string;
  email: string;
  agreementId: string;
  agreementNo: string;
  externalAgreementNo: string;
}

/** A buyer signs a plan on the sandbox; period 1 is charged when the sign is notified. */
async function subscriber(slug = "membership-weekly", email?: string): Promise<Subscriber> {
  const user = await makeUser(db(), email ? { email } : {});
  const started = await startSubscription(bed.deps, { userId: user.id, productSlug: slug });
  expect((await bed.control("sign", { signUrl: started.signUrl })).status).toBe(200);
  await bed.deliver();
  const a = await agreementRow(started.agreementId);
  expect(a).toMatchObject({ status: "active", paidPeriods: 1, currentPeriod: 2 });
  return {
    userId: user.id,
    email: user.email,
    agreementId: a.id,
    agreementNo: a.agreementNo!,
    externalAgreementNo: a.externalAgreementNo,
  };
}

const agreementRow = async (id: string) =>
  (await db().select().from(agreements).where(eq(agreements.id, id)))[0]!;

const auditOf = (agreementId: string) =>
  db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetType, "agreement"), eq(auditLog.targetId, agreementId)))
    .orderBy(asc(auditLog.id));

const attemptsOf = (agreementId: string, period: number) =>
  db()
    .select()
    .from(chargeAttempts)
    .where(and(eq(chargeAttempts.agreementId, agreementId), eq(chargeAttempts.periodIndex, period)))
    .orderBy(asc(chargeAttempts.attemptNo));

async function setBalance(fen: number, agreementNo?: string) {
  expect(
    (await bed.control("balance", { fen, ...(agreementNo ? { agreementNo } : {}) })).status,
  ).toBe(200);
}

const list = (query: Record<string, string>) =>
  subscriptionsPage(db(), subscriptionQuery.parse(query));

/** Walks every page of a list query; the ids in order. */
async function walk(query: Record<string, string>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 50; guard++) {
    const page = await list({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((row) => row.id));
    cursor = page.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error("the list never ended");
}

/**
 * Three days on: period 2 (charge date D+7, Alipay's window from D+2) is due — a weekly period
 * is first tried NOTICE_REMIND_DAYS (3) after it began.
 */
async function intoTheWindow() {
  await bed.advance(3 * DAY);
}

describe("the subscriptions list", () => {
  it("filters by status, plan, next charge dates, failing; searches email and both numbers; sorts and pages without gaps or repeats", async () => {
    const weekly = await subscriber("membership-weekly", "alice.list@example.com");
    const monthly = await subscriber("membership-monthly", "bob.list@example.com");
    const third = await subscriber("membership-weekly", "carol.list@example.com");
    const ended = await subscriber("membership-weekly", "dave.list@example.com");
    const admin = await makeUser(db(), { role: "admin" });
    const deps = billingDeps(bed);
    expect(await unsignNow(deps, ended.agreementId, admin)).toMatchObject({ status: "done" });
    // A pending signature (never signed).
    const waiting = await makeUser(db(), { email: "erin.list@example.com" });
    const pending = await startSubscription(bed.deps, {
      userId: waiting.id,
      productSlug: "membership-weekly",
    });

    const ids = async (query: Record<string, string>) =>
      (await list(query)).items.map((row) => row.id).sort();

    expect(await ids({ status: "active" })).toEqual(
      [weekly, monthly, third].map((s) => s.agreementId).sort(),
    );
    expect(await ids({ status: "closed" })).toEqual([ended.agreementId]);
    expect(await ids({ status: "pending_sign" })).toEqual([pending.agreementId]);
    const [monthlyPlan] = await db()
      .select()
      .from(products)
      .where(eq(products.slug, "membership-monthly"));
    expect(await ids({ plan: monthlyPlan!.id })).toEqual([monthly.agreementId]);
    // The churn link: ended today or later.
    expect(await ids({ closedFrom: await today() })).toEqual([ended.agreementId]);
    expect(await ids({ closedFrom: addDays(await today(), 1) })).toEqual([]);

    // Search: an email's beginning (any case), our number's beginning, Alipay's whole number.
    expect(await ids({ q: "ALICE.list@" })).toEqual([weekly.agreementId]);
    expect(await ids({ q: "bob" })).toEqual([monthly.agreementId]);
    expect(await ids({ q: third.externalAgreementNo.slice(0, -2) })).toContain(third.agreementId);
    expect(await ids({ q: monthly.agreementNo })).toEqual([monthly.agreementId]);
    // LIKE wildcards are searched for, not matched with.
    expect(await ids({ q: "%" })).toEqual([]);
    expect(await ids({ q: "_lice" })).toEqual([]);

    // Next charge dates: weekly ones in 7 days, the monthly one later.
    const in7 = addDays(await today(), 7);
    expect(await ids({ nextFrom: in7, nextTo: in7 })).toEqual(
      [weekly, third].map((s) => s.agreementId).sort(),
    );
    expect(await ids({ nextFrom: addDays(in7, 1) })).toEqual([monthly.agreementId]);

    // Sorted by next charge: soonest first, agreements without a date last.
    const byDate = await list({ sort: "next_charge" });
    expect(byDate.items.at(-1)?.nextChargeDate).toBeNull();
    const dates = byDate.items.map((row) => row.nextChargeDate ?? "9999-12-31");
    expect(dates).toEqual([...dates].sort());

    // Paging: every row once, in the same order as one page, for both sorts.
    for (const sort of ["created", "next_charge"]) {
      const all = (await list({ sort, limit: "100" })).items.map((row) => row.id);
      expect(all).toHaveLength(5);
      expect(await walk({ sort }, 2)).toEqual(all);
    }
    const newest = (await list({})).items.map((row) => row.createdAt.getTime());
    expect(newest).toEqual([...newest].sort((a, b) => b - a));

    // Failing: none yet. The buyers have no money when period 2 of the weekly plans is due
    // (the sandbox's one buyer has one balance); the monthly one is not due.
    expect(await ids({ failing: "1" })).toEqual([]);
    await setBalance(0);
    await intoTheWindow();
    expect(await runBillingPhase(deps, "charge", {})).toMatchObject({ declined: 2, charged: 0 });
    const failing = await list({ failing: "1" });
    expect(failing.items.map((row) => row.id).sort()).toEqual(
      [weekly, third].map((s) => s.agreementId).sort(),
    );
    expect(failing.items.find((row) => row.id === weekly.agreementId)).toMatchObject({
      lastAttemptStatus: "failed",
      lastAttemptCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
      buyerEmail: "alice.list@example.com",
    });
    // Failing and searched at once.
    expect(await ids({ failing: "1", q: "carol" })).toEqual([third.agreementId]);
    // Paid again: no longer failing.
    await setBalance(100_000);
    expect(await retryNow(deps, third.agreementId, admin)).toMatchObject({ outcome: "paid" });
    expect(await ids({ failing: "1" })).toEqual([weekly.agreementId]);
  });

  it("answers bad filters and forged cursors with a 400, never a crash", async () => {
    for (const bad of [
      { status: "gone" },
      { nextFrom: "2026-02-30" },
      { nextTo: "yesterday" },
      { sort: "amount" },
      { limit: "0" },
      { limit: "101" },
      { failing: "yes" },
      { q: "x".repeat(201) },
    ]) {
      expect(subscriptionQuery.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    for (const cursor of [
      "not-base64-json",
      encodeCursor(["x"]),
      encodeCursor([1, 2]),
      encodeCursor(["not a time", "agr_1"]),
      Buffer.from("{}").toString("base64url"),
    ]) {
      const error = await list({ cursor }).catch((e: unknown) => e);
      expect(isAppError(error, "bad_request"), cursor).toBe(true);
    }
    const dateCursor = await list({
      sort: "next_charge",
      cursor: encodeCursor(["2026-13-99x", "a"]),
    }).catch((e: unknown) => e);
    expect(isAppError(dateCursor, "bad_request")).toBe(true);
  });
});

describe("the actions", () => {
  it("retry now: declined while the balance is empty, paid once it is topped up; each audited with before and after", async () => {
    const s = await subscriber();
    const admin = await makeUser(db(), { role: "admin" });
    const deps = billingDeps(bed);
    await setBalance(0, s.agreementNo);
    await intoTheWindow();
    expect(await runBillingPhase(deps, "charge", {})).toMatchObject({ declined: 1 });

    // Still no money: a second attempt the same day, declined, recorded.
    expect(await retryNow(deps, s.agreementId, admin)).toMatchObject({
      status: "done",
      outcome: "declined",
      code: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
    });
    expect((await attemptsOf(s.agreementId, 2)).map((a) => a.status)).toEqual(["failed", "failed"]);

    // The logs of those two calls can be found by code, outcome and agreement.
    const logs = await deductionsPage(
      db(),
      deductionQuery.parse({
        code: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
        outcome: "declined",
        agreement: s.agreementNo,
      }),
    );
    expect(logs.items).toHaveLength(2);
    expect(logs.items[0]).toMatchObject({
      apiMethod: PAY,
      subCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
      agreementNo: s.agreementNo,
      periodIndex: 2,
      attemptNo: 2,
    });
    expect(JSON.stringify(logs.items[0]!.response)).toContain("ACQ.BUYER_BALANCE_NOT_ENOUGH");

    // Topped up: the retry pays period 2, the agreement moves on, one trade at the sandbox.
    await setBalance(100_000, s.agreementNo);
    expect(await retryNow(deps, s.agreementId, admin)).toEqual({ status: "done", outcome: "paid" });
    const after = await agreementRow(s.agreementId);
    expect(after).toMatchObject({ paidPeriods: 2, currentPeriod: 3 });
    const [order2] = await db()
      .select()
      .from(orders)
      .where(and(eq(orders.agreementId, s.agreementId), eq(orders.periodIndex, 2)));
    expect(order2?.status).toBe("paid");
    const paidTrades = (
      await db()
        .select()
        .from(alipaySandboxTrades)
        .where(eq(alipaySandboxTrades.agreementNo, s.agreementNo))
    ).filter((trade) => trade.status === "TRADE_SUCCESS");
    expect(paidTrades).toHaveLength(2);

    // Once more: period 3 is not due yet; nothing is charged.
    expect(await retryNow(deps, s.agreementId, admin)).toEqual({
      status: "refused",
      reason: "not_due",
    });
    expect(await attemptsOf(s.agreementId, 3)).toHaveLength(0);

    const audit = (await auditOf(s.agreementId)).filter(
      (row) => row.action === "subscription.retry",
    );
    expect(audit).toHaveLength(3);
    expect(audit.map((row) => row.actorUserId)).toEqual([admin.id, admin.id, admin.id]);
    expect(audit[1]!.details).toMatchObject({
      result: { status: "done", outcome: "paid" },
      before: { currentPeriod: 2, paidPeriods: 1 },
      after: { currentPeriod: 3, paidPeriods: 2 },
    });
    expect(audit[2]!.details).toMatchObject({ result: { status: "refused", reason: "not_due" } });
    // No lease is left behind.
    expect((await agreementRow(s.agreementId)).billingLeaseUntil).toBeNull();
  });

  it("refuses while a billing run holds the agreement, and for an agreement that is not active", async () => {
    const s = await subscriber();
    const admin = await makeUser(db(), { role: "admin" });
    const deps = billingDeps(bed);
    const until = new Date((await bed.deps.now()).getTime() + 60_000);
    await db()
      .update(agreements)
      .set({ billingLeaseUntil: until })
      .where(eq(agreements.id, s.agreementId));
    for (const action of [retryNow, postponeNow, unsignNow]) {
      expect(await action(deps, s.agreementId, admin)).toEqual({
        status: "refused",
        reason: "billing_busy",
      });
    }
    // The run's lease is left as it was.
    expect((await agreementRow(s.agreementId)).billingLeaseUntil).toEqual(until);
    const error = await retryNow(deps, "agr_missing", admin).catch((e: unknown) => e);
    expect(isAppError(error, "not_found")).toBe(true);
  });

  it("postpone one period: Alipay's plan and the agreement move a week on, the period's order closed, audited", async () => {
    const s = await subscriber();
    const admin = await makeUser(db(), { role: "admin" });
    const deps = billingDeps(bed);
    const before = await agreementRow(s.agreementId);
    const result = await postponeNow(deps, s.agreementId, admin);
    const moved = addDays(before.nextChargeDate!, 7);
    expect(result).toEqual({ status: "done", outcome: "postponed", message: moved });
    expect(await agreementRow(s.agreementId)).toMatchObject({
      currentPeriod: 3,
      nextChargeDate: moved,
      postponedPeriod: 2,
    });
    const wallet = (await bed.control("wallet")).body as {
      agreements: { agreementNo: string; nextDeductDate: string }[];
    };
    expect(wallet.agreements.find((a) => a.agreementNo === s.agreementNo)?.nextDeductDate).toBe(
      moved,
    );
    const audit = await auditOf(s.agreementId);
    expect(audit.map((row) => row.action)).toEqual([
      "agreement.postponed",
      "subscription.postpone",
    ]);
    expect(audit[0]).toMatchObject({
      actorKind: "user",
      actorUserId: admin.id,
      details: { period: 2, reason: "admin", from: before.nextChargeDate, to: moved },
    });
    expect(audit[1]!.details).toMatchObject({
      before: { currentPeriod: 2, nextChargeDate: before.nextChargeDate },
      after: { currentPeriod: 3, nextChargeDate: moved },
    });
  });

  it("unsign: ended at Alipay and closed here, the paid week kept; audited; a second unsign is refused", async () => {
    const s = await subscriber();
    const admin = await makeUser(db(), { role: "admin" });
    const deps = billingDeps(bed);
    expect(await unsignNow(deps, s.agreementId, admin)).toEqual({
      status: "done",
      outcome: "succeeded",
    });
    expect(await agreementRow(s.agreementId)).toMatchObject({
      status: "closed",
      autoRenew: false,
      paidPeriods: 1,
    });
    const wallet = (await bed.control("wallet")).body as {
      agreements: { agreementNo: string; status: string }[];
    };
    expect(wallet.agreements.find((a) => a.agreementNo === s.agreementNo)?.status).not.toBe(
      "NORMAL",
    );
    expect(await unsignNow(deps, s.agreementId, admin)).toEqual({
      status: "refused",
      reason: "not_active",
    });
    const audit = await auditOf(s.agreementId);
    expect(audit.map((row) => row.action)).toEqual([
      "agreement.unsigned_by_admin",
      "subscription.unsign",
      "subscription.unsign",
    ]);
    expect(audit[0]).toMatchObject({
      actorUserId: admin.id,
      details: { before: { status: "active" }, after: { status: "closed" } },
    });
  });

  it("refresh from Alipay: in sync while signed; after the buyer unsigned in the wallet (notification lost), ended here", async () => {
    const s = await subscriber();
    const admin = await makeUser(db(), { role: "admin" });
    const deps = billingDeps(bed);
    const nextDate = (await agreementRow(s.agreementId)).nextChargeDate;
    expect(await refreshNow(deps, s.agreementId, admin)).toEqual({
      status: "done",
      outcome: "in_sync",
      code: "NORMAL",
      message: nextDate,
    });
    // The buyer unsigns in the wallet; the notification is never delivered (no deliver()).
    expect((await bed.control("unsign", { agreementNo: s.agreementNo })).status).toBe(200);
    expect((await agreementRow(s.agreementId)).status).toBe("active");
    const result = await refreshNow(deps, s.agreementId, admin);
    expect(result).toMatchObject({ status: "done", outcome: "ended" });
    expect(await agreementRow(s.agreementId)).toMatchObject({
      status: "unsigned",
      autoRenew: false,
    });
    const audit = (await auditOf(s.agreementId)).filter(
      (row) => row.action === "subscription.refresh",
    );
    expect(audit).toHaveLength(2);
    expect(audit[1]!.details).toMatchObject({
      before: { status: "active" },
      after: { status: "unsigned" },
    });
  });

  it("the deduction logs page newest first without gaps, and refuse bad filters", async () => {
    const s = await subscriber();
    const admin = await makeUser(db(), { role: "admin" });
    const deps = billingDeps(bed);
    await refreshNow(deps, s.agreementId, admin);
    await refreshNow(deps, s.agreementId, admin);
    const all = await deductionsPage(db(), deductionQuery.parse({ agreement: s.agreementId }));
    expect(all.items.length).toBeGreaterThanOrEqual(3);
    const times = all.items.map((row) => row.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await deductionsPage(
        db(),
        deductionQuery.parse({
          agreement: s.agreementId,
          limit: "1",
          ...(cursor ? { cursor } : {}),
        }),
      );
      seen.push(...page.items.map((row) => row.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((row) => row.id));
    const queries = await deductionsPage(
      db(),
      deductionQuery.parse({ method: "alipay.user.agreement.query" }),
    );
    expect(queries.items).toHaveLength(2);
    // Today's logs are inside today's range, none in tomorrow's.
    const day = await today();
    expect(
      (await deductionsPage(db(), deductionQuery.parse({ from: day, to: day }))).items.length,
    ).toBe((await deductionsPage(db(), deductionQuery.parse({}))).items.length);
    expect(
      (await deductionsPage(db(), deductionQuery.parse({ from: addDays(day, 1) }))).items,
    ).toEqual([]);
    for (const bad of [
      { outcome: "maybe" },
      { method: "alipay.trade.create" },
      { from: "2026-1-1" },
    ]) {
      expect(deductionQuery.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    const forged = await deductionsPage(
      db(),
      deductionQuery.parse({ cursor: encodeCursor(["2026-01-01", "x"]) }),
    ).catch((e: unknown) => e);
    expect(isAppError(forged, "bad_request")).toBe(true);
    expect((await db().select().from(users)).length).toBeGreaterThan(0);
  });
});

describe("the routes", () => {
  const call = (id: string, action: string, body: string | null, type = "application/json") =>
    actionRoute(
      new Request(`http://shop.test/api/admin/subscriptions/${id}/${action}`, {
        method: "POST",
        headers: { "content-type": type },
        ...(body === null ? {} : { body }),
      }),
      { params: Promise.resolve({ id, action }) },
    );
  const get = (route: typeof listRoute, url: string) =>
    route(new Request(`http://shop.test${url}`), undefined as never);

  it("answer bad input with a 4xx and a reason, and change nothing", async () => {
    const s = await subscriber();
    const admin = await makeUser(db(), { role: "admin" });
    runtime.deps = billingDeps(bed);
    guard.user = { id: admin.id, role: "admin" };
    const before = await agreementRow(s.agreementId);
    const cases: [string, string, string | null, string, number][] = [
      ["an unknown action", "cancel", "{}", "application/json", 404],
      ["a form body", "retry", "a=1", "application/x-www-form-urlencoded", 415],
      ["broken JSON", "retry", "{", "application/json", 400],
      ["an unknown field", "retry", '{"force":true}', "application/json", 422],
      ["an unconfirmed unsign", "unsign", "{}", "application/json", 400],
      [
        "an unsign confirmed as something else",
        "unsign",
        '{"confirm":"retry"}',
        "application/json",
        400,
      ],
    ];
    for (const [label, action, body, type, status] of cases) {
      const response = await call(s.agreementId, action, body, type);
      expect(response.status, label).toBe(status);
      expect(
        ((await response.json()) as { error: { message: string } }).error.message,
        label,
      ).toBeTruthy();
    }
    expect((await call("agr_nope", "retry", "{}")).status).toBe(404);
    expect(await agreementRow(s.agreementId)).toEqual(before);

    // The lists: a bad filter or cursor is a 400 naming it; an unknown id a 404.
    const bad = await get(listRoute, "/api/admin/subscriptions?status=gone&limit=5000");
    expect(bad.status).toBe(400);
    expect(
      ((await bad.json()) as { error: { fields: Record<string, unknown> } }).error.fields,
    ).toHaveProperty("status");
    expect((await get(listRoute, "/api/admin/subscriptions?cursor=%E2%80%94")).status).toBe(400);
    expect((await get(deductionsRoute, "/api/admin/deductions?from=2026-02-31")).status).toBe(400);
    const listed = await get(
      listRoute,
      `/api/admin/subscriptions?q=${encodeURIComponent(s.email)}`,
    );
    expect(listed.status).toBe(200);
    expect(listed.headers.get("cache-control")).toBe("no-store");
    expect(((await listed.json()) as { items: { id: string }[] }).items.map((r) => r.id)).toEqual([
      s.agreementId,
    ]);
    const detail = await detailRoute(new Request("http://shop.test/x"), {
      params: Promise.resolve({ id: s.agreementId }),
    });
    expect(detail.status).toBe(200);
    expect(await detail.json()).toMatchObject({
      agreement: { id: s.agreementId, status: "active" },
      buyerEmail: s.email,
    });
    const missing = await detailRoute(new Request("http://shop.test/x"), {
      params: Promise.resolve({ id: "agr_nope" }),
    });
    expect(missing.status).toBe(404);
  });

  it("refuse anyone but an admin: 401 signed out, 403 a buyer", async () => {
    const s = await subscriber();
    runtime.deps = billingDeps(bed);
    guard.user = null;
    expect((await call(s.agreementId, "retry", "{}")).status).toBe(401);
    expect((await get(listRoute, "/api/admin/subscriptions")).status).toBe(401);
    guard.user = { id: s.userId, role: "buyer" };
    expect((await call(s.agreementId, "unsign", '{"confirm":"unsign"}')).status).toBe(403);
    expect((await get(deductionsRoute, "/api/admin/deductions")).status).toBe(403);
    expect((await agreementRow(s.agreementId)).status).toBe("active");
  });
});
