import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { rowOf, saveBench } from "./bench-report";
// Types only (erased): the modules themselves are imported below, once the env is set.
import type { Db } from "@/db/client";
import type { BillingDeps } from "@/lib/billing/deps";
import type { RunReport } from "@/lib/billing/run";
import { assertLocalDatabaseUrl } from "../tests/helpers/local-database";

/*
 * `npm run bench:billing`: the charge phase at scale on PostgreSQL (issue #9, "Benchmark").
 *
 * 10,000 due weekly agreements (built straight into the shop's and the sandbox's tables by
 * tests/helpers/billing-fixtures.ts), the Alipay sandbox's gateway behind a loopback HTTP server
 * that answers every `alipay.trade.pay` 100 ms after it arrives (its own work included;
 * BENCH_LATENCY=added: 100 ms and then its work), the shop's real client (RSA2 both ways), and
 * `runBillingPhase(deps, "charge")` at concurrency 16. The sandbox runs in a child process of
 * its own (this file again, BENCH_ROLE=alipay): it stands for Alipay's servers, whose signing and
 * bookkeeping are not the shop's work (BENCH_ALIPAY=in-process puts it in the shop's event loop). Reports the wall time against the ideal
 * (agreements × latency ÷ concurrency) and against a one-at-a-time run (500 agreements measured,
 * scaled: it is linear), the shop's database round trips per agreement (every statement its
 * connection pool sends, BEGIN and COMMIT included; the sandbox has a pool of its own, as Alipay
 * would), peak memory (RSS), and two runs started together against one. Exits 1 when a target
 * is missed or an agreement was not charged exactly once.
 *
 * The database is dropped and rebuilt: BENCH_DATABASE_URL, local only, default test_h3.
 * Knobs (for quick looks; the targets are for the defaults): BENCH_AGREEMENTS (10000),
 * BENCH_LATENCY_MS (100), BENCH_CONCURRENCY (16), BENCH_BATCH (200), BENCH_POOL_MAX (the shop's
 * pool, default 10 like DATABASE_POOL_MAX), BENCH_PROFILE=1 (statements by kind),
 * BENCH_CPU_PROFILE=<dir> (CPU profiles of the shop and the sandbox over the one run).
 *
 * The shop runs on the system clock, as in live mode (sandbox mode reads the virtual clock from
 * the database on every `now()`, which would add round trips no deployment makes).
 */

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test_h3";
assertLocalDatabaseUrl(url);
const int = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const N = int("BENCH_AGREEMENTS", 10_000);
const LATENCY_MS = int("BENCH_LATENCY_MS", 100);
const CONCURRENCY = int("BENCH_CONCURRENCY", 16);
const BATCH = int("BENCH_BATCH", 200);
const POOL_MAX = int("BENCH_POOL_MAX", 10);
const SEQUENTIAL_SAMPLE = Math.min(500, N);
const PROFILE = process.env.BENCH_PROFILE === "1";
/** A directory: CPU profiles of the shop and the sandbox over the one run (step 2) go there. */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE ?? "";
const ROLE = process.env.BENCH_ROLE === "alipay" ? "alipay" : "shop";
const ALIPAY_IN_PROCESS = process.env.BENCH_ALIPAY === "in-process";
const LATENCY_MODEL = process.env.BENCH_LATENCY === "added" ? "added" : "answer";
const CORES = availableParallelism();
const TARGET_IDEAL_RATIO = 1.5;
const TARGET_TWO_RUNS_RATIO = 1.2;

// The app's modules read the env once, on first use: set it before importing them.
Object.assign(process.env, {
  DATABASE_URL: url,
  DATABASE_DIRECT_URL: "",
  // The sandbox's pool (getDb): it plays Alipay's servers and must not be the bottleneck.
  DATABASE_POOL_MAX: String(Math.max(CONCURRENCY * 2, 10)),
  PAYMENTS_MODE: "sandbox",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  AUTH_SECRET: process.env.AUTH_SECRET ?? "bench-auth-secret-0123456789abcdef0123",
  CRON_SECRET: process.env.CRON_SECRET ?? "bench-cron-secret-0123456789abcdef0123",
});

