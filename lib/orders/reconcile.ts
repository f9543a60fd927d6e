import { listPendingQrPurchases, listRecentlyExpiredQrPurchases } from "@/db/queries/orders";
import type { Order } from "@/db/schema";
import { moduleLogger } from "@/lib/logger";
import { checkYouzanOrder, expireOrder } from "./check-status";
import type { OrderDeps } from "./deps";

const log = moduleLogger("reconcile-orders");

/**
 * Expired orders are still asked about for this long after their time-to-live: a scan just
 * before it can be paid until Youzan closes the trade 30 minutes later, and lists lag.
 */
export const LATE_PAYMENT_WINDOW_MINUTES = 60;

export interface QrOrdersSummary {
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

export function emptyQrOrdersSummary(): QrOrdersSummary {
  return {
    checked: 0,
    settled: 0,
    lateSettled: 0,
    expired: 0,
    providerErrors: 0,
    errors: 0,
    stoppedEarly: false,
  };
}

/**
 * Asks Youzan about every still-pending QR order (settling the paid ones), closes those past
 * their time-to-live after that final check, and keeps asking about recently expired ones. The
 * oldest-checked orders come first, so a failing one moves to the back instead of blocking every
 * later run. Idempotent: safe to run concurrently.
 */
export async function reconcileQrOrders(
  deps: OrderDeps,
  options: { batch: number; overBudget: () => boolean; latePaymentWindowMinutes?: number },
): Promise<QrOrdersSummary> {
  const summary = emptyQrOrdersSummary();
  const now = await deps.now();
  const lateWindowMs = (options.latePaymentWindowMinutes ?? LATE_PAYMENT_WINDOW_MINUTES) * 60_000;
  const pending = await listPendingQrPurchases(deps.db, options.batch);
  const recentlyExpired = await listRecentlyExpiredQrPurchases(
    deps.db,
    new Date(now.getTime() - lateWindowMs),
    options.batch,
  );
  for (const order of [...pending, ...recentlyExpired]) {
    if (options.overBudget()) {
      summary.stoppedEarly = true;
      break;
    }
    try {
      await reconcileOne(deps, order, now, summary);
    } catch (error) {
      // One order's trouble must not stop the run.
      summary.errors++;
      log.error({ orderId: order.id, err: error }, "reconciling an order failed");
    }
  }
  return summary;
}

async function reconcileOne(
  deps: OrderDeps,
  order: Order,
  now: Date,
  summary: QrOrdersSummary,
): Promise<void> {
  if (!order.qrId) {
    // QR creation never finished: nothing can have been paid; close once past the TTL.
    if (order.expiresAt && order.expiresAt <= now && (await expireOrder(deps, order.id))) {
      summary.expired++;
    }
    return;
  }
  const result = await checkYouzanOrder(deps, order, { force: true, late: true });
  if (!result.checked) return;
  summary.checked++;
  if (result.outcome === "settled") {
    summary.settled++;
    if (order.status === "expired") summary.lateSettled++;
  }
  if (result.outcome === "expired") summary.expired++;
  if (result.outcome === "provider_error") summary.providerErrors++;
}
