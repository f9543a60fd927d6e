import "server-only";
import type { AlipayOutcomeKind } from "./types";

/**
 * The one table from Alipay's answers to the shop's outcomes (spec §4.1, §4.4–§4.9). Every vendor
 * code we know is listed once, with what it means for us; a code not listed falls back by its
 * gateway `code` (below). Pure: the client reduces each call to an `Answer` or a `Transport`
 * failure first, and this file decides.
 */

/** What the call was for: "not found" is an answer for a query, a failure for anything else. */
export type Operation = "charge" | "trade_query" | "agreement_query" | "command";

export interface Outcome {
  kind: AlipayOutcomeKind;
  /** `sub_code`, else `code`, else a local code (`timeout`, `http_502`, …). */
  code: string;
  message: string;
  /** `ACQ.TRADE_HAS_SUCCESS` on a charge: paid earlier under the same `out_trade_no`. */
  alreadyPaid?: true;
  /** A query for something Alipay does not have: a succeeded query with `found: false`. */
  notFound?: true;
}

interface Rule {
  kind: AlipayOutcomeKind;
  /** Only on a charge does it mean what `kind` says; elsewhere it is `rejected`. */
  chargeOnly?: true;
  /** On this query it means "not found" (a succeeded query). */
  notFoundOn?: Operation;
}

const unknown: Rule = { kind: "unknown" };
const declined: Rule = { kind: "declined" };
const agreementGone: Rule = { kind: "agreement_gone" };
const rejected: Rule = { kind: "rejected" };

