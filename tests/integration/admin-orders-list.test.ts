import { describe, expect, it } from "vitest";
import { listAdminOrders, type AdminOrderFilters } from "@/db/queries/admin-orders";
import { orders, payments } from "@/db/schema";
import { orderListQuery, ordersPage } from "@/lib/admin/orders";
import { parseQuery } from "@/lib/admin/query";
import { startOfShanghaiDate } from "@/lib/clock";
import { newId } from "@/lib/ids";
import { withTestDatabase } from "../helpers/db";
import { makeProduct, makeUser } from "../helpers/factories";

/*
 * The admin's order list (db/queries/admin-orders.ts `listAdminOrders`, lib/admin/orders.ts
 * `ordersPage`): every filter, the search and keyset paging return exactly the right orders,
 * newest first, on PGlite and on PostgreSQL alike. The data: 12 orders of three buyers across
 * the three channels, every status, over a Shanghai month boundary, some created in the same
 * instant (paging must not skip or repeat them).
 */

const t = withTestDatabase();

interface Made {
  no: string;
  id: string;
}

/** The fixture: returns the orders by a short name. */
async function world() {
  const db = t.db();
  const zhou = await makeUser(db, { email: "zhou@example.com" });
  const zhang = await makeUser(db, { email: "zhang_san@example.com" });
  const li = await makeUser(db, { email: "li%wei@example.org" });
  const book = await makeProduct(db);
  const plan = await makeProduct(db, { kind: "membership", priceFen: 990, periodDays: 7 });
  const made: Record<string, Made> = {};
  // created_at as Shanghai local times (+08:00).
  const specs: [
    string,
    {
      user: string;
      kind: "purchase" | "membership_initial" | "renewal";
      status: string;
      at: string;
      trade?: string;
    },
  ][] = [
    [
      "y1",
      {
        user: zhou.id,
        kind: "purchase",
        status: "paid",
        at: "2026-10-31T23:59:59+08:00",
        trade: "E20261031000111",
      },
    ],
    ["y2", { user: zhou.id, kind: "purchase", status: "pending", at: "2026-11-01T00:00:00+08:00" }],
    [
      "y3",
      {
        user: zhang.id,
        kind: "purchase",
        status: "review",
        at: "2026-11-05T10:00:00+08:00",
        trade: "E20261105000222",
      },
    ],
    ["y4", { user: li.id, kind: "purchase", status: "expired", at: "2026-11-05T10:00:00+08:00" }],
    [
      "y5",
      {
        user: li.id,
        kind: "purchase",
        status: "refunded",
        at: "2026-11-05T10:00:00+08:00",
        trade: "E20261105000333",
      },
    ],
    [
      "a1",
      {
        user: zhou.id,
        kind: "membership_initial",
        status: "paid",
        at: "2026-11-10T08:00:00+08:00",
        trade: "2026111022001400001",
      },
    ],
    [
      "a2",
      {
        user: zhou.id,
        kind: "renewal",
        status: "paid",
        at: "2026-11-17T08:00:00+08:00",
        trade: "2026111722001400002",
      },
    ],
    ["a3", { user: zhou.id, kind: "renewal", status: "closed", at: "2026-11-24T08:00:00+08:00" }],
    [
      "a4",
      {
        user: zhang.id,
        kind: "membership_initial",
        status: "paid",
        at: "2026-11-30T23:59:59.999+08:00",
        trade: "2026113022001400003",
      },
    ],
    [
      "a5",
      {
        user: zhang.id,
        kind: "renewal",
        status: "paid",
        at: "2026-12-01T00:00:00+08:00",
        trade: "2026120122001400004",
      },
    ],
    [
      "a6",
      {
        user: li.id,
        kind: "membership_initial",
        status: "pending",
        at: "2026-12-02T09:00:00+08:00",
      },
    ],
    [
      "a7",
      {
        user: li.id,
        kind: "renewal",
        status: "review",
        at: "2026-12-03T09:00:00+08:00",
        trade: "2026120322001400005",
      },
    ],
  ];
  let n = 0;
  for (const [name, spec] of specs) {
    n += 1;
    const id = newId("ord");
    const no = `XP2026TEST${String(n).padStart(4, "0")}${name.toUpperCase()}`;
    const youzan = spec.kind === "purchase";
    await db.insert(orders).values({
      id,
      orderNo: no,
      userId: spec.user,
      productId: youzan ? book.id : plan.id,
      kind: spec.kind,
      provider: youzan ? "youzan" : "alipay",
      amountFen: 990,
      status: spec.status as "paid",
      paidAt: spec.status === "paid" ? new Date(spec.at) : null,
      // Renewal fields are only checked for non-purchases; no agreement row is needed for a
      // list test, but the check wants one: use the period index with a null agreement only
      // for purchases.
      ...(youzan ? {} : { agreementId: await agreementFor(spec.user, plan.id), periodIndex: n }),
      createdAt: new Date(spec.at),
    });
    if (spec.trade) {
      await db.insert(payments).values({
        id: newId("pay"),
        orderId: id,
        provider: youzan ? "youzan" : "alipay",
        providerTradeNo: spec.trade,
        amountFen: 990,
        status:
          spec.status === "review" ? "mismatch" : spec.status === "refunded" ? "refunded" : "paid",
        paidAt: new Date(spec.at),
      });
    }
    made[name] = { no, id };
  }
  return made;
}

