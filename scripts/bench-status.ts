import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { pct, reportBench, type BenchRow } from "./bench-report";
import {
  ensureBuild,
  machineBusyMs,
  processCpuMs,
  rssMb,
  signIn,
  startChild,
  startShop,
  stopChildren,
  waitFor,
  setBenchEnvironment,
} from "./bench-server";

/*
 * `npm run bench:status` (issue #14, benchmarks 1 and 7): the checkout's status poll,
 * `GET /api/orders/{orderNo}/status`, for a paid and for a pending order, under 64 concurrent
 * connections (autocannon), side by side in one run with its two floors:
 *
 * - the framework floor: the same server's trivial route handler, `/api/health` (one `select 1`);
 * - the machine floor: a bare `node:http` server doing the poll's indexed query
 *   (scripts/bench-status-floor.mjs), with postgres.js and the same pool size.
 *
 * The production build (`next build`, skipped with BENCH_SKIP_BUILD=1 when one exists) runs as
 * `npm start` runs it (server.mjs), in sandbox mode on PostgreSQL. Each target is measured in
 * BENCH_ROUNDS (default 5, at least 3) rounds whose order rotates, so a noisy machine slows every target alike; the
 * median of the rounds counts; a ratio is the median of each round's own ratio. The server's RSS is read at rest and sampled under load.
 * Before the rounds every route of the build is asked for once (BENCH_LOAD_ALL=0 skips it): a
 * shop's server holds every route's code within minutes of starting, and measured without it
 * the heap had room a real server's has not (docs/PERFORMANCE.md, "Every route loaded").
 * That first request also loads the poll's route, after which server.mjs answers the poll itself
 * (its fast path, lib/http/fast-routes.ts; the server prints "fast path: …" once), as `npm start`
 * does; `BENCH_COMPARE_ENV=SERVER_FAST_PATH=off` measures the poll through Next's router beside it.
 *
 * Targets: the poll at least 80 % of the framework floor's requests/s and p99 under 100 ms (paid
 * and pending), the server under 300 MB under load. Exits 1 when one is missed, or when any
 * answer was not a 200.
 *
 * The database is dropped and rebuilt: BENCH_DATABASE_URL, local only, default test_h2.
 */

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test_h2";
const APP_PORT = Number(process.env.BENCH_PORT ?? 3310);
const FLOOR_PORT = APP_PORT + 89;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 5));
const CONNECTIONS = 64;
const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 100;
const TARGET_RSS_MB = 300;
const base = `http://127.0.0.1:${APP_PORT}`;

setBenchEnvironment(url);

// ---- build, database, servers ----------------------------------------------------------------

ensureBuild("bench:status");

const { seedBenchDatabase } = await import("./bench-database");
const BUYER = { email: "poller@bench.example.com", password: "bench-password-1" };
await seedBenchDatabase(
  url,
  { email: "admin@bench.example.com", password: "bench-admin-password" },
  [BUYER],
);

