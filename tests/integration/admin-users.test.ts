import { asc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { agreementsOfUser, ordersOfUser } from "@/db/queries/admin-users";
import { auditLog, users } from "@/db/schema";
import { changeUserRole, usersPage, usersQuery } from "@/lib/admin/users";
import { encodeCursor, parseQuery } from "@/lib/admin/query";
import { userForSession } from "@/lib/auth/session-version";
import { isAppError } from "@/lib/errors";
import { withTestDatabase } from "../helpers/db";
import { makeAgreement, makeOrder, makeUser } from "../helpers/factories";

const t = withTestDatabase();
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const BASE = Date.parse("2026-06-01T00:00:00Z");

/** A user created `minutes` after BASE (the list is newest first). */
const user = (minutes: number, overrides: Parameters<typeof makeUser>[1] = {}) =>
  makeUser(t.db(), { createdAt: new Date(BASE + minutes * 60_000), ...overrides });

const page = (query: Record<string, string> = {}) =>
  usersPage(t.db(), parseQuery(new URLSearchParams(query), usersQuery));

const roleAudit = () =>
  t
    .db()
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, "user.role_change"))
    .orderBy(asc(auditLog.id));

describe("the users list", () => {
  beforeEach(async () => {
    await user(1, { email: "alice@example.com", name: "Alice Wang" });
    await user(2, { email: "bob@example.com", name: "Bob 100%_real" });
    await user(3, { email: "carol@shop.cn", name: null, role: "admin" });
    await user(4, { email: "alina@example.com", name: "王小明" });
  });

  it("lists newest first; searches the start of the email (any case) or any part of the name", async () => {
    expect((await page()).items.map((u) => u.email)).toEqual([
      "alina@example.com",
      "carol@shop.cn",
      "bob@example.com",
      "alice@example.com",
    ]);
    expect((await page({ q: "ALI" })).items.map((u) => u.email)).toEqual([
      "alina@example.com",
      "alice@example.com",
    ]);
    // Not a prefix of an email, but in a name.
    expect((await page({ q: "wang" })).items.map((u) => u.email)).toEqual(["alice@example.com"]);
    expect((await page({ q: "小明" })).items.map((u) => u.email)).toEqual(["alina@example.com"]);
    // Not inside an email: prefixes only.
    expect((await page({ q: "example" })).items).toEqual([]);
    // LIKE's wildcards are taken literally.
    expect((await page({ q: "%" })).items.map((u) => u.email)).toEqual(["bob@example.com"]);
    expect((await page({ q: "_" })).items.map((u) => u.email)).toEqual(["bob@example.com"]);
    expect((await page({ q: "a%" })).items).toEqual([]);
  });

  it("filters by role and pages by keyset until the end", async () => {
    expect((await page({ role: "admin" })).items.map((u) => u.email)).toEqual(["carol@shop.cn"]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result = await page({ limit: "1", role: "buyer", ...(cursor ? { cursor } : {}) });
      seen.push(...result.items.map((u) => u.email));
      cursor = result.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(["alina@example.com", "bob@example.com", "alice@example.com"]);
    expect(pages).toBe(3);
  });

  it("keeps rows with the same creation time apart by id", async () => {
    const at = new Date(BASE + 10 * 60_000);
    const twins = [
      await makeUser(t.db(), { createdAt: at }),
      await makeUser(t.db(), { createdAt: at }),
    ];
    const first = await page({ limit: "1" });
    const second = await page({ limit: "1", cursor: first.nextCursor! });
    expect(new Set([first.items[0]!.id, second.items[0]!.id])).toEqual(
      new Set(twins.map((u) => u.id)),
    );
  });

  it("refuses bad filters and forged cursors with a 400, never a crash", async () => {
    for (const query of [
      { role: "root" } as Record<string, string>,
      { q: "x".repeat(101) },
      { limit: "0" },
      { limit: "abc" },
      { unknown: "1" },
    ]) {
      expect(
        () => parseQuery(new URLSearchParams(query), usersQuery),
        JSON.stringify(query),
      ).toThrow(expect.objectContaining({ code: "bad_request" }));
    }
    for (const cursor of [
      "garbage!",
      encodeCursor(["not a date", "usr_1"]),
      encodeCursor([1, 2]),
    ]) {
      await expect(page({ cursor })).rejects.toSatisfy((error) => isAppError(error, "bad_request"));
    }
  });
});

describe("changing a role", () => {
  it("promotes a buyer, bumps their session version and audits before/after", async () => {
    const admin = await user(1, { role: "admin" });
    const buyer = await user(2);
    const result = await changeUserRole(t.db(), admin.id, buyer.id, "admin");
    expect(result).toEqual({ ok: true, changed: true, before: "buyer", after: "admin" });
    const [after] = await t.db().select().from(users).where(eq(users.id, buyer.id));
    expect(after).toMatchObject({ role: "admin", sessionVersion: buyer.sessionVersion + 1 });
    const [entry, ...more] = await roleAudit();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actorKind: "user",
      actorUserId: admin.id,
      targetType: "user",
      targetId: buyer.id,
      details: { before: { role: "buyer" }, after: { role: "admin" }, email: buyer.email },
    });
  });

  it("a demoted admin loses admin access at once: their session no longer counts", async () => {
    const owner = await user(1, { role: "admin" });
    const helper = await user(2, { role: "admin" });
    const session = { user: { id: helper.id }, sessionVersion: helper.sessionVersion };
    expect((await userForSession(t.db(), session))?.role).toBe("admin");
    await changeUserRole(t.db(), owner.id, helper.id, "buyer");
    expect(await userForSession(t.db(), session)).toBeNull();
    // Signed in again, they are a buyer.
    const again = { user: { id: helper.id }, sessionVersion: helper.sessionVersion + 1 };
    expect((await userForSession(t.db(), again))?.role).toBe("buyer");
  });

  it("refuses an admin demoting themselves, and the last admin's demotion; nothing written", async () => {
    const owner = await user(1, { role: "admin" });
    expect(await changeUserRole(t.db(), owner.id, owner.id, "buyer")).toEqual({
      ok: false,
      reason: "self",
    });
    // Someone no longer admin (demoted a moment ago in another tab) cannot demote the last one.
    const former = await user(2);
    expect(await changeUserRole(t.db(), former.id, owner.id, "buyer")).toEqual({
      ok: false,
      reason: "last_admin",
    });
    const [still] = await t.db().select().from(users).where(eq(users.id, owner.id));
    expect(still).toMatchObject({ role: "admin", sessionVersion: owner.sessionVersion });
    expect(await roleAudit()).toEqual([]);
  });

  it("two admins demoting each other at once: one wins, the shop keeps an admin", async () => {
    const a = await user(1, { role: "admin" });
    const b = await user(2, { role: "admin" });
    const results = await Promise.all([
      changeUserRole(t.db(), a.id, b.id, "buyer"),
      changeUserRole(t.db(), b.id, a.id, "buyer"),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "last_admin" }]);
    const admins = await t.db().select().from(users).where(eq(users.role, "admin"));
    expect(admins).toHaveLength(1);
    expect(await roleAudit()).toHaveLength(1);
    if (!onPostgres) expect(admins[0]!.id).toBe(a.id);
  });

  it("the same role changes nothing; an unknown user is not_found", async () => {
    const admin = await user(1, { role: "admin" });
    expect(await changeUserRole(t.db(), admin.id, admin.id, "admin")).toMatchObject({
      ok: true,
      changed: false,
    });
    await expect(changeUserRole(t.db(), admin.id, "usr_missing", "admin")).rejects.toSatisfy(
      (error) => isAppError(error, "not_found"),
    );
    expect(await roleAudit()).toEqual([]);
  });
});

describe("a buyer's page", () => {
  it("reads their orders and agreements with their own amounts", async () => {
    const agreement = await makeAgreement(t.db(), { status: "active", singleAmountFen: 2500 });
    const buyerId = agreement.userId;
    const paid = await makeOrder(t.db(), {
      userId: buyerId,
      productId: agreement.productId,
      status: "paid",
      paidAt: new Date(),
      amountFen: 2000,
    });
    const other = await makeOrder(t.db(), { userId: buyerId, productId: agreement.productId });
    await makeOrder(t.db());

    const ordersShown = await ordersOfUser(t.db(), buyerId, 50);
    expect(ordersShown.map((o) => o.orderNo).sort()).toEqual([paid.orderNo, other.orderNo].sort());
    expect(ordersShown.find((o) => o.orderNo === paid.orderNo)).toMatchObject({
      status: "paid",
      amountFen: 2000,
      productNameEn: "Test product",
    });
    expect(await agreementsOfUser(t.db(), buyerId)).toMatchObject([
      { id: agreement.id, status: "active", singleAmountFen: 2500, periodDays: 30 },
    ]);
  });
});
