import { assertLocalDatabaseUrl } from "../tests/helpers/local-database";
import { rowOf, saveBench } from "./bench-report";

/*
 * `npm run bench:orders` (issue #11, acceptance 4): the admin's orders list on 100,000 orders
 * (10,000 agreements, 5,000 buyers, 90 days) on PostgreSQL — every filter, the search by order
 * number, email and trade number (whole and beginning), and keyset pages deep into the list —
 * through `ordersPage`, the function the page and `GET /api/admin/orders` call with the parsed
 * query string. Each request runs 7 times after a warm-up; the slowest run counts. Every row
 * returned is checked against its filter and the order (newest first). Exits 1 when a request
 * takes 300 ms or more, or a row is wrong.
 *
 * The database is dropped and rebuilt: BENCH_DATABASE_URL, local only, default test_h1.
 * BENCH_ORDERS (100000) for a quick look.
 */

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test_h1";
assertLocalDatabaseUrl(url);
const N = Number(process.env.BENCH_ORDERS ?? 100_000);
if (!Number.isInteger(N) || N < 100) throw new Error("BENCH_ORDERS must be an integer ≥ 100");
const BUDGET_MS = 300;
const RUNS = 7;

Object.assign(process.env, {
  DATABASE_URL: url,
  DATABASE_DIRECT_URL: "",
  PAYMENTS_MODE: "sandbox",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  AUTH_SECRET: process.env.AUTH_SECRET ?? "bench-auth-secret-0123456789abcdef0123",
});

const { sql } = await import("drizzle-orm");
const { closeDb, getDb } = await import("@/db");
const { rebuildBenchDatabase } = await import("./bench-database");
const { orderListQuery, ordersPage } = await import("@/lib/admin/orders");
const { parseQuery } = await import("@/lib/admin/query");
const { startOfShanghaiDate, addDays } = await import("@/lib/clock");

await rebuildBenchDatabase(url);
const db = await getDb();

// ---- data ------------------------------------------------------------------------------------

const USERS = 5_000;
const AGREEMENTS = 10_000;
const DAY_MS = 86_400_000;
const end = new Date("2026-12-01T00:00:00+08:00");
const setupStarted = performance.now();
await db.execute(sql`
  insert into users (id, email, password_hash)
  select 'usr_b' || i, 'buyer' || i || case when i % 10 = 0 then '@example.org' else '@example.com' end, 'scrypt$x'
  from generate_series(1, ${USERS}) as i`);
await db.execute(sql`
  insert into products (id, slug, kind, price_fen, period_days, name_zh, name_en, description_zh, description_en)
  values ('prd_book', 'bench-book', 'one_off', 990, null, '书', 'Book', '', ''),
         ('prd_plan', 'bench-plan', 'membership', 3000, 30, '月会员', 'Monthly', '', '');`);
await db.execute(sql`
  insert into agreements (id, user_id, product_id, external_agreement_no, single_amount_fen, period_days, status)
  select 'agr_b' || i, 'usr_b' || (i % ${USERS} + 1), 'prd_plan', 'XA' || lpad(i::text, 12, '0'), 3000, 30, 'closed'
  from generate_series(1, ${AGREEMENTS}) as i`);
// Kinds: 60 % Youzan purchases, 10 % first periods, 30 % renewals. Statuses spread, a few in
// review and refunded; created over 90 days, newest at `end`.
await db.execute(sql`
  insert into orders (id, order_no, user_id, product_id, kind, provider, amount_fen, status, paid_at,
    agreement_id, period_index, created_at)
  select 'ord_b' || lpad(i::text, 7, '0'),
    'XP' || to_char(t, 'YYYYMMDD') || lpad(i::text, 10, '0'),
    'usr_b' || (i % ${USERS} + 1),
    case when i % 10 < 6 then 'prd_book' else 'prd_plan' end,
    (case when i % 10 < 6 then 'purchase' when i % 10 = 6 then 'membership_initial' else 'renewal' end)::order_kind,
    (case when i % 10 < 6 then 'youzan' else 'alipay' end)::payment_provider,
    case when i % 10 < 6 then 990 else 3000 end,
    s::order_status,
    case when s = 'paid' then t end,
    case when i % 10 < 6 then null else 'agr_b' || (i % ${AGREEMENTS} + 1) end,
    case when i % 10 < 6 then null else i end,
    t
  from (
    select i,
      ${end.toISOString()}::timestamptz - ((i::bigint * ${Math.floor((90 * DAY_MS) / N)}) || ' milliseconds')::interval as t,
      case when i % 97 = 0 then 'review' when i % 89 = 0 then 'refunded' when i % 5 = 0 then 'expired'
           when i % 13 = 0 and i % 10 >= 6 then 'pending' when i % 31 = 0 then 'closed' else 'paid' end as s
    from generate_series(1, ${N}) as i
  ) g`);