// BENCH_CPU_PROFILE=<dir>: a CPU profile of the shop's server over the whole bench.
const { child: app } = await startShop({
  port: APP_PORT,
  env: { CRON_SECRET: "bench-cron-secret-0123456789" },
  cpuProfileDir: process.env.BENCH_CPU_PROFILE,
});
// An A/B: BENCH_COMPARE_FLAGS (Node flags), BENCH_COMPARE_ENV (`NAME=value …`, such as
// SERVER_FAST_PATH=off) and/or BENCH_COMPARE_DIR (another checkout with its own build) start a
// second shop, "B", on the same database, measured in the same rounds as the first: `healthB`,
// `paidB`, `pendingB`. Only the comparison is printed, not the targets' table.
const compareFlags = (process.env.BENCH_COMPARE_FLAGS ?? "").split(/\s+/).filter(Boolean);
const compareEnv = Object.fromEntries(
  (process.env.BENCH_COMPARE_ENV ?? "")
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf("=");
      if (at < 1) throw new Error(`BENCH_COMPARE_ENV: "${pair}" is not NAME=value`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
);
const compareDir = process.env.BENCH_COMPARE_DIR;
const baseB = `http://127.0.0.1:${APP_PORT + 1}`;
const appB =
  compareFlags.length > 0 || Object.keys(compareEnv).length > 0 || compareDir
    ? (
        await startShop({
          port: APP_PORT + 1,
          env: { CRON_SECRET: "bench-cron-secret-0123456789", ...compareEnv },
          nodeFlags: compareFlags,
          cwd: compareDir,
        })
      ).child
    : undefined;
const floorServer = startChild("node", ["scripts/bench-status-floor.mjs"], {
  BENCH_FLOOR_PORT: String(FLOOR_PORT),
  DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX ?? "10",
});
await waitFor(`http://127.0.0.1:${FLOOR_PORT}/status/none`);

// ---- a buyer with a paid and a pending order ------------------------------------------------

const cookie = await signIn(base, BUYER);
/** A pending purchase (a buyer's open order of a product is reused: one product each). */
async function newOrder(productSlug: string): Promise<{ orderNo: string; qrId: string }> {
  const response = await fetch(`${base}/api/orders`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ productSlug }),
  });
  if (response.status !== 201) throw new Error(`bench:status: POST /api/orders ${response.status}`);
  const body = (await response.json()) as { orderNo: string; qr: { qrId: string } };
  return { orderNo: body.orderNo, qrId: body.qr.qrId };
}
const statusOf = async (orderNo: string) =>
  (
    (await (
      await fetch(`${base}/api/orders/${orderNo}/status`, { headers: { cookie } })
    ).json()) as { status: string }
  ).status;

const paid = await newOrder("side-hustle-handbook");
const pending = await newOrder("writing-that-sells");
const paying = await fetch(`${base}/sandbox/youzan/control/pay`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ qrId: paid.qrId }),
});
if (!paying.ok) throw new Error(`bench:status: the sandbox refused to pay (${paying.status})`);
for (let i = 0; (await statusOf(paid.orderNo)) !== "paid"; i++) {
  if (i > 100) throw new Error("bench:status: the paid order never settled");
  await new Promise((resolve) => setTimeout(resolve, 200));
}
if ((await statusOf(pending.orderNo)) !== "pending") {
  throw new Error("bench:status: the pending order is not pending");
}

/** One path for each route of the build (`[param]` segments filled with a made-up value). */
function routePaths(): string[] {
  const manifest = JSON.parse(
    readFileSync(".next/server/app-paths-manifest.json", "utf8"),
  ) as Record<string, string>;
  const paths = Object.keys(manifest).map(
    (route) =>
      route
        .replace(/\/\([^)]*\)/g, "")
        .replace(/\/(page|route)$/, "")
        .replace(/\[\[?\.\.\.[^\]]+\]\]?/g, "x/y")
        .replace(/\[[^\]]+\]/g, "x") || "/",
  );
  return [...new Set(paths)].filter((path) => !path.startsWith("/_"));
}

// ---- measuring -------------------------------------------------------------------------------

interface Target {
  key: string;
  label: string;
  url: string;
  headers?: Record<string, string>;
  /** Served by the shop's process: its memory is sampled meanwhile. */
  app: boolean;
  /** The process whose CPU counts (default: the shop's, or the machine floor's). */
  pid?: number;
}
const TARGETS: Target[] = [
  {
    key: "health",
    label: "framework floor: GET /api/health",
    url: `${base}/api/health`,
    app: true,
  },
  {
    key: "paid",
    label: "status poll, paid order",
    url: `${base}/api/orders/${paid.orderNo}/status`,
    headers: { cookie },
    app: true,
  },
  {
    key: "pending",
    label: "status poll, pending order",
    url: `${base}/api/orders/${pending.orderNo}/status`,
    headers: { cookie },
    app: true,
  },
  {
    key: "floor",
    label: "machine floor: node:http + the query",
    url: `http://127.0.0.1:${FLOOR_PORT}/status/${paid.orderNo}`,
    app: false,
  },
];

