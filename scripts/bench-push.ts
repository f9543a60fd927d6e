import { Agent, request as httpRequest } from "node:http";
import autocannon from "autocannon";
import type { PushPayload } from "@/lib/sandbox/youzan/pushes";
import { pct, reportBench, type BenchRow } from "./bench-report";
import {
  ensureBuild,
  setBenchEnvironment,
  startChild,
  startShop,
  stopChildren,
  machineBusyMs,
  processCpuMs,
  waitFor,
} from "./bench-server";

/*
 * `npm run bench:push` (issue #14, benchmark 2): signed Youzan pushes for BENCH_ORDERS (2,000)
 * distinct paid QR orders, BENCH_CONCURRENCY (32) at a time, through the real route
 * `POST /api/webhooks/youzan` of the production build (server.mjs, sandbox mode, PostgreSQL).
 *
 * The orders are made as the shop makes them: one buyer each, `createPurchaseOrder` (the order
 * row, then a dynamic QR code from the sandbox's API on the running server), then paid in the
 * sandbox (`/sandbox/youzan/control/pay`), with the sandbox's `pushLost` fault on so that it
 * stores its pushes and sends none. The bench sends the stored `trade_TradePaid` pushes itself,
 * byte for byte what the sandbox's delivery sends (`serializePushBody`, `Event-Sign` over the
 * exact body): the shop re-reads each trade from the sandbox (`youzan.trade.get`), as it does
 * from Youzan, and settles. First BENCH_WARMUP_ORDERS (500) more orders' pushes are sent the same
 * way, unmeasured, and settled with their receipts sent: the measured pushes meet a shop whose
 * code for them is compiled, as in a shop that has been running. Then BENCH_ROUNDS (3) rounds of
 * fresh orders' pushes, each followed by the framework floor; the median round is reported. Youzan's stand-in answers from
 * a bare node:http server (BENCH_SANDBOX, below), the pushes go over node:http keep-alive.
 *
 * Measured: settled per second (first push sent → the last of the orders paid in the database),
 * the pushes' p50/p99 latency, the server's CPU per push (/proc/<pid>/stat over the pushes,
 * background work included), and in the same run the framework floor (`GET /api/health`, one
 * `select 1`, at the same concurrency). Checked: every order paid, one grant per order, no double
 * grant, every push in the inbox and processed.
 *
 * The database is dropped and rebuilt: BENCH_DATABASE_URL, local only, default bench_push.
 * BENCH_SKIP_BUILD=1 reuses a build; BENCH_CPU_PROFILE=<dir> writes the CPU profiles of the
 * server and of the sandbox's instance (the file names carry their pids; the bench prints them).
 */

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/bench_push";
const APP_PORT = Number(process.env.BENCH_PORT ?? 3330);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 2_000);
// Orders whose pushes go first, unmeasured: the shop's code for a push is compiled (V8's
// optimising compiler, lazily loaded chunks) before the measured ones, as in a shop that has
// been running. The framework floor gets its warm-up too.
const WARMUP_ORDERS = Number(process.env.BENCH_WARMUP_ORDERS ?? 500);
// Rounds of ORDERS pushes each (fresh orders), alternating with the framework floor: the median
// is reported (BENCH_ROUNDS, at least 1; 3 by default).
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const FLOOR_SECONDS = Number(process.env.BENCH_FLOOR_SECONDS ?? 8);
const TARGET_SETTLED_PER_S = 200;
const PRODUCT_SLUG = "side-hustle-handbook";
const base = `http://127.0.0.1:${APP_PORT}`;
// Youzan is another company's server in a real shop. BENCH_SANDBOX says where its stand-in
// answers the shop's `youzan.trade.get`: `bare` (default) the sandbox's handlers on a bare
// node:http server (scripts/bench-youzan-sandbox.ts), so the two cores go to the shop and not to
// a second framework; `next` a second instance of the build (as the reliability tier's load test
// runs it); `same` the shop's own process (/sandbox/youzan of the shop).
const sandboxKind = (process.env.BENCH_SANDBOX ?? "bare") as "bare" | "next" | "same";
if (!["bare", "next", "same"].includes(sandboxKind)) {
  throw new Error(`bench:push: BENCH_SANDBOX is bare, next or same, not ${sandboxKind}`);
}
const separateSandbox = sandboxKind !== "same";
const sandboxBase = separateSandbox ? `http://127.0.0.1:${APP_PORT + 1}` : base;
// The sandbox's control routes (faults, pay) are the build's: the bare server has none.
const controlBase = sandboxKind === "next" ? sandboxBase : base;

