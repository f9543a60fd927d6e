import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import type { Clock } from "@/lib/clock";
import { createYouzanGateway } from "@/lib/payments/youzan";
import { createYouzanSandbox, type YouzanSandbox } from "@/lib/sandbox/youzan";
import { handleYouzanPush } from "@/lib/webhooks/youzan";
import type { WebhookDeps } from "@/lib/webhooks/types";
import { fakeAlipay, fakeAlipayDeps } from "./alipay-fake";
import { startTestServer, type TestServer } from "./http-server";

export interface TestClock extends Clock {
  advance(seconds: number): void;
  current(): Date;
}

/** The one clock of a test: shop and sandbox read it, tests move it. */
export function testClock(start = new Date()): TestClock {
  let at = start.getTime();
  return {
    now: async () => new Date(at),
    advance: (seconds) => {
      at += seconds * 1000;
    },
    current: () => new Date(at),
  };
}

export interface YouzanTestbed {
  clock: TestClock;
  sandbox: YouzanSandbox;
  deps: WebhookDeps;
  server: TestServer;
  /** Webhook replies, in arrival order, for assertions on what Youzan was told. */
  replies: { status: number; body: unknown }[];
  /** Waits for the work webhooks left running after they replied. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The shop and the Youzan sandbox wired together over real HTTP on loopback: the shop's client
 * calls the sandbox's token endpoint and gateway, the sandbox pushes to the shop's webhook
 * pipeline. Each testbed has its own app id, so client token caches never leak between tests.
 */
export async function youzanTestbed(
  db: Db,
  options: {
    applyBudgetMs?: number;
    statusCheckIntervalMs?: number;
    inboxMaxAttempts?: number;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<YouzanTestbed> {
  const clock = testClock();
  const app = {
    clientId: `test-${randomBytes(6).toString("hex")}`,
    clientSecret: randomBytes(16).toString("hex"),
    kdtId: "10001000",
  };
  const replies: YouzanTestbed["replies"] = [];
  /** Work the webhook left running after its reply (`deps.background`); `settle()` awaits it. */
  const background = new Set<Promise<unknown>>();
  const holder: { sandbox?: YouzanSandbox; deps?: WebhookDeps } = {};

  const server = await startTestServer((_request, url) => {
    const { sandbox, deps } = holder;
    if (!sandbox || !deps) return undefined;
    if (url.pathname === "/sandbox/youzan/auth/token") return (r) => sandbox.handleToken(r);
    if (url.pathname.startsWith("/sandbox/youzan/api/")) {
      const path = url.pathname
        .slice("/sandbox/youzan/api/".length)
        .split("/")
        .map(decodeURIComponent);
      return (r) => sandbox.handleApi(r, path);
    }
    if (url.pathname === "/api/webhooks/youzan") {
      return async (r) => {
        const reply = await handleYouzanPush(deps, await r.text(), r.headers);
        replies.push(reply);
        return Response.json(reply.body, { status: reply.status });
      };
    }
    return undefined;
  });

  holder.sandbox = createYouzanSandbox({
    db,
    clock,
    app,
    publicBaseUrl: `${server.url}/sandbox/youzan`,
    pushUrl: `${server.url}/api/webhooks/youzan`,
  });
  holder.deps = {
    db,
    youzan: createYouzanGateway({ baseUrl: `${server.url}/sandbox/youzan`, ...app }),
    now: () => clock.now(),
    orderTtlMinutes: 15,
    statusCheckIntervalMs: options.statusCheckIntervalMs ?? 3_000,
    youzanCredentials: app,
    alipay: fakeAlipayDeps(fakeAlipay()),
    applyBudgetMs: options.applyBudgetMs ?? 3_000,
    inboxMaxAttempts: options.inboxMaxAttempts ?? 20,
    // Tests never wait the real 200 ms steps; a short real pause still lets the other request run.
    sleep:
      options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)))),
    background: (task) => {
      background.add(task);
      void task.finally(() => background.delete(task));
    },
  };
  return {
    clock,
    sandbox: holder.sandbox,
    deps: holder.deps,
    server,
    replies,
    settle: async () => {
      await Promise.allSettled([...background]);
    },
    close: async () => {
      await Promise.allSettled([...background]);
      await server.close();
    },
  };
}
