import "server-only";

/**
 * The Youzan order statuses that mean the money was received: the V2 `TRADE_ORDER_STATE`
 * push's `status` and `youzan.trade.get`'s `order_info.status` use the same names (spec §3.3,
 * §4.3). One list for both, so a push and a re-read can never disagree about "paid".
 */
export const YOUZAN_PAID_STATUSES: ReadonlySet<string> = new Set([
  "TRADE_PAID",
  "TRADE_SUCCESS",
  "WAIT_CONFIRM",
  "WAIT_SELLER_SEND_GOODS",
  "WAIT_BUYER_CONFIRM_GOODS",
]);

export function isPaidTradeStatus(status: string | null | undefined): boolean {
  return status != null && YOUZAN_PAID_STATUSES.has(status);
}
