/*
 * A shop process of its own, for the fault matrix's "server killed mid-settlement" row: it opens
 * the same PostgreSQL database as the test and runs one piece of the real shop — a Youzan push
 * through the webhook pipeline (`push`), or the reconcile job a restarted shop runs (`reconcile`)
 * — against the test's Youzan sandbox over HTTP. The test SIGKILLs it where it likes.
 *
 * Run as `node --conditions=react-server --import tsx tests/reliability/faults/shop-process.ts`
 * (one process, so a SIGKILL reaches the work itself), its input as JSON in FAULT_SHOP_INPUT;
 * it prints one JSON line with its result on stdout and exits.
 */
import { openDatabase } from "@/db/client";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { createYouzanGateway } from "@/lib/payments/youzan";
import { handleYouzanPush } from "@/lib/webhooks/youzan";
import type { WebhookDeps } from "@/lib/webhooks/types";
import { fakeAlipay, fakeAlipayDeps } from "../../helpers/alipay-fake";

export interface ShopProcessInput {
  mode: "push" | "reconcile";
  databaseUrl: string;
  /** The shop's clock, fixed for the process (the test's virtual now). */
  nowMs: number;
  youzan: { baseUrl: string; clientId: string; clientSecret: string; kdtId: string };
  /** `push`: the delivery as Youzan sent it. */
  push?: { body: string; headers: Record<string, string> };
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.FAULT_SHOP_INPUT ?? "{}") as ShopProcessInput;
  const handle = await openDatabase({ kind: "postgres", url: input.databaseUrl, poolMax: 2 });
  const now = new Date(input.nowMs);
  const { baseUrl, ...credentials } = input.youzan;
  const deps: WebhookDeps = {
    db: handle.db,
    youzan: createYouzanGateway({ baseUrl, ...credentials }, { now: () => input.nowMs }),
    now: async () => now,
    orderTtlMinutes: 15,
    statusCheckIntervalMs: 3_000,
    youzanCredentials: credentials,
    alipay: fakeAlipayDeps(fakeAlipay()),
    // The whole apply inside the request: the process is killed during it, not after a reply.
    applyBudgetMs: 60_000,
    inboxMaxAttempts: 20,
    sleep: async () => {},
    background: (task) => void task.catch(() => {}),
  };
  try {
    if (input.mode === "push") {
      if (!input.push) throw new Error("push mode needs a push");
      const reply = await handleYouzanPush(deps, input.push.body, new Headers(input.push.headers));
      process.stdout.write(`${JSON.stringify({ reply })}\n`);
    } else {
      const summary = await reconcileOrders(deps, { elapsed: () => 0 });
      process.stdout.write(`${JSON.stringify({ summary })}\n`);
    }
  } finally {
    await handle.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
