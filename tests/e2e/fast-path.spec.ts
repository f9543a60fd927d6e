import { expect, test } from "./fixtures";
import {
  freshPostgresDatabase,
  postgresReachable,
  send,
  startShopServer,
  type Answer,
  type ShopServer,
} from "./server-process";

/*
 * The production server answers the status poll and Youzan's pushes itself once Next has loaded
 * their routes (lib/http/fast-routes.ts, server-fast-path.mjs). Two servers on one PostgreSQL database, one
 * with the fast path (the default) and one without (SERVER_FAST_PATH=off: Next answers every
 * request), are asked the same requests: every answer must be the same, status, headers and
 * body, but for what differs between any two answers (the date, the nonce, the shop's now).
 */

const DB = "xiaopu_e2e_fast_path";
const AUTH_SECRET = "fast-path-spec-secret-0123456789abcdef";
test.describe.configure({ mode: "serial" });

/** The session cookie of a new buyer, signed up and in through the JSON and next-auth routes. */
async function newBuyer(baseUrl: string, tag: string): Promise<string> {
  const email = `${tag}-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const password = "fast-path-password-1";
  const signedUp = await send(baseUrl, "/api/account/signup", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(signedUp.status, signedUp.body).toBe(201);
  const csrf = await send(baseUrl, "/api/auth/csrf");
  const jar = new Map<string, string>();
  const keep = (answer: Answer) => {
    for (const cookie of [answer.headers["set-cookie"] ?? []].flat()) {
      const [pair] = cookie.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  keep(csrf);
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const callback = await send(baseUrl, "/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader() },
    body: new URLSearchParams({ email, password, csrfToken }).toString(),
  });
  expect(callback.status).toBe(302);
  keep(callback);
  const session = jar.get("authjs.session-token");
  expect(session, "a session cookie").toBeTruthy();
  return `authjs.session-token=${session}`;
}

/**
 * Headers that may differ. Per answer: the date and the connection's. Per way: the framing (the
 * fast path sends the body it has whole, with its length; Next streams it, chunked) and Next's
 * `Vary` on its router's request headers (which pick a page's RSC payload), for answers that
 * are never cached (they say `no-store`, or answer a POST).
 */
const NOT_COMPARED = new Set([
  "date",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
  "vary",
]);

/** What two answers to the same request may differ in, made equal. */
function comparable(answer: Answer) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (NOT_COMPARED.has(name)) continue;
    headers[name] = [value ?? ""]
      .flat()
      .join("\n")
      .replace(/'nonce-[^']+'/g, "'nonce-…'");
  }
  const body = answer.body.replace(/"serverNow":"[^"]+"/g, '"serverNow":"…"');
  return { status: answer.status, headers, body };
}

test.describe("the status poll answered by server.mjs itself", () => {
  let fast: ShopServer;
  let viaNext: ShopServer;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    // CI runs with PostgreSQL; a laptop without one skips this spec.
    test.skip(!(await postgresReachable()) && !process.env.CI, "no local PostgreSQL");
    const target = await freshPostgresDatabase(DB, { seed: true });
    const shared = { DATABASE_URL: target.toString(), AUTH_SECRET };
    [fast, viaNext] = await Promise.all([
      startShopServer(shared),
      startShopServer({ ...shared, SERVER_FAST_PATH: "off" }),
    ]);
  });
  test.afterAll(async () => {
    await Promise.all([fast?.stop(), viaNext?.stop()]);
  });

  test("every answer is the one Next gives, and the fast path did answer", async () => {
    test.setTimeout(90_000);
    const buyer = await newBuyer(fast.baseUrl, "fast-a");
    const other = await newBuyer(fast.baseUrl, "fast-b");
    const created = await send(fast.baseUrl, "/api/orders", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: buyer },
      body: JSON.stringify({ productSlug: "side-hustle-handbook" }),
    });
    expect(created.status, created.body).toBe(201);
    const { orderNo } = JSON.parse(created.body) as { orderNo: string };
    const poll = `/api/orders/${orderNo}/status`;

    // The first poll loads the route in Next (which answers it); the route registers its handler.
    expect((await send(fast.baseUrl, poll, { headers: { cookie: buyer } })).status).toBe(200);
    expect(fast.output()).not.toContain("fast path:");

    // The same for Youzan's pushes: the first loads the route.
    const push = "/api/webhooks/youzan";
    const json = { "content-type": "application/json" };
    expect((await send(fast.baseUrl, push, { method: "POST", headers: json })).status).toBeLessThan(
      500,
    );

    const cases: {
      name: string;
      path: string;
      method?: string;
      cookie?: string;
      headers?: Record<string, string>;
      body?: string;
    }[] = [
      { name: "own pending order", path: poll, cookie: buyer },
      { name: "with a query string", path: `${poll}?t=1`, cookie: buyer },
      { name: "signed out", path: poll },
      { name: "a forged session cookie", path: poll, cookie: "authjs.session-token=forged" },
      { name: "another buyer's order", path: poll, cookie: other },
      {
        name: "no such order",
        path: "/api/orders/XP2099010100000000ABCDEFGHJK/status",
        cookie: buyer,
      },
      { name: "not an order number", path: "/api/orders/abc/status", cookie: buyer },
      { name: "lower case", path: `/api/orders/${orderNo.toLowerCase()}/status`, cookie: buyer },
      // Not the fast path's (Next's on both servers), compared all the same.
      { name: "trailing slash", path: `${poll}/`, cookie: buyer },
      {
        name: "percent-encoded",
        path: `/api/orders/${orderNo.slice(0, -1)}%4B/status`,
        cookie: buyer,
      },
      { name: "HEAD", path: poll, method: "HEAD", cookie: buyer },
      { name: "POST", path: poll, method: "POST", cookie: buyer },
      { name: "over 64 characters", path: `/api/orders/${"X".repeat(65)}/status`, cookie: buyer },
      // Pushes Youzan's stand-in would refuse: unsigned, forged, not JSON, too large, not a POST.
      { name: "push: empty", path: push, method: "POST", headers: json },
      { name: "push: not JSON", path: push, method: "POST", headers: json, body: "{oops" },
      {
        name: "push: forged signature",
        path: push,
        method: "POST",
        headers: { ...json, "client-id": "sandbox-client", "event-sign": "0".repeat(32) },
        body: JSON.stringify({ id: "1", type: "trade_TradePaid", msg: "e30=", kdt_id: 1 }),
      },
      {
        name: "push: over 256 KB",
        path: push,
        method: "POST",
        headers: json,
        body: `"${"x".repeat(300 * 1024)}"`,
      },
      { name: "push: GET", path: push },
      { name: "push: trailing slash", path: `${push}/`, method: "POST", headers: json, body: "{}" },
    ];
    for (const { name, path: pathname, method, cookie, headers: extra, body } of cases) {
      const headers: Record<string, string> = { ...extra, ...(cookie ? { cookie } : {}) };
      const options = { method, headers, body };
      const [a, b] = await Promise.all([
        send(fast.baseUrl, pathname, options),
        send(viaNext.baseUrl, pathname, options),
      ]);
      expect(a.status, name).toBeLessThan(500);
      expect(comparable(a), name).toEqual(comparable(b));
      // Never cached (no-store, or the answer to a POST), so the Vary left out above cannot matter.
      if (a.headers.vary !== b.headers.vary && method !== "POST") {
        expect(a.headers["cache-control"], name).toContain("no-store");
      }
    }
    // The cases above reached the fast path on one server and never on the other.
    expect(fast.output()).toContain(
      "fast path: GET /api/orders/{orderNo}/status answered by server.mjs",
    );
    expect(fast.output()).toContain("fast path: POST /api/webhooks/youzan answered by server.mjs");
    expect(viaNext.output()).not.toContain("fast path:");
  });
});