await db.execute(sql`
  insert into payments (id, order_id, provider, provider_trade_no, amount_fen, status, refunded_fen, paid_at)
  select 'pay_' || o.id, o.id, o.provider,
    case when o.provider = 'youzan' then 'E' || to_char(o.created_at, 'YYYYMMDD') || lpad(substr(o.id, 6), 12, '0')
         else to_char(o.created_at, 'YYYYMMDD') || '2200' || lpad(substr(o.id, 6), 12, '0') end,
    o.amount_fen,
    (case o.status when 'review' then 'mismatch' when 'refunded' then 'refunded' else 'paid' end)::payment_status,
    case when o.status = 'refunded' then o.amount_fen else 0 end,
    o.created_at
  from orders o where o.status in ('paid', 'review', 'refunded')`);
await db.execute(sql`analyze`);
const counted = await db.execute<{ n: number }>(sql`select count(*)::int as n from orders`);
console.log(
  `setup: ${(counted as unknown as { n: number }[])[0]?.n ?? "?"} orders in ${Math.round(performance.now() - setupStarted)} ms`,
);

// ---- requests --------------------------------------------------------------------------------

type Item = Awaited<ReturnType<typeof ordersPage>>["items"][number];
interface Case {
  name: string;
  params: Record<string, string>;
  /** Every row must satisfy it. */
  check: (row: Item) => boolean;
  /** At least this many rows expected on the first page. */
  min: number;
  /** Follow the cursor this many pages (each timed). */
  pages?: number;
}

const mid = "2026-11-15";
const inDays = (row: Item, from: string, to: string) => {
  const at = new Date(row.createdAt).getTime();
  return (
    at >= startOfShanghaiDate(from).getTime() && at < startOfShanghaiDate(addDays(to, 1)).getTime()
  );
};
const sample = (await db.execute(sql`
  select o.order_no, u.email, p.provider_trade_no from orders o
  join users u on u.id = o.user_id join payments p on p.order_id = o.id
  where o.id = 'ord_b0012346'`)) as unknown as {
  order_no: string;
  email: string;
  provider_trade_no: string;
}[];
const known = sample[0];
if (!known) throw new Error("sample order missing");

const cases: Case[] = [
  { name: "everything, first page", params: {}, check: () => true, min: 25 },
  { name: "everything, 40 pages deep", params: {}, check: () => true, min: 25, pages: 40 },
  {
    name: "status=review",
    params: { status: "review" },
    check: (r) => r.status === "review",
    min: 25,
  },
  {
    name: "dashboard link: alipay_renewal + paid + November",
    params: { channel: "alipay_renewal", status: "paid", from: "2026-11-01", to: "2026-11-30" },
    check: (r) =>
      r.channel === "alipay_renewal" &&
      r.status === "paid" &&
      inDays(r, "2026-11-01", "2026-11-30"),
    min: 25,
    pages: 10,
  },
  {
    name: "channel=youzan",
    params: { channel: "youzan" },
    check: (r) => r.channel === "youzan",
    min: 25,
  },
  {
    name: "kind=membership_initial + refunded (sparse)",
    params: { kind: "membership_initial", status: "refunded" },
    check: (r) => r.kind === "membership_initial" && r.status === "refunded",
    min: 1,
  },
  {
    name: "one day",
    params: { from: mid, to: mid },
    check: (r) => inDays(r, mid, mid),
    min: 25,
  },
  {
    name: "closed in an old week (sparse, deep in time)",
    params: { status: "closed", from: "2026-09-05", to: "2026-09-11" },
    check: (r) => r.status === "closed" && inDays(r, "2026-09-05", "2026-09-11"),
    min: 1,
  },
  {
    name: "q = an order number",
    params: { q: known.order_no },
    check: (r) => r.orderNo === known.order_no,
    min: 1,
  },
  {
    name: "q = an order number's beginning",
    params: { q: known.order_no.slice(0, 12) },
    check: (r) => r.orderNo.startsWith(known.order_no.slice(0, 12)),
    min: 1,
  },
  {
    name: "q = an email",
    params: { q: known.email },
    check: (r) => r.buyerEmail === known.email,
    min: 1,
  },
  {
    name: "q = an email's beginning (buyer12…)",
    params: { q: "buyer12" },
    check: (r) => r.buyerEmail.startsWith("buyer12"),
    min: 25,
    pages: 5,
  },
  {
    name: "q = a trade number",
    params: { q: known.provider_trade_no },
    check: (r) => r.providerTradeNo === known.provider_trade_no,
    min: 1,
  },
  {
    name: "q = a trade number's beginning",
    params: { q: known.provider_trade_no.slice(0, 14) },
    check: () => true,
    min: 1,
  },
  {
    name: "q = email beginning + status=paid + channel=youzan",
    params: { q: "buyer3", status: "paid", channel: "youzan" },
    check: (r) =>
      r.buyerEmail.startsWith("buyer3") && r.status === "paid" && r.channel === "youzan",
    min: 25,
  },
  {
    name: "q = nothing that exists",
    params: { q: "nobody-here@example.net" },
    check: () => false,
    min: 0,
  },
];