const { is, sql } = await import("drizzle-orm");
const { getTableConfig, PgTable } = await import("drizzle-orm/pg-core");
const { drizzle } = await import("drizzle-orm/postgres-js");
const { default: postgres } = await import("postgres");
const schema = await import("@/db/schema");
const { preparedStatements, STATEMENT_TIMEOUT_MS } = await import("@/db/client");
const { rebuildBenchDatabase } = await import("./bench-database");
const { closeDb } = await import("@/db");
const { seedDatabase } = await import("@/db/seed");
const { ensureSandboxAlipayKeys, SANDBOX_ALIPAY_SELLER_ID } =
  await import("@/db/queries/sandbox-alipay-keys");
const { getEnv } = await import("@/lib/env");
const { runBillingPhase } = await import("@/lib/billing/run");
const { DEFAULT_POLICY } = await import("@/lib/billing/schedule");
const { createAlipayGateway } = await import("@/lib/payments/alipay");
const { startTestServer } = await import("../tests/helpers/http-server");
const { makeDueAgreements } = await import("../tests/helpers/billing-fixtures");

// ---- the database -------------------------------------------------------------------------

/** Every statement the counting pool sends (postgres.js `debug`), by kind when profiling. */
const counted = { statements: 0, roundTrips: 0, byKind: new Map<string, number>() };
/**
 * Connections that sent a statement in this turn of the event loop: statements a connection
 * sends together (pipelined: `Promise.all` inside a transaction) leave in one write and come
 * back together, so they count as one round trip.
 */
const sentThisTurn = new Set<number>();
const clientOptions = {
  max: POOL_MAX,
  connection: { statement_timeout: STATEMENT_TIMEOUT_MS },
  onnotice: () => {},
};
/**
 * The shop's pool as db/client.ts builds it (DATABASE_PREPARE defaults to true), twice: one
 * counts its statements through postgres.js's `debug` hook (the one-at-a-time run), the other
 * is the shop's pool as deployed (the timed runs). With `debug` set, postgres.js captures a
 * stack (`new Error()`) for every query, which costs the shop about 5 % of its CPU.
 */
const countingClient = postgres(url, {
  ...clientOptions,
  debug: (connection, query) => {
    counted.statements++;
    if (!sentThisTurn.has(connection)) {
      counted.roundTrips++;
      if (sentThisTurn.size === 0) setImmediate(() => sentThisTurn.clear());
      sentThisTurn.add(connection);
    }
    if (PROFILE) {
      const kind = query.replace(/\s+/g, " ").trim().slice(0, 90);
      counted.byKind.set(kind, (counted.byKind.get(kind) ?? 0) + 1);
    }
  },
});
const shopClient = postgres(url, clientOptions);
const countingDb = drizzle({ client: preparedStatements(countingClient), schema }) as unknown as Db;
const db = drizzle({ client: preparedStatements(shopClient), schema }) as unknown as Db;

const tables = (Object.values(schema) as unknown[])
  .filter((value): value is InstanceType<typeof PgTable> => is(value, PgTable))
  .map((table) => getTableConfig(table))
  // The sandbox's keys stay: the client below was built with them.
  .filter((table) => !(table.schema === "sandbox" && table.name === "alipay_keys"))
  .map((table) => `"${table.schema ?? "public"}"."${table.name}"`);

/** Empty tables (but the sandbox's keys), the catalogue seeded again, statistics fresh. */
async function resetData(): Promise<void> {
  await db.execute(sql.raw(`TRUNCATE ${tables.join(", ")} RESTART IDENTITY CASCADE`));
  await seedDatabase(db, getEnv().admin);
}

async function build(count: number): Promise<number> {
  await resetData();
  const started = performance.now();
  await makeDueAgreements(db, { count, now: new Date() });
  await db.execute(sql`analyze`);
  return performance.now() - started;
}

// ---- Alipay: the sandbox behind a slow gateway --------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function methodOf(request: Request): Promise<string | null> {
  const inQuery = new URL(request.url).searchParams.get("method");
  if (inQuery) return inQuery;
  return new URLSearchParams(await request.clone().text()).get("method");
}

/** What the sandbox's process did: its CPU time (µs) and its times on each trade.pay. */
interface AlipayStats {
  cpuMicros: number;
  pays: number;
  /** The sandbox's own work on trade.pay (ms, summed). */
  payProcessingMs: number;
  /** From a trade.pay's arrival to its answer (ms, summed). */
  payAnswerMs: number;
  /** Answers later than the latency (the sandbox's own work took longer). */
  late: number;
}

