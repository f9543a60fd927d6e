import { checkedWithin, claimStatusCheck, expirePendingOrder } from "@/db/queries/orders";
import type { Order, OrderFacts } from "@/db/schema";
import { moduleLogger } from "@/lib/logger";
import { isYouzanError, type QrTrade } from "@/lib/payments/youzan";
import type { OrderDeps } from "./deps";
import { settlePayment, type SettleOutcome } from "./settle";

const log = moduleLogger("order-status");

export type CheckResult =
  | { checked: false }
  | { checked: true; outcome: SettleOutcome | "unpaid" | "expired" | "provider_error" };

export interface CheckOptions {
  /** Skip the per-order interval (the reconcile job, which runs rarely). */
  force?: boolean;
  /**
   * Also look at an order that already expired: a buyer who scanned just before the
   * time-to-live may pay up to 30 minutes later (Youzan closes the trade 30 minutes after the
   * scan), and the trade list lags. Settlement honours such late payments.
   */
  late?: boolean;
}

/**
 * Asks Youzan whether a QR order was paid — at most once per interval per order, whichever
 * process asks — and settles it when it was. A pending order past its time-to-live is closed as
 * expired only after that check.
 */
export async function checkYouzanOrder(
  deps: OrderDeps,
  order: OrderFacts,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const statuses: Order["status"][] = options.late ? ["pending", "expired"] : ["pending"];
  if (!statuses.includes(order.status) || order.provider !== "youzan" || !order.qrId) {
    return { checked: false };
  }
  const now = await deps.now();
  const interval = options.force ? 0 : deps.statusCheckIntervalMs;
  if (
    checkedWithin(order, now, interval) ||
    !(await claimStatusCheck(deps.db, order.id, now, interval, statuses))
  ) {
    return { checked: false };
  }

  let trades: QrTrade[];
  try {
    trades = await deps.youzan.listReceivedTrades(order.qrId);
  } catch (error) {
    if (!isYouzanError(error)) throw error;
    log.warn({ orderId: order.id, code: error.code }, "status query failed");
    return { checked: true, outcome: "provider_error" };
  }

  const received = trades.filter((t) => t.status === "TRADE_RECEIVED" && t.qrId === order.qrId);
  let outcome: CheckResult = { checked: true, outcome: "unpaid" };
  // Oldest first: the first paying trade settles the order, any later one is a duplicate payment.
  for (const trade of received.reverse()) {
    const amountFen = await receivedAmount(deps, trade);
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
  if (
    outcome.outcome === "unpaid" &&
    order.status === "pending" &&
    order.expiresAt &&
    order.expiresAt <= now &&
    (await expireOrder(deps, order.id))
  ) {
    outcome = { checked: true, outcome: "expired" };
  }
  return outcome;
}

/**
 * What Youzan received for a trade. `real_price` is the truth; when a row lacks it, the trade's
 * own `pay_info.payment` is asked for — never the QR's list price, which would skip the amount
 * check. Unknown → null: the trade is left for a later check.
 */
async function receivedAmount(deps: OrderDeps, trade: QrTrade): Promise<number | null> {
  if (trade.realPriceFen !== null) return trade.realPriceFen;
  try {
    return (await deps.youzan.getTrade(trade.tid))?.paymentFen ?? null;
  } catch (error) {
    if (isYouzanError(error)) return null;
    throw error;
  }
}

/** pending → expired, only if still pending (a payment may have settled it meanwhile). */
export async function expireOrder(deps: Pick<OrderDeps, "db">, orderId: string): Promise<boolean> {
  const expired = await expirePendingOrder(deps.db, orderId);
  if (expired) log.info({ orderId }, "order expired unpaid");
  return expired;
}