let failed = false;
const results: { name: string; worst: number; median: number; rows: number }[] = [];
for (const c of cases) {
  const times: number[] = [];
  let rows = 0;
  for (let run = 0; run <= RUNS; run++) {
    let cursor: string | null = null;
    let previous: Item | undefined;
    const pages = c.pages ?? 1;
    for (let page = 0; page < pages; page++) {
      const params = new URLSearchParams(c.params);
      if (cursor) params.set("cursor", cursor);
      const query = parseQuery(params, orderListQuery);
      const started = performance.now();
      const result = await ordersPage(db, query);
      const took = performance.now() - started;
      if (run > 0) times.push(took); // run 0 warms up
      if (page === 0 && result.items.length < c.min) {
        console.error(`✗ ${c.name}: ${result.items.length} rows, expected at least ${c.min}`);
        failed = true;
      }
      for (const row of result.items) {
        if (!c.check(row)) {
          console.error(`✗ ${c.name}: row ${row.orderNo} does not match the filter`);
          failed = true;
          break;
        }
        if (
          previous &&
          (previous.createdAt < row.createdAt ||
            (previous.createdAt === row.createdAt && previous.id < row.id))
        ) {
          console.error(`✗ ${c.name}: ${row.orderNo} is out of order`);
          failed = true;
          break;
        }
        previous = row;
      }
      if (run === RUNS) rows += result.items.length;
      cursor = result.nextCursor;
      if (!cursor) break;
    }
  }
  times.sort((a, b) => a - b);
  const worst = times.at(-1) ?? 0;
  const median = times[Math.floor(times.length / 2)] ?? 0;
  results.push({ name: c.name, worst, median, rows });
  if (worst >= BUDGET_MS) failed = true;
}

const width = Math.max(...results.map((r) => r.name.length));
for (const r of results) {
  console.log(
    `${r.worst < BUDGET_MS ? "✓" : "✗"} ${r.name.padEnd(width)}  median ${r.median.toFixed(1).padStart(6)} ms  worst ${r.worst.toFixed(1).padStart(6)} ms  rows ${r.rows}`,
  );
}
await closeDb();
saveBench("orders", `Admin orders list, ${N} orders`, [
  ...results.map((r) =>
    rowOf(
      `${r.name} (${r.rows} rows)`,
      `median ${r.median.toFixed(1)} ms, worst ${r.worst.toFixed(1)} ms`,
      `< ${BUDGET_MS} ms`,
      r.worst < BUDGET_MS ? "ok" : "MISSED",
    ),
  ),
  rowOf("every row in order, none twice", failed ? "NO" : "yes", "yes", failed ? "MISSED" : "ok"),
]);
if (failed) {
  console.error(`failed: a request took ${BUDGET_MS} ms or more, or returned a wrong row`);
  process.exit(1);
}
console.log(`every request under ${BUDGET_MS} ms on ${N} orders`);
