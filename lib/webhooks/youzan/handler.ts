import "server-only";
import type { WebhookInboxRow } from "@/db/schema";
import { isPaidTradeStatus, isYouzanError, parseYouzanPush } from "@/lib/payments/youzan";
import type { ApplyResult, InboxHandler, RecordAttemptIn, WebhookDeps } from "../types";
import { eventOfPush, type YouzanEvent } from "./event";
import { applyTradePaid } from "./trade-paid";

function isPaidEvent(event: YouzanEvent): boolean {
  return (
    event.type === "trade_TradePaid" ||
    event.type === "trade_TradeSuccess" ||
    (event.type === "TRADE_ORDER_STATE" && isPaidTradeStatus(event.status))
  );
}

/** One handler per event kind; everything else is recorded and ignored. */
async function dispatch(
  deps: WebhookDeps,
  event: YouzanEvent,
  recordIn?: RecordAttemptIn,
): Promise<ApplyResult> {
  // Checked here, not at receipt only, so a row replayed later is checked too.
  if (event.kdtId !== null && event.kdtId !== deps.youzanCredentials.kdtId) {
    return { status: "ignored", outcome: "foreign_shop" };
  }
  if (isPaidEvent(event)) return applyTradePaid(deps, event, recordIn);
  // Scans and closes of one Youzan trade change nothing here: our own time-to-live closes
  // orders, and a closed trade of a QR code does not mean the order is unpayable.
  return {
    status: "ignored",
    outcome: `no_effect:${event.type}${event.status ? `:${event.status}` : ""}`,
  };
}

export const youzanInboxHandler: InboxHandler<YouzanEvent> = {
  provider: "youzan",
  /**
   * The event a stored delivery carried. Its signature was checked when it arrived
   * (`signature_valid`); it is not checked again, so rotating the secret does not orphan
   * recorded pushes.
   */
  decode(deps, row: WebhookInboxRow) {
    const headers = new Headers((row.headers as Record<string, string> | null) ?? {});
    const push = parseYouzanPush(row.body, headers, deps.youzanCredentials);
    return push.kind === "message" ? eventOfPush(push) : null;
  },
  apply: dispatch,
  classify(error) {
    if (isYouzanError(error)) {
      return { outcome: `provider_error:${error.code}`, retryable: error.retryable };
    }
    // Anything else (the database, a bug) may well be gone on the next attempt.
    return { outcome: "error", retryable: true };
  },
};
