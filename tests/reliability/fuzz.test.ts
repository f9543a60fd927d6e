import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { CRON_SECRET, startReliabilityShop, type ReliabilityShop } from "./shop-server";

/*
 * Issue #14, reliability 2: every public route of the production build receives generated
 * malformed bodies, headers, query strings, path segments and oversize payloads (fast-check),
 * anonymously and signed in as a buyer and as the owner. For every case: no 5xx, and every
 * error is JSON with a code; after each route's cases, nothing a buyer or the owner could see
 * has changed (a fingerprint of the shop's tables). Routes are found on disk, so a new one is
 * fuzzed without editing this file.
 *
 * FUZZ_RUNS (default 500) cases per route and method; FUZZ_SEED to replay a run.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const SEED = Number(process.env.FUZZ_SEED ?? 1414);
const CONCURRENCY = 8;
const PORT = Number(process.env.FUZZ_PORT ?? 3340);

// ---- the routes -------------------------------------------------------------------------------

interface FuzzRoute {
  /** `/api/admin/orders/[orderNo]/accept` */
  template: string;
  method: string;
}

function apiRoutes(): FuzzRoute[] {
  const root = path.resolve(import.meta.dirname, "../../app/api");
  const found: FuzzRoute[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full, [...segments, name]);
      else if (name === "route.ts") {
        const source = readFileSync(full, "utf8");
        const methods = source.matchAll(
          /export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g,
        );
        const template = `/api/${segments.join("/")}`;
        for (const method of new Set([...methods].map((m) => m[1]!))) {
          found.push({ template, method });
        }
        // `export { handler as GET, handler as POST }` (next-auth's catch-all)
        for (const m of source.matchAll(/\bas\s+(GET|POST|PUT|PATCH|DELETE)\b/g)) {
          if (!found.some((r) => r.template === template && r.method === m[1])) {
            found.push({ template, method: m[1]! });
          }
        }
      }
    }
  };
  walk(root, []);
  return found;
}

type Auth = "anonymous" | "buyer" | "admin" | "cron" | "forged";

/** Who may call it: the identities worth sending, beyond nobody and a forged cookie. */
function identitiesOf(route: FuzzRoute): Auth[] {
  const t = route.template;
  if (t.startsWith("/api/admin/")) return ["anonymous", "forged", "buyer", "admin", "admin"];
  if (t.startsWith("/api/cron/")) {
    // With the right secret, a cron route without a parameter runs its job: that is not bad
    // input. Its phase, when it has one, is fuzzed with the right secret.
    return t.includes("[") ? ["anonymous", "forged", "cron", "cron"] : ["anonymous", "forged"];
  }
  if (t.startsWith("/api/webhooks/") || t.startsWith("/api/auth/") || t === "/api/health") {
    return ["anonymous"];
  }
  if (t === "/api/notices/unsubscribe") return ["anonymous", "buyer"];
  return ["anonymous", "forged", "buyer", "buyer"];
}

// ---- generated requests -----------------------------------------------------------------------

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 80,
});
const anyText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  printable,
);
const plausible = fc.oneof(
  fc.constantFrom(
    "0",
    "-1",
    "1e309",
    "NaN",
    "null",
    "undefined",
    "true",
    "[]",
    "{}",
    "../../etc/passwd",
    "%00",
    "%",
    "..",
    "ord_00000000000000000000000000",
    "usr_1",
    "' or 1=1 --",
    "<script>alert(1)</script>",
    "9".repeat(40),
    "x".repeat(5000),
    "小铺",
    "\u0000",
    "\ud800",
    "remind",
    "paid",
    "pending",
    "side-hustle-handbook",
  ),
  anyText,
  fc.integer().map(String),
  fc.uuid(),
);

const segment = fc.oneof(plausible, fc.string({ minLength: 1, maxLength: 12 }));

