/**
 * The codes the webhook inbox stores, split into parts the owner can read. An outcome is often
 * composite — `no_effect:trade_TradeCreate:WAIT_BUYER_PAY` is "no effect" + the event kind +
 * the provider's trade status — and each part has a human label (messages
 * `admin.codes.<group>.<key>`) shown beside its raw code. Pure.
 *
 * Where the codes come from: lib/webhooks/youzan/{handler,trade-paid}.ts, lib/webhooks/inbox.ts
 * and the pipelines (`bad_signature`, `malformed: …`, `unreadable: …`), lib/webhooks/replay.ts
 * (`unreadable`, `error`, `provider_error:<code>`), lib/orders/settle-decision.ts (settlement
 * outcomes) and lib/subscriptions/notifications.ts (Alipay). A test walks those files' outcome
 * strings (lib/admin/inbox-codes.test.ts) so a new one without a label fails.
 */

/** Every first part of an outcome the shop writes. */
export const INBOX_OUTCOMES = [
  // Recording
  "bad_signature",
  "malformed",
  "unreadable",
  // Replay
  "error",
  "provider_error",
  // Youzan
  "foreign_shop",
  "no_effect",
  "no_tid",
  "trade_not_visible_yet",
  "not_a_qr_trade",
  "unknown_order",
  "trade_not_paid_yet",
  "trade_without_amount",
  // Settlement (lib/orders/settle-decision.ts)
  "settled",
  "already_settled",
  "amount_mismatch",
  "duplicate_payment",
  "order_not_payable",
  // Alipay (lib/subscriptions/notifications.ts)
  "foreign_app",
  "foreign_seller",
  "refund_notice",
  "not_an_agreement_order",
  "unknown_agreement",
  "agreement_unsigned",
  "agreement_closed",
  "agreement_number_mismatch",
  "activated",
  "already_active",
  "no_order",
  "released",
  "unsigned",
  "already_unsigned",
  "already_closed",
  "already_pending_sign",
] as const;

/** Event kinds: Youzan push `type`s, Alipay `notify_type`s. */
export const WEBHOOK_EVENTS = [
  "trade_TradeCreate",
  "trade_TradePaid",
  "trade_TradeBuyerPay",
  "trade_TradeSuccess",
  "trade_TradeClose",
  "trade_TradeSellerShip",
  "trade_TradePartlySellerShip",
  "trade_TradeMemoModified",
  "TRADE_ORDER_STATE",
  "TRADE_ORDER_REFUND",
  "TRADE_ORDER_EXPRESS",
  "trade_status_sync",
  "dut_user_sign",
  "dut_user_unsign",
] as const;

/** The Alipay notification addresses (`/api/webhooks/alipay/<endpoint>`). */
export const ALIPAY_ENDPOINTS = ["trade", "agreement", "gateway"] as const;

/** Trade and agreement statuses the providers report. */
export const PROVIDER_STATUSES = [
  "WAIT_BUYER_PAY",
  "TRADE_PAID",
  "PAID",
  "WAIT_CONFIRM",
  "WAIT_SELLER_SEND_GOODS",
  "WAIT_BUYER_CONFIRM_GOODS",
  "TRADE_SUCCESS",
  "TRADE_FINISHED",
  "TRADE_CLOSED",
  "TRADE_BUYER_SIGNED",
  "NORMAL",
  "UNSIGN",
] as const;

/** lib/subscriptions/charge.ts ChargeResult statuses (`…:charge_<status>`). */
export const CHARGE_RESULTS = [
  "paid",
  "declined",
  "rejected",
  "agreement_gone",
  "unknown",
  "busy",
  "already_paid",
] as const;

/** Alipay outcome kinds of an unsign (`released:unsign_<kind>`). */
export const UNSIGN_RESULTS = [
  "succeeded",
  "declined",
  "rejected",
  "agreement_gone",
  "unknown",
] as const;

export const INBOX_STATUSES = [
  "received",
  "processed",
  "failed",
  "ignored",
  "rejected",
  "dead",
] as const;