const served = { pays: 0, payProcessingMs: 0, payAnswerMs: 0, late: 0 };

/**
 * The sandbox's gateway.do route, `alipay.trade.pay` answered LATENCY_MS after it arrived: the
 * sandbox does its work at once and holds the answer back for the rest of the latency, as
 * Alipay's own answer time includes its work (later if the work takes longer, counted as late).
 * BENCH_LATENCY=added is the earlier model: the latency first, then the sandbox's work on top.
 */
async function serveAlipay(): Promise<{ url: string; close(): Promise<void> }> {
  const gatewayRoute = await import("@/app/sandbox/alipay/gateway.do/route");
  return startTestServer((_request, address) => {
    if (address.pathname !== "/sandbox/alipay/gateway.do") return undefined;
    return async (request) => {
      const arrived = performance.now();
      if ((await methodOf(request)) !== "alipay.trade.pay") {
        return gatewayRoute.POST(request, undefined);
      }
      if (LATENCY_MODEL === "added") await sleep(LATENCY_MS);
      const started = performance.now();
      const response = await gatewayRoute.POST(request, undefined);
      const processing = performance.now() - started;
      if (LATENCY_MODEL === "answer") {
        if (processing > LATENCY_MS) served.late++;
        else await sleep(LATENCY_MS - (performance.now() - arrived));
      }
      served.pays++;
      served.payProcessingMs += processing;
      served.payAnswerMs += performance.now() - arrived;
      return response;
    };
  });
}

// ---- CPU profiles (BENCH_CPU_PROFILE) ----------------------------------------------------

const { Session } = await import("node:inspector/promises");
const profiler = new Session();

async function startProfile(): Promise<void> {
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.start");
}

async function stopProfile(name: string): Promise<void> {
  const { profile } = await profiler.post("Profiler.stop");
  const { writeFileSync, mkdirSync } = await import("node:fs");
  mkdirSync(CPU_PROFILE_DIR, { recursive: true });
  writeFileSync(`${CPU_PROFILE_DIR}/${name}.cpuprofile`, JSON.stringify(profile));
  profiler.disconnect();
}

const ownStats = (): AlipayStats => {
  const { user, system } = process.cpuUsage();
  return { cpuMicros: user + system, ...served };
};

if (ROLE === "alipay") {
  // The child: serve until the parent goes away, answering its questions about the work done.
  const server = await serveAlipay();
  process.on("disconnect", () => void server.close().finally(() => process.exit(0)));
  process.on("message", (message) => {
    if (message === "stats") process.send!(ownStats());
    else if (message === "profile:start") void startProfile().then(() => process.send!("started"));
    else if (message === "profile:stop")
      void stopProfile("alipay").then(() => process.send!("stopped"));
  });
  process.send!({ url: server.url });
  await new Promise(() => {});
}

/** Alipay for the shop: a child process (default), or this process's own event loop. */
interface Alipay {
  url: string;
  /** So far (in-process: no CPU figure of its own, it is in the shop's). */
  stats(): Promise<AlipayStats>;
  /** Starts or stops the sandbox's CPU profile (in-process: the shop's profile holds it). */
  profile(what: "start" | "stop"): Promise<void>;
  close(): Promise<void>;
}

async function startAlipay(): Promise<Alipay> {
  if (ALIPAY_IN_PROCESS) {
    return {
      ...(await serveAlipay()),
      stats: async () => ({ ...ownStats(), cpuMicros: 0 }),
      profile: async () => {},
    };
  }
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_ROLE: "alipay" },
    stdio: "inherit",
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`the sandbox process exited (${code})`)));
  });
  return {
    url,
    stats: () =>
      new Promise<AlipayStats>((resolve) => {
        child.once("message", (message) => resolve(message as AlipayStats));
        child.send("stats");
      }),
    profile: (what) =>
      new Promise<void>((resolve) => {
        child.once("message", () => resolve());
        child.send(`profile:${what}`);
      }),
    close: async () => {
      child.removeAllListeners("exit");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await exited;
    },
  };
}