/** `.` and `..` are not parameters: every client folds them into the path before sending. */
const notDots = (value: string) => (/^\.{1,2}$/.test(value) ? `${value}x` : value);

/** A lone surrogate cannot be percent-encoded (a browser sends U+FFFD for it). */
const encode = (value: string) => encodeURIComponent(value.replace(/\p{Cs}/gu, "\ufffd"));

function pathOf(template: string, values: string[]): string {
  let i = 0;
  return template
    .split("/")
    .map((part) => {
      if (part.startsWith("[...")) {
        const value = values[i++] ?? "a";
        return value
          .split("/")
          .map((piece) => encode(notDots(piece) || "a"))
          .join("/");
      }
      if (part.startsWith("[")) return encode(notDots(values[i++] ?? "") || "x");
      return part;
    })
    .join("/");
}

const QUERY_KEYS = [
  "cursor",
  "status",
  "q",
  "limit",
  "from",
  "to",
  "page",
  "kind",
  "provider",
  "sort",
  "token",
  "id",
  "orderNo",
  "callbackUrl",
  "format",
  "dryRun",
];
const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), printable), plausible), {
    maxLength: 6,
  })
  .map((pairs) => {
    if (pairs.length === 0) return "";
    const params = new URLSearchParams();
    for (const [k, v] of pairs) params.append(k, v);
    return `?${params.toString()}`;
  });

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=gbk",
  "multipart/form-data; boundary=xyz",
  "multipart/form-data",
  "application/xml",
  "image/png",
  "application/octet-stream",
  ";;;",
  "application/json; charset=nope",
];

/** Field names the shop's bodies use: random values under real names reach deeper. */
const FIELDS = [
  "productSlug",
  "productId",
  "planId",
  "orderNo",
  "qrId",
  "email",
  "password",
  "name",
  "amount",
  "amountFen",
  "reason",
  "status",
  "action",
  "msg",
  "type",
  "client_id",
  "kdt_id",
  "id",
  "sign",
  "sign_type",
  "notify_id",
  "out_trade_no",
  "trade_no",
  "total_amount",
  "agreement_no",
  "external_agreement_no",
  "trade_status",
  "app_id",
  "notify_type",
  "order",
  "enabled",
  "ids",
  "token",
  "locale",
  "csrfToken",
  "callbackUrl",
];
const fieldValue = fc.oneof(
  plausible,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(plausible, { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const shopObject = fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 6 });

interface Body {
  kind: string;
  data: string | Uint8Array | undefined;
}
const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "none", data: undefined }) },
  {
    weight: 4,
    arbitrary: shopObject.map((o) => ({ kind: "json-fields", data: JSON.stringify(o) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .jsonValue({ maxDepth: 4 })
      .map((v) => ({ kind: "json", data: JSON.stringify(v) })),
  },
  {
    weight: 2,
    arbitrary: shopObject.map((o) => ({
      kind: "form",
      data: new URLSearchParams(
        Object.entries(o).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
      ).toString(),
    })),
  },
  { weight: 2, arbitrary: anyText.map((s) => ({ kind: "text", data: s })) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => ({ kind: "bytes", data: b })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 40 }).map((depth) => ({
      kind: "deep",
      data: "[".repeat(depth * 250) + "]".repeat(depth * 250),
    })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 1200 }).map((kib) => ({
      kind: "oversize",
      data: JSON.stringify({ productSlug: "x".repeat(kib * 1024) }),
    })),
  },
);

const HEADER_NAMES = [
  "event-sign",
  "event-type",
  "client-id",
  "x-youzan-sign",
  "authorization",
  "accept",
  "accept-language",
  "origin",
  "referer",
  "x-forwarded-for",
  "range",
  "if-none-match",
  "x-request-id",
  "content-encoding",
];
const headers = fc.dictionary(fc.constantFrom(...HEADER_NAMES), printable, { maxKeys: 4 });

