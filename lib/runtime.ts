import "server-only";
import { after } from "next/server";
import { getDb } from "@/db";
import type { Clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { moduleLogger } from "@/lib/logger";
import { getClock } from "@/lib/now";
import { STATUS_CHECK_INTERVAL_MS } from "@/lib/orders/deps";
import { getYouzanGateway } from "@/lib/payments/youzan";
import type { WebhookDeps } from "@/lib/webhooks/types";

/** How long a webhook waits for its effect before acknowledging anyway (Youzan allows 5 s). */
export const APPLY_BUDGET_MS = 3_000;
/** A recorded event is tried this often (the reconcile job runs every 5 minutes: ~100 min). */
export const INBOX_MAX_ATTEMPTS = 20;

const log = moduleLogger("runtime");

export interface RuntimeDeps extends WebhookDeps {
  clock: Clock;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Work that must outlive the response: Next's `after()` keeps the function alive on the
 * platform. Outside a request (a script, a test) there is no request scope to attach to, so the
 * task simply runs on and its failure is logged.
 */
function background(task: Promise<unknown>): void {
  const logged = task.catch((error: unknown) =>
    log.error({ err: error }, "background task failed"),
  );
  try {
    after(logged);
  } catch {
    void logged;
  }
}

/**
 * The one place that builds what routes, server actions and jobs run on: the database, the
 * shop's clock (the sandbox's virtual clock in sandbox mode), the provider ports and the
 * settings they need. Tests build the same shape from their own parts.
 */
export async function getRuntime(): Promise<RuntimeDeps> {
  const env = getEnv();
  const [db, clock] = await Promise.all([getDb(), getClock()]);
  const { clientId, clientSecret, kdtId } = env.youzan;
  return {
    db,
    clock,
    now: () => clock.now(),
    youzan: getYouzanGateway(),
    youzanCredentials: { clientId, clientSecret, kdtId },
    orderTtlMinutes: env.orderTtlMinutes,
    statusCheckIntervalMs: STATUS_CHECK_INTERVAL_MS,
    applyBudgetMs: APPLY_BUDGET_MS,
    inboxMaxAttempts: INBOX_MAX_ATTEMPTS,
    sleep,
    background,
  };
}
