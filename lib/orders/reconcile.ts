import { and, asc, eq, gt, isNotNull } from "drizzle-orm";
import { billingRuns, orders } from "@/db/schema";
import { newId } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";
import { listUnapplied, markApplied } from "@/lib/webhooks/inbox";
import { applyInboxRow, eventOfStoredRow } from "@/lib/webhooks/youzan";
import type { YouzanWebhookDeps } from "@/lib/webhooks/youzan/types";
import { checkYouzanOrder, expireOrder } from "./check-status";

const log = moduleLogger("reconcile-orders");

export interface ReconcileOptions {
  /** Rows of each kind handled per run; the next run continues where this one stopped. */
  batch?: number;
  /** Wall-clock budget; a run stops taking new work after it. */
  budgetMs?: number;
  /** A failing inbox row is retried this many times, then left for the owner. */
  maxInboxAttempts?: number;
  /**
   * Expired orders are still asked about for this long after their time-to-live: a scan just
   * before it can be paid until Youzan closes the trade 30 minutes later, and lists lag.
   */
  latePaymentWindowMinutes?: number;
}

export const LATE_PAYMENT_WINDOW_MINUTES = 60;

export interface ReconcileSummary {
  runId: string;
  inboxApplied: number;
  inboxFailed: number;
  checked: number;
  settled: number;
  /** Of `settled`: payments found for orders that had already expired. */
  lateSettled: number;
  expired: number;
  providerErrors: number;
  /** Orders whose check threw something unexpected; the run went on with the next one. */
  errors: number;
  stoppedEarly: boolean;
}

/**
 * The safety net behind pushes and polling: applies inbox rows that were recorded but not (yet)
 * applied, asks Youzan about every still-pending QR order (settling the paid ones) and closes
 * those past their time-to-live. Bounded by batch and time, safe to run concurrently (every step
 * is idempotent), and it leaves a summary row in `billing_runs`.
 */
export async function reconcileOrders(
  deps: YouzanWebhookDeps,
  options: ReconcileOptions = {},
): Promise<ReconcileSummary> {
  const batch = options.batch ?? 100;
  const budgetMs = options.budgetMs ?? 20_000;
  const started = Date.now();
  const overBudget = () => Date.now() - started > budgetMs;
  const runId = newId("run");
  await deps.db
    .insert(billingRuns)
    .values({ id: runId, job: "orders.reconcile", startedAt: await deps.now() });

  const summary: ReconcileSummary = {
    runId,
    inboxApplied: 0,
    inboxFailed: 0,
    checked: 0,
    settled: 0,
    lateSettled: 0,
    expired: 0,
    providerErrors: 0,
    errors: 0,
    stoppedEarly: false,
  };
  try {
    const rows = await listUnapplied(deps.db, "youzan", {
      limit: batch,
      maxAttempts: options.maxInboxAttempts ?? 20,
    });
    for (const row of rows) {
      if (overBudget()) {
        summary.stoppedEarly = true;
        break;
      }
      const event = eventOfStoredRow(row, deps.credentials);
      if (!event) {
        await markApplied(deps.db, row.id, "ignored", "unparseable");
        continue;
      }
      const result = await applyInboxRow(deps, row, event);
      if (result.status === "failed") summary.inboxFailed++;
      else summary.inboxApplied++;
    }

    const now = await deps.now();
    const lateWindow = (options.latePaymentWindowMinutes ?? LATE_PAYMENT_WINDOW_MINUTES) * 60_000;
    const youzanPurchases = and(eq(orders.provider, "youzan"), eq(orders.kind, "purchase"));
    const pending = await deps.db
      .select()
      .from(orders)
      .where(and(youzanPurchases, eq(orders.status, "pending")))
      .orderBy(asc(orders.lastCheckedAt), asc(orders.createdAt))
      .limit(batch);
    const recentlyExpired = await deps.db
      .select()
      .from(orders)
      .where(
        and(
          youzanPurchases,
          eq(orders.status, "expired"),
          isNotNull(orders.qrId),
          gt(orders.expiresAt, new Date(now.getTime() - lateWindow)),
        ),
      )
      .orderBy(asc(orders.lastCheckedAt), asc(orders.createdAt))
      .limit(batch);

    for (const order of [...pending, ...recentlyExpired]) {
      if (overBudget()) {
        summary.stoppedEarly = true;
        break;
      }
      // One order's trouble must not stop the run (nor every later run: the oldest-checked
      // orders come first, so a failing one moves to the back).
      try {
        if (!order.qrId) {
          // QR creation never finished: nothing can have been paid; close once past the TTL.
          if (order.expiresAt && order.expiresAt <= now && (await expireOrder(deps, order.id))) {
            summary.expired++;
          }
          continue;
        }
        const result = await checkYouzanOrder(deps, order, { force: true, late: true });
        if (!result.checked) continue;
        summary.checked++;
        if (result.outcome === "settled") {
          summary.settled++;
          if (order.status === "expired") summary.lateSettled++;
        }
        if (result.outcome === "expired") summary.expired++;
        if (result.outcome === "provider_error") summary.providerErrors++;
      } catch (error) {
        summary.errors++;
        log.error({ orderId: order.id, err: error }, "reconciling an order failed");
      }
    }

    await deps.db
      .update(billingRuns)
      .set({
        status: "completed",
        claimed: summary.checked + summary.inboxApplied + summary.inboxFailed,
        succeeded: summary.settled,
        failed: summary.inboxFailed + summary.providerErrors + summary.errors,
        summary,
        finishedAt: await deps.now(),
      })
      .where(eq(billingRuns.id, runId));
    log.info(summary, "orders reconciled");
    return summary;
  } catch (error) {
    await deps.db
      .update(billingRuns)
      .set({ status: "failed", error: String(error), summary, finishedAt: await deps.now() })
      .where(eq(billingRuns.id, runId));
    throw error;
  }
}
