import { and, eq } from "drizzle-orm";
import { claimStatusCheck } from "@/db/queries/orders";
import { orders, type Order } from "@/db/schema";
import { moduleLogger } from "@/lib/logger";
import { YouzanError } from "@/lib/payments/youzan/types";
import type { OrderDeps } from "./deps";
import { settlePayment, type SettleOutcome } from "./settle";

const log = moduleLogger("order-status");

export type CheckResult =
  | { checked: false }
  | { checked: true; outcome: SettleOutcome | "unpaid" | "expired" | "provider_error" };

/**
 * Asks Youzan whether a pending QR order was paid — at most once per interval per order,
 * whichever process asks — and settles it when it was. An unpaid order past its time-to-live is
 * closed as expired only after that final check.
 * `force` skips the interval (the reconcile job, which runs rarely).
 */
export async function checkYouzanOrder(
  deps: OrderDeps,
  order: Order,
  options: { force?: boolean } = {},
): Promise<CheckResult> {
  if (order.status !== "pending" || order.provider !== "youzan" || !order.qrId) {
    return { checked: false };
  }
  const now = await deps.now();
  const interval = options.force ? 0 : deps.statusCheckIntervalMs;
  if (!(await claimStatusCheck(deps.db, order.id, now, interval))) return { checked: false };

  let trades;
  try {
    trades = await deps.youzan.listReceivedTrades(order.qrId);
  } catch (error) {
    if (!(error instanceof YouzanError)) throw error;
    log.warn({ orderId: order.id, code: error.code }, "status query failed");
    return { checked: true, outcome: "provider_error" };
  }

  const received = trades.filter((t) => t.status === "TRADE_RECEIVED" && t.qrId === order.qrId);
  let outcome: CheckResult = { checked: true, outcome: "unpaid" };
  // Oldest first: the first paying trade settles the order, any later one is a duplicate payment.
  for (const trade of received.reverse()) {
    const amountFen = trade.realPriceFen ?? trade.qrPriceFen;
    if (amountFen === null) continue;
    const result = await settlePayment(deps.db, order.id, {
      provider: "youzan",
      tradeNo: trade.tid,
      amountFen,
      paidAt: trade.paidAt ?? now,
      buyerRef: trade.payerNick,
    });
    if (outcome.outcome === "unpaid" || result.outcome === "settled") {
      outcome = { checked: true, outcome: result.outcome };
    }
  }
  if (outcome.outcome === "unpaid" && order.expiresAt && order.expiresAt <= now) {
    if (await expireOrder(deps, order.id)) outcome = { checked: true, outcome: "expired" };
  }
  return outcome;
}

/** pending → expired, only if still pending (a payment may have settled it meanwhile). */
export async function expireOrder(deps: OrderDeps, orderId: string): Promise<boolean> {
  const rows = await deps.db
    .update(orders)
    .set({ status: "expired", updatedAt: new Date() })
    .where(and(eq(orders.id, orderId), eq(orders.status, "pending")))
    .returning({ id: orders.id });
  if (rows.length) log.info({ orderId }, "order expired unpaid");
  return rows.length === 1;
}
