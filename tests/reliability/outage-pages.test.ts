import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/processes";
import { startTcpRelay, type TcpRelay } from "../helpers/tcp-proxy";
import { startReliabilityShop, type ReliabilityShop } from "./shop-server";

/*
 * Issue #14, fault matrix, on the production server (`npm start`, server.mjs): PostgreSQL dies
 * while a page is being rendered — after proxy.ts's gate let the request through (the gate
 * trusts a probe for a second), with the page's statement on its way. The page cannot choose
 * its status, so Next answered 500. The rule is 503 with Retry-After for every answer an outage
 * causes (never 500): server.mjs turns the 500 of a request whose render met an unavailable
 * database (instrumentation.ts's onRequestError marks it) into 503, and nothing else.
 *
 * The server reaches PostgreSQL through a TCP relay the test controls: blackholed, the page's
 * statement is held (`relay.held()`), then the relay refuses and cuts every connection.
 */

const PORT = Number(process.env.OUTAGE_PORT ?? 3350);

let shop: ReliabilityShop;
let relay: TcpRelay;
let buyerCookie: string;

const PAGES = [
  { name: "the catalogue", path: "/", signedIn: false },
  { name: "the buyer's orders", path: "/account/orders", signedIn: true },
];

/** A browser's navigation: proxy.ts answers such a request with its own page while down. */
function navigate(path: string, signedIn: boolean): Promise<Response> {
  return fetch(`${shop.base}${path}`, {
    redirect: "manual",
    headers: { accept: "text/html", ...(signedIn ? { cookie: buyerCookie } : {}) },
  });
}

/** proxy.ts's outage page (lib/http/unavailable.ts) reloads itself; Next's error page does not. */
const isProxyOutagePage = (body: string) => body.includes('http-equiv="refresh"');

/**
 * The database dies under one render of `path`. The first attempt may find the gate's trust
 * just expired: its probe is what the relay holds, and the proxy answers (its own page). Then
 * the render was not reached and the scenario runs again.
 */
async function renderWhileTheDatabaseDies(path: string, signedIn: boolean) {
  for (let attempt = 1; attempt <= 5; attempt++) {
    // Healthy: the gate's probe answered, the proxy lets the next request through.
    expect((await navigate(path, signedIn)).status).toBe(200);
    const held = relay.held();
    await relay.setMode("blackhole");
    const answer = navigate(path, signedIn);
    await held;
    await relay.setMode("refuse");
    const response = await answer;
    const body = await response.text();
    await relay.setMode("forward");
    await eventually(async () => (await navigate(path, signedIn)).status === 200, `${path} heals`);
    if (response.status === 503 && isProxyOutagePage(body)) continue;
    return { response, body, attempt };
  }
  throw new Error(`${path}: the gate answered every attempt; the render was never reached`);
}

describe("PostgreSQL dies during a page's render (production server)", () => {
  beforeAll(async () => {
    relay = await startTcpRelay({ host: "127.0.0.1", port: 5432 });
    const direct = "postgres://postgres@127.0.0.1:5432/test_reliability_outage";
    shop = await startReliabilityShop({
      database: "test_reliability_outage",
      port: PORT,
      env: { DATABASE_URL: relay.url(direct) },
    });
    buyerCookie = await shop.signIn(shop.buyers[0]!);
  });

  afterAll(async () => {
    await shop?.stop();
    await relay?.close();
    mkdirSync(".reports/reliability", { recursive: true });
    writeFileSync(
      ".reports/reliability/outage-pages.json",
      JSON.stringify({ faultRows: PAGES.length }),
    );
  });

  for (const page of PAGES) {
    it(`${page.name} answers 503 with Retry-After, not 500, and serves again after`, async () => {
      const { response, body } = await renderWhileTheDatabaseDies(page.path, page.signedIn);
      expect(response.status, body.slice(0, 300)).toBe(503);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(response.headers.get("cache-control")).toContain("no-store");
      // Still the page's own answer (Next's error page, in the shop's layout), not the gate's.
      expect(isProxyOutagePage(body)).toBe(false);
      expect(response.headers.get("content-type")).toContain("text/html");
    });
  }
});