interface Case {
  identity: Auth;
  segments: string[];
  query: string;
  contentType: string | undefined;
  headers: Record<string, string>;
  body: Body;
}

function caseArbitrary(route: FuzzRoute): fc.Arbitrary<Case> {
  return fc.record({
    identity: fc.constantFrom(...identitiesOf(route)),
    segments: fc.array(segment, { minLength: 3, maxLength: 3 }),
    query,
    contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }),
    headers,
    body,
  });
}

// ---- what must hold ---------------------------------------------------------------------------

/**
 * What the owner or a buyer could see: every shop table but counters that exist to count
 * attempts (rate limits, sign-in attempts) and the provider's cached token. The sandboxes' own
 * schema is Youzan's and Alipay's side, not the shop's.
 */
const NOT_STATE = new Set(["rate_limit_counters", "signin_attempts", "provider_tokens"]);
/** Rows written whatever the request: by the clock, or by a valid request the fuzz also sends. */
const BESIDE_THE_POINT: Record<string, ReturnType<typeof sql>> = {
  // Refused deliveries are kept (in part) by design: the owner sees what was refused.
  webhook_inbox: sql`where t.status <> 'rejected'`,
  // The owner's daily digest is written by the first sweep after 09:00, whatever the request.
  notices: sql`where t.kind <> 'owner_digest'`,
  // An export with no range (or one fuzzed keys leave alone) is a valid download, and audited.
  audit_log: sql`where t.action not like 'export.%'`,
};

async function fingerprint(db: Db): Promise<Record<string, string>> {
  // On PostgreSQL (postgres.js) db.execute's result is the rows themselves.
  const tables = (await db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  )) as unknown as { table_name: string }[];
  const result: Record<string, string> = {};
  for (const { table_name: name } of tables) {
    if (NOT_STATE.has(name)) continue;
    const where = BESIDE_THE_POINT[name] ?? sql``;
    const [row] = (await db.execute(
      sql`select count(*)::text as n, md5(string_agg(md5(t::text), '' order by md5(t::text))) as h from ${sql.identifier(name)} t ${where}`,
    )) as unknown as { n: string; h: string | null }[];
    result[name] = `${row!.n}:${row!.h ?? ""}`;
  }
  return result;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

function describeCase(route: FuzzRoute, c: Case, url: string): string {
  const data =
    c.body.data === undefined
      ? "(none)"
      : typeof c.body.data === "string"
        ? JSON.stringify(c.body.data.slice(0, 200))
        : `${c.body.data.length} bytes`;
  return `${route.method} ${url} as ${c.identity}, content-type ${c.contentType ?? "(none)"}, headers ${JSON.stringify(c.headers)}, ${c.body.kind} body ${data}`;
}

/** Empty when the answer is right; otherwise what is wrong with it. */
function problemsOf(answer: Answer, method: string): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`answered ${answer.status}`);
  if (answer.status >= 400) {
    if (!answer.contentType.includes("application/json")) {
      problems.push(`error of type ${answer.contentType || "(none)"}, not JSON`);
    } else {
      try {
        const parsed = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown } };
        if (typeof parsed.error?.code !== "string" || parsed.error.code.length === 0) {
          problems.push("error without a code");
        }
        if (typeof parsed.error?.message !== "string") problems.push("error without a message");
      } catch {
        problems.push("error body is not JSON");
      }
    }
  } else if (answer.status < 300 && method !== "GET") {
    // A write that took malformed input would change something: the fingerprint finds it, and
    // its answer is named here to say which case it was.
    problems.push(`accepted (${answer.status})`);
  }
  return problems;
}

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

// ---- the run ----------------------------------------------------------------------------------

const routes = apiRoutes();
let shop: ReliabilityShop;
const cookies: Partial<Record<Auth, string>> = {};
let casesRun = 0;

/**
 * Routes that accept a write without a session by design, and what they answer: answers in the
 * 2xx range there are not a defect as long as nothing changed.
 */