const agreementIds = new Map<string, string>();
async function agreementFor(userId: string, productId: string): Promise<string> {
  const known = agreementIds.get(userId);
  if (known) return known;
  const { agreements } = await import("@/db/schema");
  const id = newId("agr");
  await t.db().insert(agreements).values({
    id,
    userId,
    productId,
    externalAgreementNo: id,
    singleAmountFen: 990,
    periodDays: 7,
  });
  agreementIds.set(userId, id);
  return id;
}

/** Every order the filters give, following the cursor page by page (page size `limit`). */
async function all(filters: AdminOrderFilters, limit = 100): Promise<string[]> {
  const names: string[] = [];
  let cursor = null;
  for (let pages = 0; pages < 50; pages++) {
    const page = await listAdminOrders(t.db(), filters, { cursor, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    names.push(...page.items.map((row) => row.order.orderNo));
    if (!page.nextCursor) return names;
    // A next cursor is given only when a next page has rows.
    cursor = page.nextCursor;
  }
  throw new Error("paging did not end");
}

describe("listAdminOrders", () => {
  it("lists every order newest first, ties broken by id, the same through pages of any size", async () => {
    agreementIds.clear();
    const m = await world();
    const everything = await all({});
    expect(everything).toHaveLength(12);
    // Newest first; a5..a7 and y-orders in their time order.
    expect(everything.slice(0, 3)).toEqual([m.a7!.no, m.a6!.no, m.a5!.no]);
    expect(everything.at(-1)).toBe(m.y1!.no);
    // y3, y4, y5 share an instant: all three, ordered by id descending.
    const tied = [m.y3!, m.y4!, m.y5!].sort((a, b) => (a.id < b.id ? 1 : -1)).map((o) => o.no);
    const at = everything.indexOf(tied[0]!);
    expect(everything.slice(at, at + 3)).toEqual(tied);
    for (const size of [1, 2, 3, 5]) expect(await all({}, size)).toEqual(everything);
    // Exactly `limit` rows left: the last page has no next cursor.
    const page = await listAdminOrders(t.db(), {}, { limit: 12 });
    expect(page.nextCursor).toBeNull();
  });

  it("filters by status, channel and kind, alone and together", async () => {
    agreementIds.clear();
    const m = await world();
    const names = (list: string[]) =>
      list.map((no) => Object.keys(m).find((k) => m[k]!.no === no)).sort();
    expect(names(await all({ status: "review" }))).toEqual(["a7", "y3"]);
    expect(names(await all({ status: "paid" }))).toEqual(["a1", "a2", "a4", "a5", "y1"]);
    expect(names(await all({ channel: "youzan" }))).toEqual(["y1", "y2", "y3", "y4", "y5"]);
    expect(names(await all({ channel: "alipay_first" }))).toEqual(["a1", "a4", "a6"]);
    expect(names(await all({ channel: "alipay_renewal" }))).toEqual(["a2", "a3", "a5", "a7"]);
    expect(names(await all({ kind: "renewal", status: "paid" }))).toEqual(["a2", "a5"]);
    expect(names(await all({ channel: "alipay_renewal", status: "paid" }, 1))).toEqual([
      "a2",
      "a5",
    ]);
    expect(await all({ channel: "youzan", kind: "renewal" })).toEqual([]);
  });

  it("date range: Asia/Shanghai days, both ends included (the dashboard's month link)", async () => {
    agreementIds.clear();
    const m = await world();
    // As the page and API read ?from=2026-11-01&to=2026-11-30.
    const query = parseQuery(
      new URLSearchParams({
        channel: "alipay_renewal",
        status: "paid",
        from: "2026-11-01",
        to: "2026-11-30",
      }),
      orderListQuery,
    );
    const page = await ordersPage(t.db(), query);
    expect(page.items.map((row) => row.orderNo)).toEqual([m.a2!.no]);
    const november = await ordersPage(
      t.db(),
      parseQuery(new URLSearchParams({ from: "2026-11-01", to: "2026-11-30" }), orderListQuery),
    );
    // y1 (Oct 31, 23:59:59 Shanghai) and a5 (Dec 1, 00:00 Shanghai) are outside; a4 (Nov 30,
    // 23:59:59.999) and y2 (Nov 1, 00:00) inside.
    const inside = november.items.map((row) => row.orderNo);
    expect(inside).toContain(m.a4!.no);
    expect(inside).toContain(m.y2!.no);
    expect(inside).not.toContain(m.y1!.no);
    expect(inside).not.toContain(m.a5!.no);
    expect(inside).toHaveLength(8);
    expect(await all({ from: startOfShanghaiDate("2026-12-02") })).toEqual([m.a7!.no, m.a6!.no]);
  });

  it("searches by order number, buyer email or trade number: whole or its beginning, wildcards literal", async () => {
    agreementIds.clear();
    const m = await world();
    const search = (q: string, filters: AdminOrderFilters = {}) => all({ ...filters, q });
    // An order number, whole, or in lower case, or its beginning.
    expect(await search(m.a3!.no)).toEqual([m.a3!.no]);
    expect(await search(m.a3!.no.toLowerCase())).toEqual([m.a3!.no]);
    expect(await search("XP2026TEST000")).toHaveLength(9);
    // An email, whole or its beginning, in any case.
    expect((await search("ZHOU@example.com")).sort()).toEqual(
      [m.y1!.no, m.y2!.no, m.a1!.no, m.a2!.no, m.a3!.no].sort(),
    );
    expect((await search("zhang_")).sort()).toEqual([m.y3!.no, m.a4!.no, m.a5!.no].sort());
    // `_` and `%` are literal: "zhang_" is not "zhang<any>", "li%" is not "li<anything>".
    expect(await search("zhan_")).toEqual([]);
    expect((await search("li%w")).sort()).toEqual([m.y4!.no, m.y5!.no, m.a6!.no, m.a7!.no].sort());
    expect(await search("l%")).toEqual([]);
    // A provider trade number, whole or its beginning (Youzan E…, Alipay 2026…).
    expect(await search("E20261105000222")).toEqual([m.y3!.no]);
    expect((await search("E202611")).sort()).toEqual([m.y3!.no, m.y5!.no].sort());
    expect(await search("2026120")).toEqual([m.a7!.no, m.a5!.no]);
    // Not a middle part: no leading wildcard.
    expect(await search("1105000222")).toEqual([]);
    expect(await search("example.com")).toEqual([]);
    // Search with filters and paging together.
    expect(await search("zhou@", { status: "paid" })).toEqual([m.a2!.no, m.a1!.no, m.y1!.no]);
    expect(await all({ q: "zhou@", status: "paid" }, 1)).toEqual([m.a2!.no, m.a1!.no, m.y1!.no]);
  });

  it("ordersPage: opaque cursors; a forged or malformed one is a 400, never a crash", async () => {
    agreementIds.clear();
    await world();
    const query = (params: Record<string, string>) =>
      parseQuery(new URLSearchParams(params), orderListQuery);
    const first = await ordersPage(t.db(), query({ limit: "5" }));
    expect(first.items).toHaveLength(5);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await ordersPage(t.db(), query({ limit: "5", cursor: first.nextCursor! }));
    const third = await ordersPage(t.db(), query({ limit: "5", cursor: second.nextCursor! }));
    expect(third.nextCursor).toBeNull();
    const seen = [...first.items, ...second.items, ...third.items].map((row) => row.orderNo);
    expect(new Set(seen).size).toBe(12);
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const cursor of [
      "not-a-cursor",
      forged(["2026-13-45 10:00:00+00", "ord_abc"]),
      forged(["yesterday", "ord_abc"]),
      forged(["2026-11-01 10:00:00+00", "x'; drop table orders; --"]),
      forged({ createdAt: "2026-11-01" }),
    ]) {
      await expect(ordersPage(t.db(), query({ cursor }))).rejects.toMatchObject({
        code: "bad_request",
      });
    }
  });

  it("the query string: bad filters are refused with the field named", () => {
    const bad = (params: Record<string, string>) => () =>
      parseQuery(new URLSearchParams(params), orderListQuery);
    expect(bad({ status: "lost" })).toThrow(expect.objectContaining({ code: "bad_request" }));
    const cases: Record<string, string>[] = [
      { channel: "wechat" },
      { kind: "gift" },
      { from: "2026-02-30" },
      { to: "yesterday" },
      { from: "2026-12-01", to: "2026-11-01" },
      { limit: "0" },
      { limit: "101" },
      { q: "x".repeat(201) },
    ];
    for (const params of cases) {
      expect(bad(params)).toThrow(expect.objectContaining({ code: "bad_request" }));
    }
    expect(parseQuery(new URLSearchParams({ status: "", q: " " }), orderListQuery)).toMatchObject({
      limit: 25,
    });
  });
});