/** By `sub_code` (checked before `code`). */
export const SUB_CODES: Readonly<Record<string, Rule>> = {
  // Outcome unknown: ask alipay.trade.query, then retry with the same out_trade_no (§4.4).
  "ACQ.SYSTEM_ERROR": unknown,
  "isp.unknow-error": unknown,
  "aop.unknow-error": unknown,
  // Charged earlier under this out_trade_no (also urllib's silent resend after a reset, §2.5.8).
  "ACQ.TRADE_HAS_SUCCESS": { kind: "succeeded", chargeOnly: true },
  // The buyer's side: retry later inside the same window with a new out_trade_no.
  "ACQ.BUYER_BALANCE_NOT_ENOUGH": declined,
  "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH": declined,
  "ACQ.PAYMENT_FAIL": declined,
  "ACQ.NO_PAYMENT_INSTRUMENTS_AVAILABLE": declined,
  "ACQ.ERROR_BALANCE_PAYMENT_DISABLE": declined,
  "ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR": declined,
  "ACQ.BUYER_PAYMENT_AMOUNT_MONTH_LIMIT_ERROR": declined,
  "ACQ.PAYMENT_REQUEST_HAS_RISK": declined,
  "ACQ.BUYER_ENABLE_STATUS_FORBID": declined,
  "ACQ.ERROR_BUYER_CERTIFY_LEVEL_LIMIT": declined,
  // The agreement is gone, expired or paused: stop charging it (a query says "not found").
  "ACQ.AGREEMENT_NOT_EXIST": { kind: "agreement_gone", notFoundOn: "agreement_query" },
  "ACQ.AGREEMENT_INVALID": agreementGone,
  "ACQ.AGREEMENT_STATUS_NOT_NORMAL": agreementGone,
  "ACQ.AGREEMENT_ERROR": agreementGone,
  USER_AGREEMENT_NOT_EXIST: { kind: "agreement_gone", notFoundOn: "agreement_query" },
  "ACQ.USER_AGREEMENT_NOT_EXIST": { kind: "agreement_gone", notFoundOn: "agreement_query" },
  AGREEMENT_HAS_UNSIGNED: { kind: "agreement_gone", notFoundOn: "agreement_query" },
  "ACQ.AGREEMENT_HAS_UNSIGNED": { kind: "agreement_gone", notFoundOn: "agreement_query" },
  // No such trade: a query's answer; a failure of a close or refund.
  "ACQ.TRADE_NOT_EXIST": { kind: "rejected", notFoundOn: "trade_query" },
  // Not retryable: window, caps, idempotency clashes, merchant/config/request errors.
  "ACQ.CYCLE_PAY_DATE_NOT_MATCH": rejected,
  "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED": rejected,
  "ACQ.CYCLE_PAY_TOTAL_FEE_EXCEED": rejected,
  "ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED": rejected,
  "ACQ.CONTEXT_INCONSISTENT": rejected,
  "ACQ.TRADE_HAS_CLOSE": rejected,
  "ACQ.MERCHANT_AGREEMENT_NOT_EXIST": rejected,
  "ACQ.MERCHANT_AGREEMENT_INVALID": rejected,
  "ACQ.MERCHANT_STATUS_NOT_NORMAL": rejected,
  "ACQ.ACCESS_FORBIDDEN": rejected,
  "ACQ.PARTNER_ERROR": rejected,
  "ACQ.INVALID_PARAMETER": rejected,
  "ACQ.TOTAL_FEE_EXCEED": rejected,
  "ACQ.EXIST_FORBIDDEN_WORD": rejected,
  "ACQ.BUYER_SELLER_EQUAL": rejected,
  "ACQ.TRADE_BUYER_NOT_MATCH": rejected,
  "ACQ.SELLER_BEEN_BLOCKED": rejected,
  "ACQ.BEYOND_PAY_RESTRICTION": rejected,
  "ACQ.BEYOND_PER_RECEIPT_RESTRICTION": rejected,
  "ACQ.INVALID_STORE_ID": rejected,
  "ACQ.SECONDARY_MERCHANT_STATUS_ERROR": rejected,
  "ACQ.RISK_MERCHANT_IP_NOT_EXIST": rejected,
  "ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR": rejected,
  "ACQ.PRODUCT_AMOUNT_LIMIT_ERROR": rejected,
  // Close and refund (§4.6, §4.7).
  "ACQ.TRADE_STATUS_ERROR": rejected,
  "ACQ.REASON_TRADE_STATUS_INVALID": rejected,
  "ACQ.SELLER_BALANCE_NOT_ENOUGH": rejected,
  "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL": rejected,
  "ACQ.REASON_TRADE_BEEN_FREEZEN": rejected,
  "ACQ.TRADE_HAS_FINISHED": rejected,
  "ACQ.DISCORDANT_REPEAT_REQUEST": rejected,
  "ACQ.REASON_TRADE_REFUND_FEE_ERR": rejected,
  "ACQ.TRADE_NOT_ALLOW_REFUND": rejected,
  "ACQ.REFUND_FEE_ERROR": rejected,
  "ACQ.NOT_ALLOW_PARTIAL_REFUND": rejected,
  // Agreement APIs (§4.8, §4.9).
  INVALID_PARAMETER: rejected,
  AUTHOREE_IS_NOT_MATCH: rejected,
  MERCHANT_STATUS_IS_NOT_NORMAL: rejected,
  PARENT_MERCHANT_QUERY_FAIL: rejected,
  PRODUCT_CODE_NOT_SUPPORTED_ERROR: rejected,
  USER_NOT_EXIST_ERROR: rejected,
  // Gateway errors: configuration or our bug; never retried as they are (§4.1).
  "isv.invalid-signature": rejected,
  "isv.invalid-app-id": rejected,
  "isv.invalid-timestamp": rejected,
  "isv.invalid-method": rejected,
  "isv.invalid-parameter": rejected,
  "isv.missing-signature-config": rejected,
  "isv.insufficient-isv-permissions": rejected,
  "isv.app-call-limited": rejected,
  "isv.method-call-limited": rejected,
};

