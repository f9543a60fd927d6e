import "server-only";
import { findOrderByQrId, orderOfQrWithTrade } from "@/db/queries/orders";
import { isTradeRecorded } from "@/db/queries/payments";
import { settlePayment } from "@/lib/orders/settle";
import { isPaidTradeStatus } from "@/lib/payments/youzan";
import type { ApplyResult, RecordAttemptIn, WebhookDeps } from "../types";
import type { YouzanEvent } from "./event";

/**
 * A push says a trade was paid. The push is only a hint: the trade is re-read from Youzan
 * (`youzan.trade.get`), its `qr_info.qr_id` leads to our order, and the amount Youzan reports is
 * what settlement checks. A trade not visible yet fails the attempt, so the reconcile job (or the
 * buyer's polling) applies it later. A trade already recorded (TRADE_SUCCESS after TRADE_PAID,
 * a redelivery) is not re-read: settling it again would change nothing (`already_settled`), and
 * each question costs a call to Youzan (issue #14). A settlement records the attempt in its own
 * transaction (`recordIn`): the inbox row says processed exactly when the order is settled.
 */
export async function applyTradePaid(
  deps: WebhookDeps,
  event: YouzanEvent,
  recordIn?: RecordAttemptIn,
): Promise<ApplyResult> {
  if (!event.tid) return { status: "ignored", outcome: "no_tid" };
  const tradeNo = event.tid;
  // A trade_TradePaid push names its QR code: the order and the trade's record in one read.
  const named = event.qrId
    ? await orderOfQrWithTrade(deps.db, { qrId: event.qrId, provider: "youzan", tradeNo })
    : undefined;
  const recorded = named ? named.tradeRecorded : await isTradeRecorded(deps.db, "youzan", tradeNo);
  if (recorded) return { status: "processed", outcome: "already_settled" };
  const trade = await deps.youzan.getTrade(tradeNo);
  if (!trade) return { status: "failed", outcome: "trade_not_visible_yet" };
  const qrId = trade.qrId ?? event.qrId;
  if (!qrId) return { status: "ignored", outcome: "not_a_qr_trade" };
  // Youzan's answer decides which order: the push's QR id is only used when it agrees.
  const order = named && qrId === event.qrId ? named.order : await findOrderByQrId(deps.db, qrId);
  if (!order) return { status: "ignored", outcome: "unknown_order" };
  if (!isPaidTradeStatus(trade.status)) {
    // The push says paid, the detail API not yet (it lags): try again later rather than drop it.
    return { status: "failed", outcome: `trade_not_paid_yet:${trade.status}` };
  }
  if (trade.paymentFen === null) return { status: "failed", outcome: "trade_without_amount" };
  const paidAt = trade.paidAt ?? (await deps.now());
  const result = await settlePayment(
    deps.db,
    order.id,
    { provider: "youzan", tradeNo: trade.tid, amountFen: trade.paymentFen, paidAt },
    paidAt,
    {
      alsoInTransaction:
        recordIn && ((tx, outcome) => recordIn(tx, { status: "processed", outcome })),
    },
  );
  return { status: "processed", outcome: result.outcome };
}