setBenchEnvironment(url, {
  APP_URL: base,
  ...(separateSandbox ? { YOUZAN_BASE_URL: `${sandboxBase}/sandbox/youzan` } : {}),
});

// ---- build, database, server -----------------------------------------------------------------

ensureBuild("bench:push");

const { rebuildBenchDatabase } = await import("./bench-database");
const { closeDb, getDb } = await import("@/db");
const { sql } = await import("drizzle-orm");
const { seedDatabase } = await import("@/db/seed");
const { users, youzanSandboxPushes } = await import("@/db/schema");
const { newId } = await import("@/lib/ids");
const { offsetClock } = await import("@/lib/clock");
const { getEnv } = await import("@/lib/env");
const { createYouzanGateway } = await import("@/lib/payments/youzan");
const { createPurchaseOrder } = await import("@/lib/orders/create-order");
const { serializePushBody } = await import("@/lib/sandbox/youzan/pushes");
const { eventSign } = await import("@/lib/sandbox/youzan/signing");

await rebuildBenchDatabase(url);
const db = await getDb();
await seedDatabase(db, { email: "admin@bench.example.com", password: "bench-admin-password" });

const sandboxEnv = { CRON_SECRET: "bench-cron-secret-0123456789", SANDBOX_NOTICES_TICKER: "false" };
let sandboxPid: number | undefined;
if (sandboxKind === "next") {
  // It plays Youzan only: the shop's receipts are the shop's process's work, not Youzan's.
  const { child } = await startShop({
    port: APP_PORT + 1,
    env: sandboxEnv,
    cpuProfileDir: process.env.BENCH_CPU_PROFILE,
  });
  sandboxPid = child.pid;
} else if (sandboxKind === "bare") {
  const child = startChild(
    "node",
    [
      ...(process.env.BENCH_CPU_PROFILE
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
        : []),
      "--import",
      "tsx",
      "--conditions=react-server",
      "scripts/bench-youzan-sandbox.ts",
    ],
    { ...sandboxEnv, PORT: String(APP_PORT + 1), NODE_ENV: "production" },
  );
  await waitFor(`${sandboxBase}/health`, child);
  sandboxPid = child.pid;
}
const { child: app } = await startShop({
  port: APP_PORT,
  env: { CRON_SECRET: "bench-cron-secret-0123456789" },
  cpuProfileDir: process.env.BENCH_CPU_PROFILE,
});
const pid = app.pid!;
if (process.env.BENCH_CPU_PROFILE) {
  console.log(`bench:push: shop pid ${pid}, sandbox pid ${sandboxPid ?? pid}`);
}

/** `work` over `items`, `concurrency` at a time; results in input order. */
async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!, i);
    }),
  );
  return results;
}