const ACCEPTS_ANYTHING = new Set<string>([]);

describe("fuzzed input on every public route", () => {
  beforeAll(async () => {
    shop = await startReliabilityShop({ database: "test_reliability_http", port: PORT });
    cookies.buyer = await shop.signIn(shop.buyers[0]!);
    cookies.admin = await shop.signIn("owner@reliability.example.com", "reliability-owner-pw");
    cookies.forged = `authjs.session-token=${"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0"}..forged.forged.forged`;
  });

  afterAll(async () => {
    await shop?.stop();
    mkdirSync(".reports/reliability", { recursive: true });
    writeFileSync(
      ".reports/reliability/fuzz.json",
      JSON.stringify({ fuzzCases: casesRun, fuzzRoutes: routes.length }),
    );
    console.log(`fuzz: ${casesRun} cases over ${routes.length} routes and methods`);
  });

  it("finds the shop's routes on disk", () => {
    const templates = new Set(routes.map((r) => r.template));
    for (const expected of [
      "/api/orders",
      "/api/orders/[orderNo]/status",
      "/api/subscriptions",
      "/api/webhooks/youzan",
      "/api/webhooks/alipay/trade",
      "/api/cron/billing/[phase]",
      "/api/auth/[...nextauth]",
      "/api/downloads/[fileId]",
      "/api/admin/orders",
    ]) {
      expect(templates).toContain(expected);
    }
  });

  for (const route of routes) {
    it(`${route.method} ${route.template}: ${RUNS} generated cases, no 5xx, JSON errors, nothing changed`, async () => {
      const before = await fingerprint(shop.db);
      const seed = [...`${route.method} ${route.template}`].reduce(
        (hash, char) => (hash * 31 + char.charCodeAt(0)) | 0,
        SEED,
      );
      const cases = fc.sample(caseArbitrary(route), { numRuns: RUNS, seed });
      const failures: string[] = [];
      await pool(cases, CONCURRENCY, async (c) => {
        const url = `${shop.base}${pathOf(route.template, c.segments)}${c.query}`;
        const sent: Record<string, string> = { ...c.headers };
        if (c.contentType) sent["content-type"] = c.contentType;
        const cookie = c.identity === "cron" ? undefined : cookies[c.identity];
        if (cookie) sent.cookie = cookie;
        if (c.identity === "cron") sent.authorization = `Bearer ${CRON_SECRET}`;
        if (!("x-forwarded-for" in sent)) sent["x-forwarded-for"] = `10.14.${casesRun % 250}.1`;
        const withBody = route.method !== "GET" && c.body.data !== undefined;
        let answer: Answer;
        try {
          const response = await fetch(url, {
            method: route.method,
            headers: sent,
            body: withBody
              ? typeof c.body.data === "string"
                ? c.body.data
                : new Blob([c.body.data as Uint8Array<ArrayBuffer>])
              : undefined,
            redirect: "manual",
            signal: AbortSignal.timeout(30_000),
          });
          answer = {
            status: response.status,
            contentType: response.headers.get("content-type") ?? "",
            text: await response.text(),
          };
        } catch (error) {
          // A header value fetch itself refuses never reached the shop.
          if (error instanceof TypeError && /header/i.test(String(error.message))) return;
          failures.push(`${describeCase(route, c, url)}: ${String(error)}`);
          return;
        } finally {
          casesRun += 1;
        }
        const problems = problemsOf(answer, route.method).filter(
          (p) => !(p.startsWith("accepted") && ACCEPTS_ANYTHING.has(route.template)),
        );
        if (problems.length > 0) {
          failures.push(
            `${describeCase(route, c, url)}: ${problems.join("; ")} — ${answer.text.slice(0, 200)}`,
          );
        }
      });
      const after = await fingerprint(shop.db);
      expect(failures.slice(0, 5), `${failures.length} failing cases`).toEqual([]);
      expect(after).toEqual(before);
    });
  }
});
