import { reportBench, type BenchRow } from "./bench-report";
import { ensureBuild, signIn, startShop, stopChildren, setBenchEnvironment } from "./bench-server";

/*
 * `npm run bench:upstream` (issue #14, "upstream economy"): ten tabs poll one order's status for
 * BENCH_UPSTREAM_SECONDS (default 60) while it is unpaid, then the sandbox pays it and the tabs
 * poll on until each has seen it paid. The provider's calls are what the sandbox counted:
 *
 * - a Youzan QR purchase (POST /api/orders): every gateway call (the QR's creation included) and
 *   every token issued;
 * - an Alipay membership checkout (POST /api/subscriptions, signed in the sandbox after the
 *   unpaid phase): every gateway.do call (the first charge included).
 *
 * Each tab polls `GET /api/orders/{orderNo}/status` as the checkout page does
 * (components/orders/checkout-status.tsx: every 2 s, in the background too), the ten tabs opened
 * at random moments of the first interval. The production build runs as `npm start` runs it, in
 * sandbox mode on PostgreSQL (BENCH_DATABASE_URL, local only, default bench_upstream: dropped and
 * rebuilt). Target: at most 25 calls per checkout. Exits 1 when one is missed.
 */

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/bench_upstream";
const PORT = Number(process.env.BENCH_PORT ?? 3322);
const SECONDS = Number(process.env.BENCH_UPSTREAM_SECONDS ?? 60);
const TABS = 10;
/** The checkout's refetchInterval (components/orders/checkout-status.tsx). */
const POLL_MS = 2_000;
const TARGET_CALLS = 25;
const base = `http://127.0.0.1:${PORT}`;

setBenchEnvironment(url);

ensureBuild("bench:upstream");

const { seedBenchDatabase } = await import("./bench-database");
const BUYER = { email: "tabs@bench.example.com", password: "bench-password-1" };
await seedBenchDatabase(
  url,
  { email: "admin@bench.example.com", password: "bench-admin-password" },
  [BUYER],
);

await startShop({ port: PORT, env: { CRON_SECRET: "bench-cron-secret-0123456789" } });
const cookie = await signIn(base, BUYER);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`bench:upstream: POST ${path} → ${response.status}`);
  return (await response.json()) as unknown;
}
async function getJson(path: string) {
  const response = await fetch(`${base}${path}`);
  if (!response.ok) throw new Error(`bench:upstream: GET ${path} → ${response.status}`);
  return (await response.json()) as unknown;
}

interface Tabs {
  polls: number;
  bad: number;
  /** Resolves when every tab has seen the order paid. */
  done: Promise<void>;
}

/** TABS tabs polling the order's status every POLL_MS until each sees it paid. */
function openTabs(orderNo: string): Tabs {
  const tabs: Tabs = { polls: 0, bad: 0, done: Promise.resolve() };
  const tab = async () => {
    await sleep(Math.random() * POLL_MS);
    for (let next = Date.now(); ;) {
      const response = await fetch(`${base}/api/orders/${orderNo}/status`, {
        headers: { cookie },
      });
      tabs.polls++;
      if (!response.ok) tabs.bad++;
      const { status } = (await response.json()) as { status?: string };
      if (status === "paid") return;
      if (status !== "pending" && status !== undefined) {
        throw new Error(`bench:upstream: ${orderNo} became ${status}`);
      }
      next += POLL_MS;
      await sleep(Math.max(0, next - Date.now()));
    }
  };
  tabs.done = Promise.all(Array.from({ length: TABS }, tab)).then(() => undefined);
  return tabs;
}

interface Run {
  calls: number;
  detail: string;
  polls: number;
  bad: number;
  paidAfterMs: number;
}