/** A control call of the sandbox (on the build that serves its control routes). */
async function post(path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${controlBase}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`bench:push: POST ${path} ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

// ---- 2,000 pending QR orders, paid at the sandbox --------------------------------------------

const setupStarted = performance.now();
// The sandbox keeps its pushes (status `lost`) instead of sending them: the bench sends them.
await post("/sandbox/youzan/control/faults", { pushLost: true });

const buyerIds = Array.from({ length: WARMUP_ORDERS + ROUNDS * ORDERS }, () => newId("usr"));
for (let i = 0; i < buyerIds.length; i += 500) {
  await db.insert(users).values(
    buyerIds.slice(i, i + 500).map((id) => ({
      id,
      email: `${id}@bench.example.com`,
      passwordHash: "scrypt$bench",
    })),
  );
}

const env = getEnv();
const clock = offsetClock(db);
const orderDeps = {
  db,
  youzan: createYouzanGateway(env.youzan),
  now: () => clock.now(),
  // Long enough that nothing expires during the bench.
  orderTtlMinutes: 60,
  statusCheckIntervalMs: 3_000,
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};
const orders = await pool(buyerIds, 16, (userId) =>
  createPurchaseOrder(orderDeps, { userId, productSlug: PRODUCT_SLUG }),
);

/** Pays `batch` at the sandbox; the `trade_TradePaid` pushes it stored, as the delivery sends them. */
async function paidPushes(batch: typeof orders, after: number) {
  await pool(batch, 16, (order) => post("/sandbox/youzan/control/pay", { qrId: order.qrId }));
  const stored = await db
    .select({ id: youzanSandboxPushes.id, payload: youzanSandboxPushes.payload })
    .from(youzanSandboxPushes)
    .where(
      sql`${youzanSandboxPushes.type} = 'trade_TradePaid' and ${youzanSandboxPushes.id} > ${after}`,
    );
  if (stored.length !== batch.length) {
    throw new Error(`bench:push: ${stored.length} paid pushes stored, ${batch.length} expected`);
  }
  const pushes = stored.map(({ payload }) => {
    const body = serializePushBody(payload as PushPayload, 0);
    return {
      body,
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Youzan-Push-Sandbox/1.0",
        "Event-Sign": eventSign(
          env.youzan.clientId,
          Buffer.from(body, "utf8"),
          env.youzan.clientSecret,
        ),
        "Event-Type": (payload as PushPayload).type,
        "Client-Id": env.youzan.clientId,
      },
    };
  });
  return { pushes, lastId: Math.max(after, ...stored.map(({ id }) => id)) };
}
const warmup = await paidPushes(orders.slice(0, WARMUP_ORDERS), 0);
const roundPushes: (typeof warmup.pushes)[] = [];
for (let round = 0, after = warmup.lastId; round < ROUNDS; round++) {
  const from = WARMUP_ORDERS + round * ORDERS;
  const paidRound = await paidPushes(orders.slice(from, from + ORDERS), after);
  roundPushes.push(paidRound.pushes);
  after = paidRound.lastId;
}
type Push = (typeof warmup.pushes)[number];
console.log(
  `bench:push: ${ORDERS} pending orders paid at the sandbox in ` +
    `${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
);

// ---- measuring -------------------------------------------------------------------------------

/** The shop's CPU time so far (ms); another process's with `of`. */
const cpuMs = (of = pid): number => processCpuMs(of);

/** Rows of a raw query (postgres.js returns an array of objects). */
async function query<Row>(text: ReturnType<typeof sql>): Promise<Row[]> {
  return (await db.execute(text)) as unknown as Row[];
}

async function countPaid(): Promise<number> {
  const rows = await query<{ n: number }>(
    sql`select count(*)::int as n from orders where provider = 'youzan' and status = 'paid'`,
  );
  return rows[0]?.n ?? 0;
}

async function floor(seconds: number) {
  const result = await autocannon({
    url: `${base}/api/health`,
    connections: CONCURRENCY,
    duration: seconds,
  });
  return { rps: result.requests.average, p99: result.latency.p99 };
}

console.log("bench:push: warming up (framework floor, 3 s)");
await floor(3);
await new Promise((resolve) => setTimeout(resolve, 1_000));

/**
 * One push, as Youzan's sender posts it: node:http over keep-alive connections (fetch cost the
 * bench ~0.5 ms of the machine's CPU a push more, taken from the shop on two cores).
 */
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function sendPush(push: Push) {
  return new Promise<{ status: number; text: string; encoded: boolean }>((resolve, reject) => {
    const body = Buffer.from(push.body, "utf8");
    const req = httpRequest(
      `${base}/api/webhooks/youzan`,
      {
        method: "POST",
        agent,
        headers: {
          ...push.headers,
          "Content-Length": String(body.length),
          "Accept-Encoding": "gzip",
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString("utf8"),
            encoded: Boolean(res.headers["content-encoding"]),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends `batch`, CONCURRENCY at a time: the latencies and the answers that were not Youzan's `success`. */
async function sendPushes(batch: readonly Push[]) {
  const latencies: number[] = [];
  let notAcknowledged = 0;
  let compressed = 0;
  await pool(batch, CONCURRENCY, async (push) => {
    const t0 = performance.now();
    const answer = await sendPush(push);
    latencies.push(performance.now() - t0);
    if (answer.status !== 200 || answer.text !== '{"code":0,"msg":"success"}') notAcknowledged++;
    if (answer.encoded) compressed++;
  });
  return { latencies, notAcknowledged, compressed };
}

/** Until the server's CPU rests (less than 50 ms in half a second): background work is done. */
async function serverQuiet(): Promise<void> {
  for (let last = cpuMs(); ;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuMs();
    if (now - last < 50) return;
    last = now;
  }
}

/** Until the receipts of what was settled are sent (none pending) and the server rests. */
async function untilQuiet(): Promise<void> {
  for (const deadline = performance.now() + 180_000; ;) {
    const [row] = await query<{ n: number }>(
      sql`select count(*)::int as n from notices where status = 'pending'`,
    );
    if ((row?.n ?? 0) === 0) break;
    if (performance.now() > deadline) throw new Error("bench:push: receipts stay pending");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await serverQuiet();
}

// The warm-up: its pushes, then until they are settled and their receipts sent.
if (WARMUP_ORDERS > 0) {
  const warm = await sendPushes(warmup.pushes);
  if (warm.notAcknowledged > 0) {
    throw new Error(`bench:push: ${warm.notAcknowledged} warm-up pushes refused`);
  }
  for (const deadline = performance.now() + 60_000; (await countPaid()) < WARMUP_ORDERS;) {
    if (performance.now() > deadline) throw new Error("bench:push: the warm-up did not settle");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await untilQuiet();
}

/** The monotonic clock in µs, as V8's CPU profile timestamps count (cpu-profile-summary --window). */
const monotonicUs = () => process.hrtime.bigint() / 1000n;
/** Transactions the database committed so far (each statement outside one counts as one). */
async function commits(): Promise<number> {
  const rows = await query<{ n: string }>(
    sql`select xact_commit::text as n from pg_stat_database where datname = current_database()`,
  );
  return Number(rows[0]?.n ?? 0);
}
// BENCH_IN_PROCESS=1 (a diagnosis): the pipeline called in this process, no HTTP, no Next: the
// bench's own CPU is then the push's work without the framework.
const inProcess =
  process.env.BENCH_IN_PROCESS === "1"
    ? await (async () => {
        const { getRuntime } = await import("@/lib/runtime");
        const { handleYouzanPush } = await import("@/lib/webhooks/youzan");
        const runtime = await getRuntime();
        return (body: string, headers: Record<string, string>) =>
          handleYouzanPush(runtime, body, new Headers(headers));
      })()
    : undefined;

/** One round: `batch`'s pushes sent, settled, and their receipts' work done. */
async function measureRound(batch: readonly Push[], paidBefore: number) {
  const windowFrom = monotonicUs();
  const commitsBefore = await commits();
  const cpuBefore = cpuMs();
  const sandboxCpuBefore = sandboxPid ? cpuMs(sandboxPid) : 0;
  const machineBefore = machineBusyMs();
  const benchCpuBefore = process.cpuUsage();
  const started = performance.now();
  /** Acknowledgements the server compressed (the bench asks for gzip): a zlib stream per push. */
  const { latencies, notAcknowledged, compressed } = inProcess
    ? await (async () => {
        const latencies: number[] = [];
        let notAcknowledged = 0;
        await pool(batch, CONCURRENCY, async (push) => {
          const t0 = performance.now();
          const reply = await inProcess(push.body, push.headers);
          latencies.push(performance.now() - t0);
          if (reply.status !== 200) notAcknowledged++;
        });
        return { latencies, notAcknowledged, compressed: 0 };
      })()
    : await sendPushes(batch);
  const allAnswered = performance.now();
  // An apply slower than the budget goes on after the reply: settled is when the last order is paid.
  const countRoundPaid = async () => (await countPaid()) - paidBefore;
  let paid = await countRoundPaid();
  while (paid < batch.length && performance.now() - allAnswered < 60_000) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    paid = await countRoundPaid();
  }
  const settledAt = performance.now();
  const settledUs = monotonicUs();
  // Where the machine's two cores went while the pushes settled (the shop's receipts come later).
  const settledCpu = {
    shop: cpuMs() - cpuBefore,
    sandbox: sandboxPid ? cpuMs(sandboxPid) - sandboxCpuBefore : 0,
    machine: machineBusyMs() - machineBefore,
    bench: (() => {
      const used = process.cpuUsage(benchCpuBefore);
      return (used.user + used.system) / 1000;
    })(),
  };
  // Background work (receipts) the pushes caused is theirs too: wait for the server to go quiet.
  await untilQuiet();
  const cpuPerPush = (cpuMs() - cpuBefore) / batch.length;
  // pg_stat_database is updated when a backend reports (at most every second or so): wait for it.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const commitsPerPush = ((await commits()) - commitsBefore) / batch.length;
  if (process.env.BENCH_CPU_PROFILE) {
    console.log(
      `bench:push: the pushes in the profile: --window=${windowFrom}-${monotonicUs()} ` +
        `(until settled: --window=${windowFrom}-${settledUs})`,
    );
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    paid,
    settledPerS: (paid / (settledAt - started)) * 1000,
    p50: at(0.5),
    p99: at(0.99),
    notAcknowledged,
    compressed,
    cpuPerPush,
    commitsPerPush,
    settledCpu,
  };
}

const rounds: (Awaited<ReturnType<typeof measureRound>> & {
  floor: Awaited<ReturnType<typeof floor>>;
})[] = [];
for (const [index, batch] of roundPushes.entries()) {
  const round = await measureRound(batch, WARMUP_ORDERS + index * ORDERS);
  // Alternating: the floor right after each round, so a slower minute slows both.
  rounds.push({ ...round, floor: await floor(FLOOR_SECONDS) });
  console.log(
    `bench:push: round ${index + 1}: ${round.settledPerS.toFixed(0)} settled/s, ` +
      `floor ${rounds.at(-1)!.floor.rps.toFixed(0)} req/s`,
  );
}
const median = <T>(items: readonly T[], of: (item: T) => number): T =>
  [...items].sort((a, b) => of(a) - of(b))[Math.floor(items.length / 2)]!;
// The median round by settled/s gives the latency and CPU figures; the floor is its own median.
const typical = median(rounds, (round) => round.settledPerS);
const settledPerS = typical.settledPerS;
const floorAfter = median(rounds, (round) => round.floor.rps).floor;
const roundsText = rounds.map((round) => round.settledPerS.toFixed(0)).join(", ");
const paid = rounds.reduce((sum, round) => sum + round.paid, 0);
const notAcknowledged = rounds.reduce((sum, round) => sum + round.notAcknowledged, 0);
const compressed = rounds.reduce((sum, round) => sum + round.compressed, 0);
const MEASURED = ORDERS * ROUNDS;

// ---- checks ----------------------------------------------------------------------------------

const [checks] = await query<{
  grants: number;
  doubled: number;
  payments: number;
  inbox: number;
  processed: number;
}>(sql`
  select
    (select count(*)::int from entitlements) as grants,
    (select count(*)::int from (select order_id from entitlements group by order_id
       having count(*) > 1) d) as doubled,
    (select count(*)::int from payments where provider = 'youzan' and status = 'paid') as payments,
    (select count(*)::int from webhook_inbox where provider = 'youzan'
       and event_type = 'trade_TradePaid') as inbox,
    (select count(*)::int from webhook_inbox where provider = 'youzan'
       and event_type = 'trade_TradePaid' and status = 'processed') as processed
`);
await closeDb();
const appExited = new Promise((resolve) => app.once("exit", resolve));
stopChildren();
await appExited;

// The warm-up's orders count in the tables: each figure below is the measured pushes' share.
const grants = (checks?.grants ?? -1) - WARMUP_ORDERS;
const doubled = checks?.doubled ?? -1;
const inbox = (checks?.inbox ?? -1) - WARMUP_ORDERS;
const processed = (checks?.processed ?? -1) - WARMUP_ORDERS;
const { settledCpu } = typical;

const rows: BenchRow[] = [
  {
    figure: `settled per second (median of ${ROUNDS} rounds: ${roundsText})`,
    value: settledPerS.toFixed(0),
    against: `framework floor ${floorAfter.rps.toFixed(0)} req/s`,
    ratio: pct(settledPerS / floorAfter.rps),
    target: `≥ ${TARGET_SETTLED_PER_S}`,
    ok: settledPerS >= TARGET_SETTLED_PER_S,
  },
  {
    figure: "push latency p50 / p99 (median round)",
    value: `${typical.p50.toFixed(0)} / ${typical.p99.toFixed(0)} ms`,
    against: `framework floor p99 ${floorAfter.p99} ms`,
    ratio: "",
    target: "(shown)",
    ok: null,
  },
  {
    figure: "server CPU per push, its receipts included (median round)",
    value: `${typical.cpuPerPush.toFixed(2)} ms`,
    against: "",
    ratio: "",
    target: "(shown)",
    ok: null,
  },
  {
    figure: "machine CPU per settled push: shop / Youzan sandbox / bench / rest (PostgreSQL…)",
    value: [
      settledCpu.shop,
      settledCpu.sandbox,
      settledCpu.bench,
      settledCpu.machine - settledCpu.shop - settledCpu.sandbox - settledCpu.bench,
    ]
      .map((ms) => (ms / ORDERS).toFixed(1))
      .join(" / "),
    against: `all: ${(settledCpu.machine / ORDERS).toFixed(1)} ms`,
    ratio: "",
    target: "(shown)",
    ok: null,
  },
  {
    figure: "orders paid / grants (all rounds)",
    value: `${paid} / ${grants}`,
    against: "",
    ratio: "",
    target: `${MEASURED} / ${MEASURED}`,
    ok: paid === MEASURED && grants === MEASURED,
  },
  {
    figure: "double grants",
    value: String(doubled),
    against: "",
    ratio: "",
    target: "0",
    ok: doubled === 0,
  },
  {
    figure: "database transactions per push (median round)",
    value: typical.commitsPerPush.toFixed(1),
    against: "",
    ratio: "",
    target: "(shown)",
    ok: null,
  },
  {
    figure: "acknowledgements compressed",
    value: String(compressed),
    against: "",
    ratio: "",
    target: "0",
    ok: compressed === 0,
  },
  {
    figure: "pushes in the inbox / processed / not acknowledged",
    value: `${inbox} / ${processed} / ${notAcknowledged}`,
    against: "",
    ratio: "",
    target: `${MEASURED} / ${MEASURED} / 0`,
    ok:
      inbox === MEASURED &&
      processed === MEASURED &&
      checks?.payments === MEASURED + WARMUP_ORDERS &&
      notAcknowledged === 0,
  },
];

reportBench(
  "push",
  `Youzan pushes: ${ORDERS} paid QR orders a round, ${CONCURRENCY} at a time, through POST /api/webhooks/youzan`,
  rows,
);
