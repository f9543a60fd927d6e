import "server-only";
import { YouzanError, type YouzanErrorCode } from "./types";

/**
 * Youzan reports failures in four places, each with its own code space (spec §1.1, §2.2–§2.4).
 * Everything the client learns about a failure is reduced to a `VendorFailure` first, and this
 * file folds it into the short domain list of `YouzanErrorCode`. Pure and table-driven: the
 * tables below are the whole policy.
 */
export type VendorFailureSource =
  /** `/auth/token`: `{success:false, code, message}`. */
  | "token"
  /** `{"gw_err_resp":{err_code, err_msg|err_message}}`: routing, auth, limits. */
  | "gateway"
  /** `{code, success:false, message, data}`: the 4.x business shape. */
  | "business"
  /** `{"error_response":{code, msg|message, sub_code?, sub_msg?}}`: the 3.0.0 legacy shape. */
  | "legacy";

export interface VendorFailure {
  source: VendorFailureSource;
  code?: number | string;
  message?: string;
  subCode?: number | string;
  subMessage?: string;
}

export interface ErrorClass {
  code: YouzanErrorCode;
  retryable: boolean;
}

/** Whether trying the same thing later can help, per domain code. */
export const RETRYABLE: Readonly<Record<YouzanErrorCode, boolean>> = {
  auth: false,
  rate_limited: true,
  not_found: true, // the trade lists lag ≥ 30 s behind the push (spec §3.3)
  invalid_request: false,
  unavailable: true,
  rejected: false,
};

const NOT_FOUND_TEXT =
  /not[\s_-]*(?:be[\s_-]*)?found|not[\s_-]*exist|no[\s_-]+such|不存在|未找到|找不到|查询不到|查不到/i;
const BAD_PARAM_TEXT = /参数|\bparam(?:eter)?s?\b|invalid[\s_-]*argument|非法|格式错误/i;

interface Rule {
  codes: readonly number[];
  /** Limits the rule to some sources; all sources when absent. */
  sources?: readonly VendorFailureSource[];
  /** The rule applies only when the vendor text (message or sub-message) matches. */
  text?: RegExp;
  result: YouzanErrorCode;
}

/** The token and API gateways reject the credential: refresh once and retry once. */
export const TOKEN_REJECTION_CODES: readonly number[] = [4201, 4202, 4203, 40009, 40010, 40011];

/** First match wins. Codes are compared as numbers (`"4203"` and `4203` are the same code). */
const RULES: readonly Rule[] = [
  // §1.1 token endpoint: wrong secret/app (1000), authorization expired (1004), bad auth code
  // (1005), client or authorization missing (1103), wrong app type (1105).
  { codes: [1000, 1004, 1005, 1103, 1105], sources: ["token"], result: "auth" },
  // §2.3 gateway codes, also honoured when another envelope carries them.
  { codes: TOKEN_REJECTION_CODES, result: "auth" },
  { codes: [4101], result: "rate_limited" },
  // §6.4.4 business-level limit codes.
  { codes: [500100004, 123000042], result: "rate_limited" },
  // Bad path (4001), body not JSON (4004), unknown api/version (4005), method/content type or IP
  // allow-list (4007), API not granted (4204), wrong param type (5001), plugin exception (5003).
  { codes: [4001, 4004, 4005, 4007, 4204, 5001, 5003], result: "invalid_request" },
  // §2.4 legacy: API not in scope (40012), bad app-level params (41000), missing/wrong param (53002).
  { codes: [40012, 41000, 53002], result: "invalid_request" },
  // §3.3 "trade not found" on the new gateway (5000 + skeleton) and the legacy one (50000).
  { codes: [5000, 50000], text: NOT_FOUND_TEXT, result: "not_found" },
  // §2.4 legacy system error.
  { codes: [-1], sources: ["legacy"], result: "unavailable" },
  // A business failure that names a parameter is our request's fault.
  { codes: [], sources: ["business", "legacy"], text: BAD_PARAM_TEXT, result: "invalid_request" },
];

/** What an unmatched failure means, per source. */
const FALLBACK: Readonly<Record<VendorFailureSource, YouzanErrorCode>> = {
  token: "auth",
  gateway: "rejected",
  business: "rejected",
  legacy: "rejected",
};

function numericCode(code: number | string | undefined): number | undefined {
  if (typeof code === "number") return Number.isFinite(code) ? code : undefined;
  if (typeof code === "string" && /^\s*-?\d+\s*$/.test(code)) return Number(code);
  return undefined;
}

function matches(rule: Rule, failure: VendorFailure, code: number | undefined): boolean {
  if (rule.sources && !rule.sources.includes(failure.source)) return false;
  // A rule without codes matches on its text alone.
  if (rule.codes.length > 0 && (code === undefined || !rule.codes.includes(code))) return false;
  if (rule.text) {
    const text = `${failure.message ?? ""} ${failure.subMessage ?? ""}`;
    if (!rule.text.test(text)) return false;
  }
  return true;
}

export function classifyVendorFailure(failure: VendorFailure): ErrorClass {
  const code = numericCode(failure.code);
  const subCode = numericCode(failure.subCode);
  const rule =
    RULES.find((r) => matches(r, failure, code)) ??
    // Legacy `sub_code` sometimes carries the more precise code.
    (subCode === undefined ? undefined : RULES.find((r) => matches(r, failure, subCode)));
  const domain = rule?.result ?? FALLBACK[failure.source];
  return { code: domain, retryable: RETRYABLE[domain] };
}

/** True when the failure says the access token is missing, expired or unknown. */
export function isTokenRejection(failure: VendorFailure): boolean {
  if (failure.source === "token") return false;
  const code = numericCode(failure.code);
  return code !== undefined && TOKEN_REJECTION_CODES.includes(code);
}

/** The YouzanError for a vendor failure; `context` names the call (never a token or secret). */
export function toYouzanError(failure: VendorFailure, context: string): YouzanError {
  const { code, retryable } = classifyVendorFailure(failure);
  const text = [failure.message, failure.subMessage].filter(Boolean).join(" / ");
  const vendorCode = failure.code ?? failure.subCode;
  return new YouzanError(
    code,
    `${context}: ${text || "failed"}${vendorCode === undefined ? "" : ` (${vendorCode})`}`,
    retryable,
    { code: vendorCode, message: text || undefined },
  );
}

/** A failure that never reached a vendor envelope (timeout, network, HTTP 5xx, bad body). */
export function unavailable(context: string, reason: string): YouzanError {
  return new YouzanError("unavailable", `${context}: ${reason}`, true);
}

/**
 * A vendor payload whose shape we cannot read (a missing tid, an amount that is not yuan).
 * Retryable: settling must not give up on a paid trade because of one odd answer, and a later
 * read (or a fixed transform) can succeed.
 */
export function unexpectedPayload(context: string, detail: string): YouzanError {
  return new YouzanError("unavailable", `${context}: unexpected payload: ${detail}`, true);
}