if (appB) {
  for (const target of TARGETS.filter((t) => t.app)) {
    TARGETS.push({
      ...target,
      key: `${target.key}B`,
      label: `${target.label} (B)`,
      url: target.url.replace(base, baseB),
      app: false,
      pid: appB.pid!,
    });
  }
}

// BENCH_TARGETS=paid,pending: measure only those (profiling one route); the table needs all.
const only = process.env.BENCH_TARGETS?.split(",");
if (only) TARGETS.splice(0, TARGETS.length, ...TARGETS.filter((t) => only.includes(t.key)));

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  bad: number;
  /** CPU ms a request: the server's (the shop's, or the machine floor's), the machine's in all. */
  serverCpu: number;
  machineCpu: number;
}

let peakRssMb = 0;
/** The A/B's second shop's. */
let peakRssMbB = 0;
async function measure(target: Target, seconds: number): Promise<Sample> {
  const serverPid = target.pid ?? (target.app ? app.pid! : floorServer.pid!);
  const sampler =
    target.app || target.pid
      ? setInterval(() => {
          const rss = rssMb(serverPid);
          if (target.app) peakRssMb = Math.max(peakRssMb, rss);
          else peakRssMbB = Math.max(peakRssMbB, rss);
        }, 200)
      : undefined;
  const cpuBefore = processCpuMs(serverPid);
  const machineBefore = machineBusyMs();
  try {
    const result = await autocannon({
      url: target.url,
      connections: CONNECTIONS,
      duration: seconds,
      headers: target.headers,
    });
    const requests = Math.max(1, result.requests.total);
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      bad: result.non2xx + result.errors + result.timeouts,
      serverCpu: (processCpuMs(serverPid) - cpuBefore) / requests,
      machineCpu: (machineBusyMs() - machineBefore) / requests,
    };
  } finally {
    clearInterval(sampler);
  }
}

// A shop that has run a while has loaded every route's code, not only the poll's: each route of
// the build is asked for once (as a signed-in buyer) before the rounds, on both shops of an A/B.
if (process.env.BENCH_LOAD_ALL !== "0") {
  const paths = routePaths();
  const bases = [base, ...(appB ? [baseB] : [])];
  for (const origin of bases) {
    for (const path of paths) {
      await fetch(`${origin}${path}`, { headers: { cookie }, redirect: "manual" }).then(
        (response) => response.arrayBuffer(),
        () => undefined,
      );
    }
  }
  console.log(`bench:status: every route loaded (${paths.length} paths)`);
}

console.log(`bench:status: warming up (${TARGETS.length} targets × 3 s)`);
for (const target of TARGETS) await measure(target, 3);
await new Promise((resolve) => setTimeout(resolve, 2_000));
const restRssMb = rssMb(app.pid!);
peakRssMb = 0;
peakRssMbB = 0;

const samples = new Map<string, Sample[]>(TARGETS.map((t) => [t.key, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]!);
  for (const target of order) {
    const sample = await measure(target, SECONDS);
    samples.get(target.key)!.push(sample);
    console.log(
      `  round ${round + 1}: ${target.key.padEnd(8)} ${sample.rps.toFixed(0).padStart(6)} req/s` +
        `  p50 ${sample.p50} ms  p99 ${sample.p99} ms` +
        `  CPU a request: server ${sample.serverCpu.toFixed(2)} ms, machine ${sample.machineCpu.toFixed(2)} ms` +
        `${sample.bad ? `  ${sample.bad} bad` : ""}`,
    );
  }
}
const appExited = new Promise((resolve) => app.once("exit", resolve));
stopChildren();
await appExited;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const figure = (key: string) => {
  const all = samples.get(key)!;
  return {
    rps: median(all.map((s) => s.rps)),
    p50: median(all.map((s) => s.p50)),
    p99: median(all.map((s) => s.p99)),
    bad: all.reduce((sum, s) => sum + s.bad, 0),
  };
};
if (appB) {
  console.log("\nA/B (medians): key  req/s A → B  p99 A → B  server CPU a request A → B");
  for (const target of TARGETS.filter((t) => t.key.endsWith("B"))) {
    const a = target.key.slice(0, -1);
    const cpu = (key: string) => median(samples.get(key)!.map((s) => s.serverCpu)).toFixed(3);
    const [fa, fb] = [figure(a), figure(target.key)];
    console.log(
      `  ${a.padEnd(8)} ${fa.rps.toFixed(0)} → ${fb.rps.toFixed(0)}  ${fa.p99} → ${fb.p99} ms  ${cpu(a)} → ${cpu(target.key)} ms`,
    );
  }
  console.log(`  peak RSS under load: ${peakRssMb.toFixed(0)} → ${peakRssMbB.toFixed(0)} MB`);
}
if (only || appB) process.exit(0);
const health = figure("health");
const floor = figure("floor");

