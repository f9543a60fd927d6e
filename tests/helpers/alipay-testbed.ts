import type { Db } from "@/db/client";
import { advanceClock, offsetClock } from "@/lib/clock";
import { createAlipayGateway, type AlipayConfig } from "@/lib/payments/alipay";
import { createYouzanGateway } from "@/lib/payments/youzan";
import { createAlipaySandbox, type AlipaySandbox, type TickResult } from "@/lib/sandbox/alipay";
import { SANDBOX_ALIPAY_SELLER_ID } from "@/db/queries/sandbox-alipay-keys";
import { handleAlipayNotify, type AlipayDestination } from "@/lib/webhooks/alipay";
import type { WebhookDeps } from "@/lib/webhooks/types";
import { startTestServer, type Handler, type TestServer } from "./http-server";

/*
 * The shop and the Alipay sandbox wired together over real HTTP on loopback, as in the app:
 * the shop's real client (alipay-sdk) signs requests to the sandbox's gateway.do and verifies
 * its signed answers; the sandbox's control API is the app's own route modules; the sandbox
 * sends signed notifications to the shop's three webhook routes, which run the house pipeline
 * (verify → inbox → apply → `success`). Shop and sandbox read the one virtual clock
 * (`sandbox.clock`), so `advance()` moves both.
 *
 * Notifications leave only when a test calls `deliver()` (the sandbox's tick): deterministic,
 * never racing the assertions.
 */

type RouteModule = { POST?: unknown; GET?: unknown };
type RouteFn = (request: Request, context: unknown) => Promise<Response>;

/** The control routes a test may call, loaded as the app mounts them. */
async function loadControlRoutes(): Promise<Map<string, RouteModule>> {
  const entries: [string, Promise<RouteModule>][] = [
    ["app-pay", import("@/app/sandbox/alipay/control/app-pay/route")],
    ["sign", import("@/app/sandbox/alipay/control/sign/route")],
    ["unsign", import("@/app/sandbox/alipay/control/unsign/route")],
    ["balance", import("@/app/sandbox/alipay/control/balance/route")],
    ["faults", import("@/app/sandbox/alipay/control/faults/route")],
    ["pause", import("@/app/sandbox/alipay/control/pause/route")],
    ["stats", import("@/app/sandbox/alipay/control/stats/route")],
    ["wallet", import("@/app/sandbox/alipay/control/wallet/route")],
  ];
  return new Map(await Promise.all(entries.map(async ([name, m]) => [name, await m] as const)));
}

