import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { databaseGate, PROBE_DEADLINE_MS, registerDatabaseProbe } from "@/db/availability";
import { CONNECT_TIMEOUT_SECONDS, openDatabase, type DbHandle } from "@/db/client";
import { isDatabaseUnavailable } from "@/db/errors";
import { pingDatabase } from "@/db/queries/health";
import { getEnv } from "@/lib/env";
import { errorResponse } from "@/lib/http/json";
import { UNPROXIED_ROUTES } from "@/lib/http/unproxied-route";
import { onRequestError } from "@/instrumentation";
import { proxy } from "@/proxy";
import { appPaths } from "../helpers/app-paths";
import { startTcpRelay, type TcpRelay } from "../helpers/tcp-proxy";

/*
 * Issue #7, acceptance 7: with PostgreSQL stopped every route answers 503 (with Retry-After)
 * within 3 s, and the shop heals by itself when it is back. The database sits behind a TCP
 * relay (tests/helpers/tcp-proxy.ts) that can refuse connections (a stopped server) or swallow
 * them (a partition) without touching the PostgreSQL other tests share. Every page and route
 * under app/ is asked, found on disk so that a new one is covered without editing this file.
 */

// The routes that do the gate themselves are imported (next-auth's ESM build does not load
// here); the gate answers before either is asked, so neither may be called.
const notDuringOutage = () => {
  throw new Error("asked for the session while the database is down");
};
vi.mock("@/lib/auth/session-token", () => ({ assertSessionOfRequest: notDuringOutage }));
vi.mock("@/lib/auth/guards", () => ({ assertAdmin: notDuringOutage, assertUser: notDuringOutage }));

const env = getEnv();
const databaseUrl = env.database.kind === "postgres" ? env.database.url : "";
const BUDGET_MS = 3_000;

function request(pathname: string, page: boolean, method = "GET"): NextRequest {
  return new NextRequest(new URL(pathname, "http://shop.test"), {
    method,
    headers: page
      ? { accept: "text/html,application/xhtml+xml", cookie: "NEXT_LOCALE=en" }
      : { accept: "application/json" },
  });
}

/** After an outage the gate trusts the failure briefly; the shop answers again within a second. */
async function untilPassing(pathname: string, page: boolean): Promise<Response> {
  let response = await proxy(request(pathname, page));
  for (let attempt = 0; attempt < 30 && response.status !== 200; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    response = await proxy(request(pathname, page));
  }
  return response;
}

type RouteModule = Record<string, (request: Request, context: unknown) => Promise<Response>>;

/**
 * What answers a request first: proxy.ts, or for the routes it does not run for
 * (UNPROXIED_ROUTES) the route itself, whose wrapper does the gate.
 */
