import "server-only";
import {
  emptyQrOrdersSummary,
  reconcileQrOrders,
  type QrOrdersSummary,
} from "@/lib/orders/reconcile";
import { pruneRejectedDeliveries } from "@/lib/webhooks/inbox";
import { replayInbox } from "@/lib/webhooks/replay";
import type { WebhookDeps } from "@/lib/webhooks/types";
import { withRunReceipt } from "./run-receipt";

export interface ReconcileOptions {
  /** Rows of each kind handled per run; the next run continues where this one stopped. */
  batch?: number;
  /** Wall-clock budget; a run stops taking new work after it (a serverless function's limit). */
  budgetMs?: number;
  latePaymentWindowMinutes?: number;
  /** Elapsed milliseconds since the run started; injectable so tests need not wait. */
  elapsed?: () => number;
}

export interface ReconcileSummary extends Omit<QrOrdersSummary, "stoppedEarly"> {
  runId: string;
  inboxApplied: number;
  /** Failed and left for another attempt. */
  inboxFailed: number;
  /** Given up on: not retryable, or out of attempts; the owner sees them in the admin. */
  inboxDead: number;
  /** Rejected deliveries older than their retention, deleted by this run. */
  inboxPruned: number;
  stoppedEarly: boolean;
}

function stopwatch(): () => number {
  const started = performance.now();
  return () => performance.now() - started;
}

/**
 * `/api/cron/orders/reconcile`, the safety net behind pushes and polling: replays recorded
 * events that were not applied (every provider, through the one replay path), then asks Youzan
 * about pending and recently expired QR orders; first it prunes rejected deliveries past their
 * retention. Bounded by batch and time, safe to run
 * concurrently (every step is idempotent), with a receipt in `billing_runs`.
 */
export async function reconcileOrders(
  deps: WebhookDeps,
  options: ReconcileOptions = {},
): Promise<ReconcileSummary> {
  const batch = options.batch ?? 100;
  const budgetMs = options.budgetMs ?? 20_000;
  const elapsed = options.elapsed ?? stopwatch();
  const overBudget = () => elapsed() > budgetMs;
  const initial: Omit<ReconcileSummary, "runId"> = {
    inboxApplied: 0,
    inboxFailed: 0,
    inboxDead: 0,
    inboxPruned: 0,
    ...emptyQrOrdersSummary(),
  };
  return withRunReceipt(deps, { name: "orders.reconcile", initial }, async (run) => {
    // Rejected deliveries are kept 30 days for the owner, then go; a bounded batch per run.
    const inboxPruned = await pruneRejectedDeliveries(deps.db, await deps.now());
    run.summary = { ...run.summary, inboxPruned };
    const inbox = await replayInbox(deps, { batch, overBudget });
    run.summary = {
      ...run.summary,
      inboxApplied: inbox.applied,
      inboxFailed: inbox.failed,
      inboxDead: inbox.dead,
      stoppedEarly: inbox.stoppedEarly,
    };
    const qr = await reconcileQrOrders(deps, {
      batch,
      overBudget,
      latePaymentWindowMinutes: options.latePaymentWindowMinutes,
    });
    const summary = { ...run.summary, ...qr, stoppedEarly: inbox.stoppedEarly || qr.stoppedEarly };
    run.summary = summary;
    return {
      summary,
      totals: {
        claimed: summary.checked + inbox.applied + inbox.failed + inbox.dead,
        succeeded: summary.settled,
        failed: inbox.failed + inbox.dead + summary.providerErrors + summary.errors,
      },
    };
  });
}
