import { assertLocalDatabaseUrl } from "../tests/helpers/local-database";
import { rowOf, saveBench } from "./bench-report";

/*
 * `npm run bench:export`: the admin's CSV export of 50,000 orders (issue #11, acceptance 5),
 * streamed as the route streams it (lib/admin/export.ts `orderCsv`, batches of 1,000), against
 * the naive way in the same run (every row read first, then the file built). Reports the file's
 * size, the time, and the memory each way holds: the live heap after a full collection at every
 * chunk (`--expose-gc`), so garbage not yet collected does not count, and the peak RSS. Exits 1
 * when the streamed export holds more than STREAM_HEAP_LIMIT_MB or more than a tenth of what
 * the naive way holds, or when it does not write every row exactly once.
 *
 * The database is dropped and rebuilt: BENCH_DATABASE_URL, local only, default test_h3.
 * BENCH_ORDERS (50000) for a quick look.
 */

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test_h3";
assertLocalDatabaseUrl(url);
const N = Number(process.env.BENCH_ORDERS ?? 50_000);
if (!Number.isInteger(N) || N < 1) throw new Error("BENCH_ORDERS must be a positive integer");
const STREAM_HEAP_LIMIT_MB = 8;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (npm run bench:export does)");

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
const { orderExportBatch } = await import("@/db/queries/exports");
const { exportDates, orderCsv, EXPORT_BATCH } = await import("@/lib/admin/export");
const { orderLabels } = await import("../tests/helpers/export-labels");

await rebuildBenchDatabase(url);
const db = await getDb();

// ---- data: one buyer, one product, N orders over 30 days ------------------------------------

const now = new Date();
await db.execute(sql`
  insert into users (id, email, password_hash) values ('usr_bench', 'bench@example.com', 'scrypt$x');
  insert into products (id, slug, kind, price_fen, name_zh, name_en, description_zh, description_en)
    values ('prd_bench', 'bench-book', 'one_off', 990, '基准电子书, "第一版"', 'Bench book', '', '');`);
await db.execute(sql`
  insert into orders (id, order_no, user_id, product_id, kind, provider, amount_fen, status, paid_at, created_at)
  select 'ord_bench_' || i, 'XB' || lpad(i::text, 12, '0'), 'usr_bench', 'prd_bench', 'purchase',
    'youzan', 990 + i % 100, case when i % 3 = 0 then 'paid' else 'expired' end::order_status,
    case when i % 3 = 0 then ${now.toISOString()}::timestamptz - (i || ' seconds')::interval end,
    ${now.toISOString()}::timestamptz - (i * 50 || ' milliseconds')::interval
  from generate_series(1, ${N}) as i`);
await db.execute(sql`analyze`);

const dates = exportDates(new URLSearchParams(), now);

const mb = (bytes: number) => bytes / 1024 / 1024;

/** The live heap (after a full collection) above `base`, in bytes. */
function liveAbove(base: number): number {
  gc!();
  return process.memoryUsage().heapUsed - base;
}

// ---- streamed, as the route sends it --------------------------------------------------------

gc();
const streamBase = process.memoryUsage().heapUsed;
let streamPeakHeap = 0;
let streamPeakRss = process.memoryUsage().rss;
let bytes = 0;
let lines = 0;
/** Which order numbers came (XB + the row's number): one byte each, not a set of strings. */
const seen = new Uint8Array(N + 1);
let repeated = 0;
const started = performance.now();
const reader = orderCsv(db, dates.range, orderLabels).getReader();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
for (;;) {
  const { done, value } = await reader.read();
  if (done) break;
  bytes += value.byteLength;
  // Count the rows by their order number (first cell), as a download's reader would see them.
  for (const line of decoder.decode(value, { stream: true }).split("\r\n")) {
    if (line.startsWith("XB")) {
      lines++;
      const i = Number(line.slice(2, 14));
      if (seen[i]) repeated++;
      seen[i] = 1;
    }
  }
  streamPeakHeap = Math.max(streamPeakHeap, liveAbove(streamBase));
  streamPeakRss = Math.max(streamPeakRss, process.memoryUsage().rss);
}
const streamMs = performance.now() - started;

// ---- the naive way: every row first, then the file ------------------------------------------

gc();
const naiveBase = process.memoryUsage().heapUsed;
const naiveStarted = performance.now();
const all = await orderExportBatch(db, dates.range, null, N + 1);
const naiveFile = all.map((row) => `${row.order.orderNo},${row.order.amountFen}`).join("\r\n");
const naiveHeap = liveAbove(naiveBase);
const naiveMs = performance.now() - naiveStarted;
if (naiveFile.length === 0) throw new Error("the naive export is empty");

await closeDb();

// ---- the report -----------------------------------------------------------------------------

const problems: string[] = [];
const missing = N - seen.reduce((sum, x) => sum + x, 0);
if (lines !== N || repeated > 0 || missing > 0)
  problems.push(`rows: ${lines} lines, ${repeated} repeated, ${missing} missing`);
if (mb(streamPeakHeap) > STREAM_HEAP_LIMIT_MB)
  problems.push(`streamed export held ${mb(streamPeakHeap).toFixed(1)} MB`);
if (streamPeakHeap > naiveHeap / 10)
  problems.push("streamed export held more than a tenth of the naive one");

const rows: [string, string, string][] = [
  ["orders · batch", `${N} · ${EXPORT_BATCH}`, ""],
  ["file size", `${mb(bytes).toFixed(1)} MB (${lines} rows)`, ""],
  [
    "streamed: time · rows per second",
    `${(streamMs / 1000).toFixed(2)} s · ${Math.round(N / (streamMs / 1000))}`,
    "",
  ],
  [
    "streamed: peak live heap above start",
    `${mb(streamPeakHeap).toFixed(2)} MB`,
    `≤ ${STREAM_HEAP_LIMIT_MB} MB and ≤ naive ÷ 10`,
  ],
  ["streamed: peak RSS", `${mb(streamPeakRss).toFixed(0)} MB`, ""],
  [
    "naive (all rows, then the file): live heap · time",
    `${mb(naiveHeap).toFixed(1)} MB · ${(naiveMs / 1000).toFixed(2)} s`,
    "",
  ],
  ["every row once", problems.some((p) => p.startsWith("rows")) ? "NO" : "yes", ""],
];
const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
console.log(line(["CSV export of orders", "measured", "target"]));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of rows) console.log(line(row));
for (const problem of problems) console.error(`bench: ${problem}`);
saveBench("export", "CSV export of orders", [
  ...rows.map(([figure, value, target]) =>
    rowOf(
      figure,
      value,
      target,
      target ? (problems.some((p) => p.startsWith("streamed")) ? "MISSED" : "ok") : "",
    ),
  ),
  ...problems.map((problem) => rowOf(problem, "", "", "MISSED")),
]);
process.exit(problems.length > 0 ? 1 : 0);