await rebuildBenchDatabase(url);
await seedDatabase(db, getEnv().admin);
const keys = await ensureSandboxAlipayKeys(db);
const alipay = await startAlipay();

function billingDeps(shopDb: Db, concurrency: number, lanes?: number): BillingDeps {
  return {
    db: shopDb,
    now: async () => new Date(),
    alipay: {
      gateway: createAlipayGateway({
        gatewayUrl: `${alipay.url}/sandbox/alipay/gateway.do`,
        appId: keys.appId,
        privateKey: keys.appPrivateKeyPem,
        alipayPublicKey: keys.alipayPublicKeyPem,
        sellerId: SANDBOX_ALIPAY_SELLER_ID,
        productCode: "GENERAL_WITHHOLDING",
      }),
      appId: keys.appId,
      sellerId: SANDBOX_ALIPAY_SELLER_ID,
      singleCapFen: 10_000,
      appUrl: alipay.url,
    },
    statusCheckIntervalMs: 0,
    billing: {
      enabled: true,
      policy: DEFAULT_POLICY,
      concurrency,
      lanes,
      batchSize: BATCH,
      timeBudgetMs: 60 * 60_000,
    },
    alerts: { send: async () => ({ delivered: false }) },
  };
}

// ---- measuring ----------------------------------------------------------------------------

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
sampler.unref();

/**
 * CPU time (ms) of each PostgreSQL backend serving this database, read from /proc (Linux; empty
 * elsewhere). The pools keep their connections, so a difference over a run is the run's.
 */
async function postgresCpu(): Promise<Map<number, number>> {
  const cpu = new Map<number, number>();
  const rows = (await db.execute(
    sql`select pid from pg_stat_activity where datname = current_database()`,
  )) as unknown as { pid: number }[];
  for (const { pid } of rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime, in clock ticks (100 per second on Linux).
      cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // Not Linux, or the server is elsewhere: no figure.
    }
  }
  return cpu;
}

interface Measured {
  wallMs: number;
  reports: RunReport[];
  statements: number;
  roundTrips: number;
  payCalls: number;
  /** CPU ms: the shop's process, the sandbox's, PostgreSQL's backends. */
  cpu: { shop: number; alipay: number; postgres: number };
  /** Mean time of the sandbox's own work on a trade.pay (ms). */
  alipayProcessingMs: number;
  /** Mean time from a trade.pay's arrival to its answer (ms), and the answers past the latency. */
  alipayAnswerMs: number;
  alipayLate: number;
}

async function measure(
  shopDb: Db,
  runs: number,
  concurrency: number,
  lanes?: number,
): Promise<Measured> {
  const pgBefore = await postgresCpu();
  const alipayBefore = await alipay.stats();
  counted.statements = 0;
  counted.roundTrips = 0;
  counted.byKind.clear();
  const shopBefore = process.cpuUsage();
  const started = performance.now();
  const reports = (await Promise.all(
    Array.from({ length: runs }, () =>
      runBillingPhase(billingDeps(shopDb, concurrency, lanes), "charge"),
    ),
  )) as RunReport[];
  const wallMs = performance.now() - started;
  const shop = process.cpuUsage(shopBefore);
  const { statements, roundTrips } = counted;
  const alipayAfter = await alipay.stats();
  let postgresMs = 0;
  for (const [pid, ms] of await postgresCpu()) postgresMs += ms - (pgBefore.get(pid) ?? 0);
  return {
    wallMs,
    reports,
    statements,
    roundTrips,
    payCalls: await sandboxPayCalls(),
    cpu: {
      shop: (shop.user + shop.system) / 1000,
      alipay: (alipayAfter.cpuMicros - alipayBefore.cpuMicros) / 1000,
      postgres: postgresMs,
    },
    alipayProcessingMs:
      (alipayAfter.payProcessingMs - alipayBefore.payProcessingMs) /
      Math.max(1, alipayAfter.pays - alipayBefore.pays),
    alipayAnswerMs:
      (alipayAfter.payAnswerMs - alipayBefore.payAnswerMs) /
      Math.max(1, alipayAfter.pays - alipayBefore.pays),
    alipayLate: alipayAfter.late - alipayBefore.late,
  };
}