export interface AlipayTestbed {
  server: TestServer;
  /** The sandbox as the testbed drives it (ticks, keys, wallet); the routes build their own. */
  sandbox: AlipaySandbox;
  /** What routes, actions and jobs of the shop run on, with the real Alipay client. */
  deps: WebhookDeps;
  /** The client's configuration (tests build variants: a wrong key, another app id). */
  clientConfig: AlipayConfig;
  /** Every webhook reply, in arrival order. */
  replies: { destination: AlipayDestination; status: number; body: string }[];
  /** POST JSON to the sandbox's control API over HTTP; the parsed answer and the status. */
  control(name: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Sends every notification due now (retries included, until none is left), then settles. */
  deliver(): Promise<TickResult>;
  /** Moves the shared virtual clock forward. */
  advance(seconds: number): Promise<void>;
  /** Waits for work the webhooks left running after they replied. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function alipayTestbed(
  db: Db,
  options: { applyBudgetMs?: number; timeoutMs?: number } = {},
): Promise<AlipayTestbed> {
  const clock = offsetClock(db);
  const replies: AlipayTestbed["replies"] = [];
  const background = new Set<Promise<unknown>>();
  const holder: { deps?: WebhookDeps } = {};
  const controls = await loadControlRoutes();
  const gatewayModule = (await import("@/app/sandbox/alipay/gateway.do/route")) as RouteModule;

  const server = await startTestServer((request, url): Handler | undefined => {
    const path = url.pathname;
    if (path === "/sandbox/alipay/gateway.do") {
      const fn = (request.method === "GET" ? gatewayModule.GET : gatewayModule.POST) as RouteFn;
      return (r) => fn(r, undefined);
    }
    if (path.startsWith("/sandbox/alipay/control/")) {
      const routeModule = controls.get(path.slice("/sandbox/alipay/control/".length));
      const fn = (request.method === "GET" ? routeModule?.GET : routeModule?.POST) as
        RouteFn | undefined;
      return fn ? (r) => fn(r, undefined) : undefined;
    }
    const match = /^\/api\/webhooks\/alipay\/(trade|agreement|gateway)$/.exec(path);
    if (match && holder.deps) {
      const deps = holder.deps;
      const destination = match[1] as AlipayDestination;
      return async (r) => {
        const reply = await handleAlipayNotify(deps, destination, await r.text(), r.headers);
        replies.push({ destination, ...reply });
        return new Response(reply.body, { status: reply.status });
      };
    }
    return undefined;
  });

  const sandbox = await createAlipaySandbox({
    db,
    clock,
    appGatewayUrl: `${server.url}/api/webhooks/alipay/gateway`,
  });
  // The route modules build their own sandbox from the app's settings: point its app gateway
  // (where wallet unsigns are announced) at this server too.
  await sandbox.setAppGatewayUrl(`${server.url}/api/webhooks/alipay/gateway`);

  const clientConfig: AlipayConfig = {
    gatewayUrl: `${server.url}/sandbox/alipay/gateway.do`,
    appId: sandbox.keys.appId,
    privateKey: sandbox.keys.appPrivateKeyPem,
    alipayPublicKey: sandbox.keys.alipayPublicKeyPem,
    sellerId: SANDBOX_ALIPAY_SELLER_ID,
    productCode: "GENERAL_WITHHOLDING",
    timeoutMs: options.timeoutMs ?? 3_000,
  };
  const deps: WebhookDeps = {
    db,
    // Never called by memberships; a dead address makes any stray call fail loudly.
    youzan: createYouzanGateway({
      baseUrl: "http://127.0.0.1:9/none",
      clientId: "unused",
      clientSecret: "unused",
      kdtId: "0",
    }),
    now: () => clock.now(),
    orderTtlMinutes: 15,
    statusCheckIntervalMs: 0,
    youzanCredentials: { clientId: "unused", clientSecret: "unused", kdtId: "0" },
    alipay: {
      gateway: createAlipayGateway(clientConfig),
      appId: sandbox.keys.appId,
      sellerId: SANDBOX_ALIPAY_SELLER_ID,
      singleCapFen: 10_000,
      appUrl: server.url,
      alipayPublicKey: sandbox.keys.alipayPublicKeyPem,
    },
    applyBudgetMs: options.applyBudgetMs ?? 3_000,
    inboxMaxAttempts: 20,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
    background: (task) => {
      background.add(task);
      void task.finally(() => background.delete(task));
    },
  };
  holder.deps = deps;

  const settle = async () => {
    while (background.size > 0) await Promise.allSettled([...background]);
  };

  return {
    server,
    sandbox,
    deps,
    clientConfig,
    replies,
    async control(name, body) {
      const response = await fetch(`${server.url}/sandbox/alipay/control/${name}`, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: kept as text for the assertion.
      }
      return { status: response.status, body: parsed };
    },
    async deliver() {
      const total: TickResult = { delivered: 0, failed: 0, closed: 0 };
      for (let round = 0; round < 20; round++) {
        const result = await sandbox.tick();
        await settle();
        total.delivered += result.delivered;
        total.failed += result.failed;
        total.closed += result.closed;
        if (result.delivered + result.failed === 0) break;
      }
      return total;
    },
    async advance(seconds) {
      await advanceClock(db, seconds);
    },
    settle,
    async close() {
      await settle();
      await server.close();
    },
  };
}
