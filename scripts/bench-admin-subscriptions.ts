import { assertLocalDatabaseUrl } from "../tests/helpers/local-database";
import { rowOf, saveBench } from "./bench-report";

/*
 * `npm run bench:subscriptions`: the admin's subscriptions and deduction logs on PostgreSQL at
 * size (issue #11, acceptance 4; the orders list is `npm run bench:orders`) — 10,000 agreements
 * with their buyers, periods (orders), attempts and logs, among 100,000 orders over 90 days —
 * each filter, search and a deep walk through the pages, timed as the JSON API and the pages
 * run them (`subscriptionsPage`, `deductionsPage`: query parsing, the SQL, the cursor). Each request is run ROUNDS times; the report gives the median and the slowest, and
 * checks the rows (every row a filter names has the filter's value; paging repeats and skips
 * nothing). Exits 1 when any request's slowest run is over LIMIT_MS or a check fails.
 *
 * The database is dropped and rebuilt: BENCH_DATABASE_URL, local only, default test_h3.
 */

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test_h3";
assertLocalDatabaseUrl(url);
const AGREEMENTS = Number(process.env.BENCH_AGREEMENTS ?? 10_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const ROUNDS = 5;
const LIMIT_MS = 300;

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
const subs = await import("@/lib/admin/subscriptions");
const { addDays, shanghaiDate } = await import("@/lib/clock");

await rebuildBenchDatabase(url);
const db = await getDb();
const now = new Date();
const today = shanghaiDate(now);
const at = now.toISOString();

// ---- data ---------------------------------------------------------------------------------

const built = performance.now();
await db.execute(sql`
  insert into products (id, slug, kind, price_fen, period_days, name_zh, name_en, description_zh, description_en)
  values ('prd_book', 'bench-book', 'one_off', 990, null, '电子书', 'Book', '', ''),
         ('prd_week', 'bench-week', 'membership', 990, 7, '周会员', 'Weekly', '', ''),
         ('prd_month', 'bench-month', 'membership', 3000, 30, '月会员', 'Monthly', '', ''),
         ('prd_quarter', 'bench-quarter', 'membership', 7800, 90, '季度会员', 'Quarterly', '', '')`);
await db.execute(sql`
  insert into users (id, email, password_hash)
  select 'usr_' || i, 'buyer' || i || '@bench.example.com', 'scrypt$x'
  from generate_series(1, ${AGREEMENTS}::int) as i`);
// Agreement i belongs to buyer i: 85 % active, the rest closed, unsigned or waiting.
await db.execute(sql`
  insert into agreements (id, user_id, product_id, external_agreement_no, agreement_no, status,
    single_amount_fen, period_days, next_charge_date, current_period, paid_periods, auto_renew,
    signed_at, unsigned_at, created_at)
  select 'agr_' || i, 'usr_' || i,
    (array['prd_week', 'prd_month', 'prd_quarter'])[1 + i % 3],
    'XA' || lpad(i::text, 12, '0'),
    case when i % 20 = 2 then null else '2088' || lpad(i::text, 16, '0') end,
    (case i % 20 when 0 then 'closed' when 1 then 'unsigned' when 2 then 'pending_sign' else 'active' end)::agreement_status,
    (array[990, 3000, 7800])[1 + i % 3], (array[7, 30, 90])[1 + i % 3],
    ${today}::date + (i % 40) - 5, 3, case when i % 20 = 2 then 0 else 2 end, i % 20 > 2,
    case when i % 20 = 2 then null else ${at}::timestamptz - interval '60 days' end,
    case when i % 20 in (0, 1) then ${at}::timestamptz - (i % 45 || ' days')::interval end,
    ${at}::timestamptz - interval '60 days' - (i || ' seconds')::interval
  from generate_series(1, ${AGREEMENTS}::int) as i`);
// Orders: each agreement's periods 1 and 2 (paid) and 3 (pending), the rest QR purchases.
const periodOrders = AGREEMENTS * 3;
await db.execute(sql`
  insert into orders (id, order_no, user_id, product_id, kind, provider, amount_fen, status,
    agreement_id, period_index, paid_at, created_at)
  select 'ord_' || j, 'XP' || to_char(${at}::timestamptz - (j % 90 || ' days')::interval, 'YYYYMMDD') || lpad(j::text, 10, '0'),
    'usr_' || a, (array['prd_week', 'prd_month', 'prd_quarter'])[1 + a % 3],
    (case when p = 1 then 'membership_initial' else 'renewal' end)::order_kind, 'alipay',
    (array[990, 3000, 7800])[1 + a % 3],
    (case when p < 3 then 'paid' else 'pending' end)::order_status,
    'agr_' || a, p,
    case when p < 3 then ${at}::timestamptz - (j % 90 || ' days')::interval end,
    ${at}::timestamptz - (j % 90 || ' days')::interval - (j || ' seconds')::interval
  from generate_series(1, ${periodOrders}::int) as j,
    lateral (select 1 + (j - 1) % ${AGREEMENTS} as a, 1 + (j - 1) / ${AGREEMENTS} as p) as x
  where x.a % 20 <> 2 or x.p = 1`);
// QR purchases make up the rest: ORDERS orders in all.
const [periodRows] = (await db.execute(
  sql`select count(*)::int as made from orders`,
)) as unknown as {
  made: number;
}[];
const lastPurchase = periodOrders + ORDERS - periodRows!.made;
await db.execute(sql`
  insert into orders (id, order_no, user_id, product_id, kind, provider, amount_fen, status, paid_at, created_at)
  select 'ord_' || j, 'XP' || to_char(${at}::timestamptz - (j % 90 || ' days')::interval, 'YYYYMMDD') || lpad(j::text, 10, '0'),
    'usr_' || (1 + j % ${AGREEMENTS}), 'prd_book', 'purchase', 'youzan', 990,
    (case j % 10 when 0 then 'expired' when 1 then 'closed' when 2 then 'review' else 'paid' end)::order_status,
    case when j % 10 > 2 then ${at}::timestamptz - (j % 90 || ' days')::interval end,
    ${at}::timestamptz - (j % 90 || ' days')::interval - (j || ' seconds')::interval
  from generate_series(${periodOrders + 1}::int, ${lastPurchase}::int) as j`);
await db.execute(sql`
  insert into payments (id, order_id, provider, provider_trade_no, amount_fen, status, paid_at)
  select 'pay_' || substr(o.id, 5), o.id, o.provider,
    case when o.provider = 'alipay' then '2026' || lpad(substr(o.id, 5), 24, '0') else 'E' || lpad(substr(o.id, 5), 20, '0') end,
    o.amount_fen, 'paid', o.paid_at
  from orders o where o.status = 'paid'`);
// Every tenth active agreement's period 3 was declined (failing); the rest are not tried yet.
await db.execute(sql`
  insert into charge_attempts (id, agreement_id, order_id, period_index, attempt_no, out_trade_no,
    amount_fen, status, error_code, error_message, next_retry_at, created_at, finished_at)
  select 'chg_' || o.id, o.agreement_id, o.id, 3, 1, o.order_no, o.amount_fen, 'failed',
    'ACQ.BUYER_BALANCE_NOT_ENOUGH', '余额不足', ${at}::timestamptz + interval '1 day',
    ${at}::timestamptz - interval '1 hour', ${at}::timestamptz - interval '1 hour'
  from orders o join agreements a on a.id = o.agreement_id
  where o.period_index = 3 and a.status = 'active' and substr(a.id, 5)::int % 10 = 3`);
await db.execute(sql`
  insert into deduction_logs (provider, api_method, agreement_id, charge_attempt_id, order_id,
    request, response, http_status, outcome, duration_ms, created_at)
  select 'alipay', 'alipay.trade.pay', c.agreement_id, c.id, c.order_id,
    jsonb_build_object('method', 'alipay.trade.pay', 'out_trade_no', c.out_trade_no),
    jsonb_build_object('alipay_trade_pay_response', jsonb_build_object('code', '40004',
      'msg', 'Business Failed', 'sub_code', 'ACQ.BUYER_BALANCE_NOT_ENOUGH', 'sub_msg', '余额不足')),
    200, 'declined', 180, c.created_at
  from charge_attempts c`);
await db.execute(sql`analyze`);
const [counts] = (await db.execute(sql`
  select (select count(*) from agreements)::int as agreements, (select count(*) from orders)::int as orders,
    (select count(*) from charge_attempts)::int as attempts`)) as unknown as {
  agreements: number;
  orders: number;
  attempts: number;
}[];
console.log(
  `data: ${counts!.agreements} agreements, ${counts!.orders} orders, ${counts!.attempts} failed attempts (${((performance.now() - built) / 1000).toFixed(1)} s)`,
);

// ---- requests -----------------------------------------------------------------------------

interface Result {
  name: string;
  rows: number;
  medianMs: number;
  maxMs: number;
}
const results: Result[] = [];
const failures: string[] = [];

async function time<T extends { items: unknown[] }>(
  name: string,
  run: () => Promise<T>,
  check: (page: T) => string | null = () => null,
): Promise<T> {
  const times: number[] = [];
  let page: T | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    page = await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const result = {
    name,
    rows: page!.items.length,
    medianMs: times[Math.floor(times.length / 2)]!,
    maxMs: times.at(-1)!,
  };
  results.push(result);
  const problem = check(page!);
  if (problem) failures.push(`${name}: ${problem}`);
  if (result.maxMs > LIMIT_MS)
    failures.push(`${name}: ${result.maxMs.toFixed(1)} ms > ${LIMIT_MS} ms`);
  return page!;
}

const agreementsList = (query: Record<string, string>) =>
  subs.subscriptionsPage(db, subs.subscriptionQuery.parse(query));
const every = <T>(items: T[], test: (item: T) => boolean, what: string) =>
  items.length === 0 ? "no rows" : items.every(test) ? null : `a row is not ${what}`;

await time(
  "subscriptions: first page",
  () => agreementsList({}),
  (p) => (p.items.length === 25 ? null : `${p.items.length} rows`),
);
await time(
  "subscriptions: status=unsigned",
  () => agreementsList({ status: "unsigned" }),
  (p) => every(p.items, (row) => row.status === "unsigned", "unsigned"),
);
await time(
  "subscriptions: plan",
  () => agreementsList({ plan: "prd_quarter" }),
  (p) => every(p.items, (row) => row.productId === "prd_quarter", "quarterly"),
);
await time(
  "subscriptions: failing",
  () => agreementsList({ failing: "1" }),
  (p) => every(p.items, (row) => row.lastAttemptStatus === "failed", "failing"),
);
await time(
  "subscriptions: next charge in 7 days, soonest first",
  () => agreementsList({ nextFrom: today, nextTo: addDays(today, 7), sort: "next_charge" }),
  (p) =>
    every(
      p.items,
      (row) => row.nextChargeDate! >= today && row.nextChargeDate! <= addDays(today, 7),
      "in range",
    ),
);
await time("subscriptions: ended in 30 days (churn)", () =>
  agreementsList({ closedFrom: addDays(today, -30) }),
);
await time(
  "subscriptions: email prefix",
  () => agreementsList({ q: "buyer777@" }),
  (p) =>
    p.items.length === 1 && p.items[0]!.buyerEmail === "buyer777@bench.example.com"
      ? null
      : `${p.items.length} rows`,
);
await time(
  "subscriptions: agreement number prefix",
  () => agreementsList({ q: "XA00000000123" }),
  (p) => every(p.items, (row) => row.externalAgreementNo.startsWith("XA00000000123"), "matching"),
);
await time(
  "subscriptions: Alipay's number",
  () => agreementsList({ q: "20880000000000004321" }),
  (p) => (p.items.length === 1 ? null : `${p.items.length} rows`),
);

// A walk of 20 pages after the first, sorted by next charge: no repeats, dates in order.
{
  const seen = new Set<string>();
  let cursor: string | null = null;
  let previous = "";
  for (let pageNo = 0; pageNo < 20; pageNo++) {
    const query: Record<string, string> = { sort: "next_charge", limit: "100" };
    if (cursor) query.cursor = cursor;
    const page = await time(`subscriptions: next_charge page ${pageNo + 1}`, () =>
      agreementsList(query),
    );
    for (const row of page.items) {
      if (seen.has(row.id)) failures.push(`subscriptions walk: ${row.id} twice`);
      seen.add(row.id);
      const key = row.nextChargeDate ?? "9999-12-31";
      if (key < previous) failures.push(`subscriptions walk: ${key} after ${previous}`);
      previous = key;
    }
    cursor = page.nextCursor;
  }
}

await time("deductions: by code", () =>
  subs.deductionsPage(db, subs.deductionQuery.parse({ code: "ACQ.BUYER_BALANCE_NOT_ENOUGH" })),
);
await time("deductions: by agreement", () =>
  subs.deductionsPage(db, subs.deductionQuery.parse({ agreement: "XA000000000013" })),
);

// ---- report -------------------------------------------------------------------------------

const width = Math.max(...results.map((r) => r.name.length));
for (const r of results) {
  console.log(
    `${r.name.padEnd(width)}  ${String(r.rows).padStart(4)} rows  median ${r.medianMs.toFixed(1).padStart(6)} ms  max ${r.maxMs.toFixed(1).padStart(6)} ms`,
  );
}
const slowest = results.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
console.log(`slowest: ${slowest.name} ${slowest.maxMs.toFixed(1)} ms (limit ${LIMIT_MS} ms)`);
await closeDb();
saveBench("subscriptions", "Admin subscriptions and deductions lists", [
  ...results.map((r) =>
    rowOf(
      `${r.name} (${r.rows} rows)`,
      `median ${r.medianMs.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms`,
      `< ${LIMIT_MS} ms`,
      r.maxMs < LIMIT_MS ? "ok" : "MISSED",
    ),
  ),
  ...failures.map((failure) => rowOf(failure, "", "", "MISSED")),
]);
if (failures.length > 0) {
  console.error(`FAILED:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log(`admin subscriptions: every request under ${LIMIT_MS} ms, rows checked`);