/** The `alipay.trade.pay` calls the sandbox answered (its own record of every call). */
async function sandboxPayCalls(): Promise<number> {
  const rows = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from sandbox.alipay_api_calls where method = 'alipay.trade.pay'`,
  );
  return (rows as unknown as { n: number }[])[0]!.n;
}

const problems: string[] = [];

/** Each of `count` agreements charged exactly once: the runs, the sandbox and the shop agree. */
async function checkExactlyOnce(label: string, count: number, m: Measured): Promise<void> {
  const charged = m.reports.reduce((sum, r) => sum + r.charged, 0);
  const rows = await db.execute<{ trades: number; attempts: number; renewals: number }>(sql`
    select
      (select count(*)::int from sandbox.alipay_trades
        where status = 'TRADE_SUCCESS' and out_trade_no in (
          select out_trade_no from charge_attempts where period_index = 2)) as trades,
      (select count(*)::int from charge_attempts
        where period_index = 2 and status = 'succeeded') as attempts,
      (select count(distinct agreement_id)::int from orders
        where kind = 'renewal' and status = 'paid') as renewals`);
  const facts = (rows as unknown as { trades: number; attempts: number; renewals: number }[])[0]!;
  const wrong = Object.entries({ charged, payCalls: m.payCalls, ...facts }).filter(
    ([, value]) => value !== count,
  );
  if (wrong.length > 0) {
    problems.push(
      `${label}: expected ${count} everywhere, got ${wrong.map(([k, v]) => `${k}=${v}`).join(", ")}`,
    );
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const log = (line: string) => console.error(`bench: ${line}`);

// 1. One at a time, on a sample (linear: scaled to N).
log(`one at a time over ${SEQUENTIAL_SAMPLE} agreements…`);
await build(SEQUENTIAL_SAMPLE);
// A plain loop: one agreement at a time, from its first read to its settlement.
// Its statements and round trips are counted: they are the shop's per agreement.
const sequential = await measure(countingDb, 1, 1, 1);
const profile = [...counted.byKind.entries()].sort((a, b) => b[1] - a[1]);
await checkExactlyOnce("one at a time", SEQUENTIAL_SAMPLE, sequential);
const sequentialScaledMs = (sequential.wallMs * N) / SEQUENTIAL_SAMPLE;

// 2. One run at the target concurrency over all of them.
log(`building ${N} due agreements…`);
const fixtureMs = await build(N);
log(`fixture built in ${seconds(fixtureMs)} s; one run at concurrency ${CONCURRENCY}…`);
peakRss = process.memoryUsage().rss;
const rssBefore = peakRss;
const loadBefore = loadavg()[0]!.toFixed(1);
if (CPU_PROFILE_DIR) await Promise.all([startProfile(), alipay.profile("start")]);
const one = await measure(db, 1, CONCURRENCY);
if (CPU_PROFILE_DIR) await Promise.all([stopProfile("shop"), alipay.profile("stop")]);
const onePeakRss = peakRss;
const loadAfter = loadavg()[0]!.toFixed(1);
await checkExactlyOnce("one run", N, one);

// 3. Two runs started together over a fresh set of the same size.
log(`two runs together over ${N}…`);
await build(N);
const two = await measure(db, 2, CONCURRENCY);
await checkExactlyOnce("two runs", N, two);

clearInterval(sampler);
await alipay.close();
await Promise.all([shopClient.end({ timeout: 5 }), countingClient.end({ timeout: 5 })]);
await closeDb();

// ---- the report ---------------------------------------------------------------------------

const idealMs = (N * LATENCY_MS) / CONCURRENCY;
const ratio = one.wallMs / idealMs;
/** The ideal at the sandbox's measured mean answer time instead of the bare latency. */
const idealAtAnswerMs = (N * one.alipayAnswerMs) / CONCURRENCY;
const twoRatio = two.wallMs / one.wallMs;
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const ms = (total: number) => (total / N).toFixed(2);
const cpuPerAgreement = (one.cpu.shop + one.cpu.alipay + one.cpu.postgres) / N;
/** Agreements per second the machine could do if CPU were the only limit. */
const ceiling = (CORES * 1000) / cpuPerAgreement;
const rows: [string, string, string, string][] = [
  [
    "agreements · latency · concurrency · batch",
    `${N} · ${LATENCY_MS} ms · ${CONCURRENCY} · ${BATCH}`,
    "",
    "",
  ],
  ["fixture (both sides, multi-row INSERTs)", `${seconds(fixtureMs)} s`, "", ""],
  ["ideal (agreements × latency ÷ concurrency)", `${seconds(idealMs)} s`, "", ""],
  ["one run, wall time", `${seconds(one.wallMs)} s`, "", ""],
  [
    "  ÷ ideal",
    ratio.toFixed(2),
    `≤ ${TARGET_IDEAL_RATIO}`,
    ratio <= TARGET_IDEAL_RATIO ? "ok" : "MISSED",
  ],
  [
    "  ÷ ideal at the sandbox's mean answer time",
    `${(one.wallMs / idealAtAnswerMs).toFixed(2)} (${one.alipayAnswerMs.toFixed(1)} ms, ${one.alipayLate} late)`,
    "",
    "",
  ],
  [
    `one at a time (${SEQUENTIAL_SAMPLE} measured, × ${N / SEQUENTIAL_SAMPLE})`,
    `${seconds(sequentialScaledMs)} s (${seconds(sequential.wallMs)} s measured)`,
    "",
    "",
  ],
  ["  speed-up of the run", `${(sequentialScaledMs / one.wallMs).toFixed(1)} ×`, "", ""],
  ["agreements per second", (N / (one.wallMs / 1000)).toFixed(0), "", ""],
  [
    `sandbox's own work per trade.pay (latency: ${LATENCY_MODEL === "answer" ? "answer time" : "added"})`,
    `${one.alipayProcessingMs.toFixed(1)} ms (one at a time: ${sequential.alipayProcessingMs.toFixed(1)} ms)`,
    "",
    "",
  ],
  [
    "one at a time, per agreement",
    `${(sequential.wallMs / SEQUENTIAL_SAMPLE).toFixed(1)} ms`,
    "",
    "",
  ],
  [
    "shop DB round trips · statements per agreement (one at a time)",
    `${(sequential.roundTrips / SEQUENTIAL_SAMPLE).toFixed(1)} · ${(sequential.statements / SEQUENTIAL_SAMPLE).toFixed(1)}`,
    "",
    "",
  ],
  ["peak RSS (before the run)", `${mb(onePeakRss)} (${mb(rssBefore)})`, "", ""],
  [
    "CPU per agreement: shop · Alipay · PostgreSQL",
    `${ms(one.cpu.shop)} · ${ms(one.cpu.alipay)} · ${ms(one.cpu.postgres)} ms`,
    "",
    "",
  ],
  [
    `  ceiling on ${CORES} cores (all of it on this machine)`,
    `${ceiling.toFixed(0)} agreements/s = ${seconds((N / ceiling) * 1000)} s`,
    "",
    "",
  ],
  ["  load average before · after", `${loadBefore} · ${loadAfter}`, "", ""],
  [
    "two runs together, wall time",
    `${seconds(two.wallMs)} s (${two.reports.map((r) => r.charged).join(" + ")})`,
    "",
    "",
  ],
  [
    "  ÷ one run",
    twoRatio.toFixed(2),
    `≤ ${TARGET_TWO_RUNS_RATIO}`,
    twoRatio <= TARGET_TWO_RUNS_RATIO ? "ok" : "MISSED",
  ],
  [
    "each charged exactly once (runs, sandbox, shop)",
    problems.length === 0 ? "yes" : "NO",
    "",
    problems.length === 0 ? "ok" : "FAILED",
  ],
];
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
console.log(line(["billing charge phase", "measured", "target", ""]));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of rows) console.log(line(row));
if (PROFILE) {
  console.log(`\nshop statements by kind, per agreement (one at a time):`);
  for (const [kind, n] of profile.slice(0, 30))
    console.log(`${(n / SEQUENTIAL_SAMPLE).toFixed(2).padStart(6)}  ${kind}`);
}
for (const problem of problems) console.error(`bench: ${problem}`);
saveBench(
  "billing",
  "Billing charge phase",
  rows.map(([figure, value, target, mark]) =>
    rowOf(figure, value, target, mark === "FAILED" ? "MISSED" : mark),
  ),
);

const missed =
  ratio > TARGET_IDEAL_RATIO || twoRatio > TARGET_TWO_RUNS_RATIO || problems.length > 0;
process.exit(missed ? 1 : 0);