// ---- the table -------------------------------------------------------------------------------

const rows: BenchRow[] = [];
for (const key of ["paid", "pending"] as const) {
  const f = figure(key);
  // Each round's poll against the same round's floor (measured seconds apart, in the same
  // conditions), then the median of those ratios: on a machine whose speed drifts between
  // rounds this pairs like with like, where a ratio of two medians could mix rounds.
  const healthOf = samples.get("health")!;
  const ratio = median(samples.get(key)!.map((s, round) => s.rps / healthOf[round]!.rps));
  rows.push({
    figure: `status poll (${key}) req/s`,
    value: f.rps.toFixed(0),
    against: `framework floor ${health.rps.toFixed(0)}`,
    ratio: pct(ratio),
    target: `≥ ${pct(TARGET_RATIO)}`,
    ok: ratio >= TARGET_RATIO,
  });
  rows.push({
    figure: `status poll (${key}) p50 / p99`,
    value: `${f.p50} / ${f.p99} ms`,
    against: `framework floor ${health.p50} / ${health.p99} ms`,
    ratio: "",
    target: `p99 < ${TARGET_P99_MS} ms`,
    ok: f.p99 < TARGET_P99_MS,
  });
  rows.push({
    figure: `status poll (${key}) vs machine`,
    value: f.rps.toFixed(0),
    against: `machine floor ${floor.rps.toFixed(0)}`,
    ratio: pct(f.rps / floor.rps),
    target: "(shown)",
    ok: null,
  });
  rows.push({
    figure: `status poll (${key}) answers not 200`,
    value: String(f.bad),
    against: "",
    ratio: "",
    target: "0",
    ok: f.bad === 0,
  });
}
rows.push({
  figure: "framework floor vs machine",
  value: health.rps.toFixed(0),
  against: `machine floor ${floor.rps.toFixed(0)} (p99 ${floor.p99} ms)`,
  ratio: pct(health.rps / floor.rps),
  target: "(shown)",
  ok: null,
});
const cpuOf = (key: string, which: "serverCpu" | "machineCpu") =>
  median(samples.get(key)!.map((sample) => sample[which])).toFixed(2);
rows.push({
  figure: "CPU a request, server / machine (ms): paid, pending",
  value: `${cpuOf("paid", "serverCpu")} / ${cpuOf("paid", "machineCpu")}, ${cpuOf("pending", "serverCpu")} / ${cpuOf("pending", "machineCpu")}`,
  against: `framework floor ${cpuOf("health", "serverCpu")} / ${cpuOf("health", "machineCpu")}`,
  ratio: "",
  target: "(shown)",
  ok: null,
});
rows.push({
  figure: "server RSS at rest",
  value: `${restRssMb.toFixed(0)} MB`,
  against: "",
  ratio: "",
  target: "(shown)",
  ok: null,
});
rows.push({
  figure: "server RSS under load (peak)",
  value: `${peakRssMb.toFixed(0)} MB`,
  against: "",
  ratio: "",
  target: `< ${TARGET_RSS_MB} MB`,
  ok: peakRssMb < TARGET_RSS_MB,
});

reportBench(
  "status",
  `Status poll: ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s per target, median`,
  rows,
);
