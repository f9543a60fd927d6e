import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import type { YouzanGateway } from "@/lib/payments/youzan";
import type { WebhookDeps } from "@/lib/webhooks/types";
import { fakeAlipay, fakeAlipayDeps } from "./alipay-fake";

const unreachable = (): never => {
  throw new Error("the gateway is not used in this test");
};

/** A gateway whose every call fails the test: spread it and replace what a test needs. */
export const unusedGateway: YouzanGateway = {
  createDynamicQr: unreachable,
  listReceivedTrades: unreachable,
  getTrade: unreachable,
};

/** WebhookDeps without the sandbox: a fixed clock, no waiting, no background work. */
export function webhookDeps(db: Db, now: Date, over: Partial<WebhookDeps> = {}): WebhookDeps {
  return {
    db,
    youzan: unusedGateway,
    now: async () => now,
    orderTtlMinutes: 15,
    statusCheckIntervalMs: 3_000,
    sleep: async () => {},
    youzanCredentials: { clientId: "app", clientSecret: "secret", kdtId: "1" },
    alipay: fakeAlipayDeps(fakeAlipay()),
    applyBudgetMs: 3_000,
    inboxMaxAttempts: 3,
    background: () => {},
    ...over,
  };
}

/** The body of a stored `trade_TradePaid` push whose apply re-reads trade `tid` (shop "1"). */
export function storedTradePaidBody(tid: string): string {
  return JSON.stringify({
    msg_id: randomUUID(),
    type: "trade_TradePaid",
    kdt_id: 1,
    id: tid,
    msg: encodeURIComponent(JSON.stringify({ tid })),
    client_id: "app",
    sign: "x",
    version: 1,
  });
}