/** By `code`, when the `sub_code` is absent or not listed. */
export const CODES: Readonly<Record<string, Rule>> = {
  "10000": { kind: "succeeded" },
  // 业务处理中: accepted, result later (query).
  "10003": unknown,
  "20000": unknown,
  // Token permissions: configuration.
  "20001": rejected,
  "40001": rejected,
  "40002": rejected,
  "40003": rejected,
  "40004": rejected,
  "40005": rejected,
  "40006": rejected,
};

export interface Answer {
  code?: unknown;
  msg?: unknown;
  sub_code?: unknown;
  sub_msg?: unknown;
}

const text = (value: unknown) => (typeof value === "string" ? value : "");

/**
 * The outcome of an answer the gateway gave. `10000` wins over any `sub_code`; a listed
 * `sub_code` over its `code`; an unlisted `sub_code` falls back to its `code` (40004 → rejected);
 * a `code` we do not know at all (not 10000, 20000 or 4000x) is `unknown`: we cannot say that
 * nothing happened.
 */
export function classifyAnswer(answer: Answer, operation: Operation): Outcome {
  // Alipay's codes are strings: anything else is not an answer we can read.
  const code = text(answer.code);
  const subCode = text(answer.sub_code);
  const message = [text(answer.msg), text(answer.sub_msg)].filter(Boolean).join(" / ");
  const outCode = subCode || code || "no_code";
  if (code === "10000") return { kind: "succeeded", code, message };
  const rule = (subCode ? SUB_CODES[subCode] : undefined) ?? CODES[code] ?? unknown;
  if (rule.notFoundOn === operation) {
    return { kind: "succeeded", code: outCode, message, notFound: true };
  }
  if (rule.chargeOnly && operation !== "charge") {
    return { kind: "rejected", code: outCode, message };
  }
  if (rule.kind === "succeeded") {
    // The only non-10000 success is TRADE_HAS_SUCCESS on a charge.
    return { kind: "succeeded", code: outCode, message, alreadyPaid: true };
  }
  return { kind: rule.kind, code: outCode, message: message || `Alipay answered ${outCode}` };
}

/** Why a call ended without an answer we can trust; each one leaves the outcome unknown. */
export type TransportFailure =
  | { reason: "timeout"; timeoutMs: number }
  | { reason: "network"; detail: string }
  | { reason: "http_status"; status: number }
  | { reason: "not_json" }
  | { reason: "no_response_key" }
  | { reason: "invalid_signature" }
  | { reason: "unsigned_success" }
  | { reason: "unexpected_response"; detail: string }
  | { reason: "client_error"; detail: string };

/**
 * Every transport failure is `unknown`: the request may have reached Alipay and moved money, so
 * only `alipay.trade.query` can tell. A signature that does not verify, or a success that carries
 * none, is not an answer from Alipay at all.
 */
export function classifyTransport(failure: TransportFailure): Outcome {
  switch (failure.reason) {
    case "timeout":
      return {
        kind: "unknown",
        code: "timeout",
        message: `no answer within ${failure.timeoutMs} ms`,
      };
    case "network":
      return { kind: "unknown", code: "network_error", message: failure.detail };
    case "http_status":
      return {
        kind: "unknown",
        code: `http_${failure.status}`,
        message: `HTTP ${failure.status} from the gateway`,
      };
    case "not_json":
      return { kind: "unknown", code: "invalid_body", message: "the gateway's body is not JSON" };
    case "no_response_key":
      return {
        kind: "unknown",
        code: "invalid_body",
        message: "the gateway's body has no response object",
      };
    case "invalid_signature":
      return {
        kind: "unknown",
        code: "invalid_signature",
        message: "the response signature does not verify with Alipay's public key",
      };
    case "unsigned_success":
      return {
        kind: "unknown",
        code: "unsigned_response",
        message: "a success without a signature is not trusted",
      };
    case "unexpected_response":
      return { kind: "unknown", code: "unexpected_response", message: failure.detail };
    case "client_error":
      return { kind: "unknown", code: "client_error", message: failure.detail };
  }
}