async function firstAnswer(
  { path: pathname, page, file }: { path: string; page: boolean; file: string },
  method = "GET",
): Promise<Response> {
  if (!(file in UNPROXIED_ROUTES)) return proxy(request(pathname, page, method));
  const source = path.resolve(import.meta.dirname, "../..", file);
  const routeModule = (await import(/* @vite-ignore */ source)) as RouteModule;
  const handler = routeModule[method]!;
  const body = method === "GET" || method === "HEAD" ? undefined : "{}";
  return handler(new Request(new URL(pathname, "http://shop.test"), { method, body }), {
    params: Promise.resolve({ id: "x", orderNo: "x" }),
  });
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe.runIf(env.database.kind === "postgres")("with PostgreSQL stopped or unreachable", () => {
  let relay: TcpRelay;
  let handle: DbHandle;

  beforeAll(async () => {
    const target = new URL(databaseUrl);
    relay = await startTcpRelay({ host: target.hostname, port: Number(target.port || 5432) });
    handle = await openDatabase({ kind: "postgres", url: relay.url(databaseUrl), poolMax: 2 });
    registerDatabaseProbe(() => pingDatabase(handle.db));
  });
  afterAll(async () => {
    await relay?.setMode("forward");
    await handle?.close();
    await relay?.close();
  });

  const paths = appPaths();

  it("finds the app's pages and routes", () => {
    expect(paths.filter((p) => p.page).length).toBeGreaterThanOrEqual(10);
    for (const route of paths) expect(route.methods.length, route.path).toBeGreaterThan(0);
    expect(paths.map((p) => p.path)).toEqual(
      expect.arrayContaining(["/", "/api/health", "/api/webhooks/youzan", "/checkout/x"]),
    );
  });

  it("while it answers, every request passes the gate", async () => {
    for (const { path: pathname, page, file } of paths) {
      if (file in UNPROXIED_ROUTES) continue; // the proxy does not run for it
      const response = await proxy(request(pathname, page));
      expect(response.status, pathname).toBe(200);
      expect(response.headers.get("x-middleware-next"), pathname).toBe("1");
    }
  });

  it("stopped: queries fail as an outage, and then every page and route answers 503 within 3 s", async () => {
    await relay.setMode("refuse");
    // The first request to meet the outage (a page: Next reports its error to instrumentation).
    const failed = await timed(() =>
      pingDatabase(handle.db).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(isDatabaseUnavailable(failed.value)).toBe(true);
    expect(failed.ms).toBeLessThan(BUDGET_MS);
    // A route answers the same error as 503 itself.
    expect(errorResponse(failed.value).status).toBe(503);
    onRequestError(failed.value);

    for (const { path: pathname, page, methods, file } of paths) {
      if (pathname === "/api/health") continue; // answers for itself (a route, not the gate)
      for (const method of methods) {
        const { value: response, ms } = await timed(() =>
          firstAnswer({ path: pathname, page, file }, method),
        );
        expect(response.status, `${method} ${pathname}`).toBe(503);
        expect(ms, `${method} ${pathname}`).toBeLessThan(BUDGET_MS);
        expect(response.headers.get("retry-after")).toBe("5");
        expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
        if (page) {
          expect(response.headers.get("content-type")).toContain("text/html");
          const html = await response.text();
          expect(html).toContain('<html lang="en">');
          expect(html).toContain('<meta http-equiv="refresh" content="5">');
        } else {
          expect(await response.json()).toMatchObject({ error: { code: "service_unavailable" } });
        }
      }
    }
    // A page in the default language.
    const zh = await proxy(
      new NextRequest("http://shop.test/", { headers: { accept: "text/html" } }),
    );
    expect(await zh.text()).toContain('<html lang="zh-CN">');
  });

  it("heals by itself when the database is back, however many connections failed meanwhile", async () => {
    // postgres.js waits longer after each failed connection (up to 20 s by default).
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await expect(pingDatabase(handle.db)).rejects.toThrow();
    }
    await relay.setMode("forward");
    const back = await timed(() => pingDatabase(handle.db));
    expect(back.ms).toBeLessThan(1_500);
    expect((await untilPassing("/", true)).status).toBe(200);
    const order = await proxy(request("/api/orders", false, "POST"));
    expect(order.headers.get("x-middleware-next")).toBe("1");
  });

  it("unreachable (a black hole): the gate answers within its deadline, and new connections time out", async () => {
    expect(await databaseGate().available()).toBe(true);
    await relay.setMode("blackhole");
    databaseGate().reportUnavailable();
    // An open connection that no longer answers: only the probe's deadline ends the wait.
    const first = await timed(() => proxy(request("/products/x", true)));
    expect(first.value.status).toBe(503);
    expect(first.ms).toBeGreaterThanOrEqual(PROBE_DEADLINE_MS - 50);
    expect(first.ms).toBeLessThan(BUDGET_MS);
    // Later requests do not wait on the hung probe again.
    const second = await timed(() => proxy(request("/api/orders", false, "POST")));
    expect(second.value.status).toBe(503);
    expect(second.ms).toBeLessThan(100);

    // A connection that never gets its handshake fails with the connect timeout, not TCP's minutes.
    const fresh = await openDatabase({
      kind: "postgres",
      url: relay.url(databaseUrl),
      poolMax: 1,
    });
    try {
      const attempt = await timed(() =>
        pingDatabase(fresh.db).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      expect(isDatabaseUnavailable(attempt.value)).toBe(true);
      expect(attempt.ms).toBeLessThan(CONNECT_TIMEOUT_SECONDS * 1000 + 500);
    } finally {
      await fresh.close();
    }
  }, 15_000);

  it("heals after the partition too: the hung probe ends with its connection", async () => {
    await relay.setMode("forward");
    expect((await untilPassing("/checkout/x", true)).status).toBe(200);
    expect(await pingDatabase(handle.db)).toBeUndefined();
  });
});