/** The label groups of this file, as `admin.codes.<group>`. */
export type CodeGroup =
  | "inboxOutcome"
  | "webhookEvent"
  | "alipayEndpoint"
  | "providerStatus"
  | "chargeResult"
  | "unsignResult"
  | "providerCode"
  | "alipayCode"
  | "inboxStatus"
  | "runJob"
  | "runStatus";

/** One readable part of a stored code: a labelled code, or free text (a reason, amounts). */
export type CodePart = { group: CodeGroup; code: string } | { text: string };

const ALIPAY_TRADE_STATUS = /^(WAIT_BUYER_PAY|TRADE_[A-Z_]+)$/;

/** An inbox row's `event_type` as parts: Alipay stores `<endpoint>:<notify_type>`. */
export function eventTypeParts(
  eventType: string | null,
  provider: "youzan" | "alipay",
): CodePart[] {
  if (!eventType) return [];
  if (provider === "alipay") {
    const [endpoint, notifyType] = splitOnce(eventType, ":");
    return notifyType === null
      ? [{ group: "alipayEndpoint", code: endpoint }]
      : [
          { group: "alipayEndpoint", code: endpoint },
          { group: "webhookEvent", code: notifyType },
        ];
  }
  return [{ group: "webhookEvent", code: eventType }];
}

function splitOnce(text: string, separator: string): [string, string | null] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + separator.length)];
}

/** An inbox row's `outcome` as parts (see the file's comment). */
export function outcomeParts(outcome: string | null, provider: "youzan" | "alipay"): CodePart[] {
  if (!outcome) return [];
  // `malformed: <reason>`, `unreadable: <reason>`, `amount_mismatch: received ¥1.00, …`.
  const [head, reason] = splitOnce(outcome, ": ");
  if (reason !== null && !head.includes(":")) {
    return [{ group: "inboxOutcome", code: head }, { text: reason }];
  }
  const [first, ...rest] = outcome.split(":") as [string, ...string[]];
  const parts: CodePart[] = [{ group: "inboxOutcome", code: first }];
  switch (first) {
    case "no_effect": {
      if (rest.length >= 2) {
        parts.push({ group: "webhookEvent", code: rest[0]! });
        parts.push({ group: "providerStatus", code: rest.slice(1).join(":") });
      } else if (rest.length === 1) {
        const isStatus = provider === "alipay" && ALIPAY_TRADE_STATUS.test(rest[0]!);
        parts.push({ group: isStatus ? "providerStatus" : "webhookEvent", code: rest[0]! });
      }
      return parts;
    }
    case "trade_not_paid_yet":
      return rest.length > 0
        ? [...parts, { group: "providerStatus", code: rest.join(":") }]
        : parts;
    case "provider_error":
      return rest.length > 0 ? [...parts, { group: "providerCode", code: rest.join(":") }] : parts;
    case "activated":
    case "already_active": {
      const [charge, ...code] = rest;
      if (charge === "no_order") return [...parts, { group: "inboxOutcome", code: "no_order" }];
      if (charge?.startsWith("charge_")) {
        parts.push({ group: "chargeResult", code: charge.slice("charge_".length) });
        // Alipay's own result codes (labelled in admin.codes.alipayCode).
        if (code.length > 0) parts.push({ group: "alipayCode", code: code.join(":") });
        return parts;
      }
      break;
    }
    case "released": {
      const [unsign] = rest;
      if (unsign?.startsWith("unsign_") && rest.length === 1) {
        return [...parts, { group: "unsignResult", code: unsign.slice("unsign_".length) }];
      }
      break;
    }
  }
  // Anything else: the remaining parts raw, never dropped.
  for (const part of rest) parts.push({ group: "providerCode", code: part });
  return parts;
}

/**
 * The key a code's label lives under: message keys are paths, so characters next-intl reads as
 * structure (`.`) become `_`. `ACQ.SYSTEM_ERROR` → `ACQ_SYSTEM_ERROR`.
 */
export function labelKey(code: string): string {
  return code.replace(/[.:]/g, "_");
}