async function youzanCheckout(): Promise<Run> {
  await post("/sandbox/youzan/control/reset", {});
  const order = (await post(
    "/api/orders",
    { productSlug: "side-hustle-handbook" },
    { cookie },
  )) as { orderNo: string; qr: { qrId: string } };
  const tabs = openTabs(order.orderNo);
  await sleep(SECONDS * 1000);
  const paidAt = Date.now();
  await post("/sandbox/youzan/control/pay", { qrId: order.qr.qrId });
  await tabs.done;
  const paidAfterMs = Date.now() - paidAt;
  // The push and its trade.get land shortly after the payment: count them too.
  await sleep(3_000);
  const stats = (await getJson("/sandbox/youzan/control/stats")) as {
    apiCalls: Record<string, number>;
    tokensIssued: number;
  };
  const calls = Object.values(stats.apiCalls).reduce((sum, n) => sum + n, 0) + stats.tokensIssued;
  const detail = [
    `token ${stats.tokensIssued}`,
    ...Object.entries(stats.apiCalls).map(([api, n]) => `${api.replace(/^youzan\./, "")} ${n}`),
  ].join(", ");
  return { calls, detail, polls: tabs.polls, bad: tabs.bad, paidAfterMs };
}

async function alipayCheckout(): Promise<Run> {
  await post("/sandbox/alipay/control/reset", {});
  const started = (await post(
    "/api/subscriptions",
    { productSlug: "membership-monthly" },
    { cookie },
  )) as { orderNo: string; signUrl: string };
  const tabs = openTabs(started.orderNo);
  await sleep(SECONDS * 1000);
  const signedAt = Date.now();
  // The buyer signs in the Alipay app; the sign notify activates the agreement and the shop
  // charges period 1.
  await post("/sandbox/alipay/control/sign", { signUrl: started.signUrl });
  await tabs.done;
  const paidAfterMs = Date.now() - signedAt;
  await sleep(3_000);
  const stats = (await getJson("/sandbox/alipay/control/stats")) as {
    calls: Record<string, number>;
  };
  const calls = Object.values(stats.calls).reduce((sum, n) => sum + n, 0);
  const detail = Object.entries(stats.calls)
    .map(([method, n]) => `${method.replace(/^alipay\./, "")} ${n}`)
    .join(", ");
  return { calls, detail, polls: tabs.polls, bad: tabs.bad, paidAfterMs };
}

console.log(`bench:upstream: ${TABS} tabs × ${SECONDS} s unpaid, Youzan QR …`);
const youzan = await youzanCheckout();
console.log(`bench:upstream: Youzan ${youzan.calls} calls (${youzan.detail}); Alipay …`);
const alipay = await alipayCheckout();
console.log(`bench:upstream: Alipay ${alipay.calls} calls (${alipay.detail})`);
stopChildren();

// The ideal: one question per interval of the status check (3 s) while unpaid, plus the calls
// the purchase needs anyway (Youzan: token + QR; Alipay: the first charge).
const rows: BenchRow[] = [];
for (const [label, run] of [
  ["Youzan QR order (token included)", youzan],
  ["Alipay membership checkout", alipay],
] as const) {
  rows.push({
    figure: `${label}: provider calls`,
    value: String(run.calls),
    against: run.detail,
    ratio: "",
    target: `≤ ${TARGET_CALLS}`,
    ok: run.calls <= TARGET_CALLS,
  });
  rows.push({
    figure: `${label}: polls answered (not 200)`,
    value: `${run.polls} (${run.bad})`,
    against: `${TABS} tabs every ${POLL_MS / 1000} s`,
    ratio: "",
    target: "0 not 200",
    ok: run.bad === 0,
  });
  rows.push({
    figure: `${label}: paid seen by every tab after`,
    value: `${(run.paidAfterMs / 1000).toFixed(1)} s`,
    against: "",
    ratio: "",
    target: "(shown)",
    ok: null,
  });
}
reportBench(
  "upstream",
  `Upstream economy: ${TABS} tabs polling one order, ${SECONDS} s unpaid, then paid`,
  rows,
);
