import "server-only";
import { hasBrand } from "@/lib/errors";

/**
 * The shop's view of Alipay periodic deduction: domain types and the port that the membership
 * and billing code depend on. Vendor shapes (snake_case fields, yuan strings, `code`/`sub_code`,
 * the SDK's classes) never leave this folder. The sandbox (lib/sandbox/alipay) and live Alipay
 * both sit behind the same client: only the gateway URL and the keys differ.
 */

/** Configuration of the client; resolved from env (live) or from the sandbox's keys. */
export interface AlipayConfig {
  /** v2 gateway, e.g. https://openapi.alipay.com/gateway.do or http://127.0.0.1:3000/sandbox/alipay/gateway.do */
  gatewayUrl: string;
  appId: string;
  /** The app's private key: PKCS#1 or PKCS#8, PEM or bare base64 (detected). */
  privateKey: string;
  /** Alipay's public key (not the app's): PEM or bare base64. */
  alipayPublicKey: string;
  /** The merchant's PID (2088…); notifications for another seller change nothing. */
  sellerId?: string;
  /** `GENERAL_WITHHOLDING` (商家扣款, default) or `CYCLE_PAY_AUTH` (周期扣款). */
  productCode: AlipayProductCode;
  /** Per HTTP request (default 5 s, the SDK's); tests pass less. */
  timeoutMs?: number;
}

export type AlipayProductCode = "GENERAL_WITHHOLDING" | "CYCLE_PAY_AUTH";

/**
 * What one call to the gateway looked like, for `deduction_logs`: the request as sent (protocol
 * params and biz_content; never `sign` or a key) and the response as received (parsed JSON, or
 * the first KiB of a body that was not JSON), with the HTTP status and the time it took.
 */
export interface AlipayExchange {
  apiMethod: string;
  request: Record<string, unknown>;
  response: unknown;
  httpStatus: number | null;
  durationMs: number;
}

/**
 * Every vendor result folds into one of these (one table in the client, tested code by code):
 * - `succeeded`: `10000`, or `ACQ.TRADE_HAS_SUCCESS` for our own `out_trade_no` (confirm by query).
 * - `declined`: the buyer's side failed (balance, bank card, risk…): retryable later in the window.
 * - `agreement_gone`: the agreement is unsigned, invalid, paused or missing: stop charging it.
 * - `rejected`: not retryable (caps, window, merchant/config/request errors, bad signature).
 * - `unknown`: timeout, network error, `ACQ.SYSTEM_ERROR`, `20000`, HTTP 5xx, an HTML or
 *   unreadable body, a response whose signature does not verify: ask `alipay.trade.query`.
 */
export type AlipayOutcomeKind =
  "succeeded" | "declined" | "agreement_gone" | "rejected" | "unknown";

export interface AlipayFailure {
  kind: Exclude<AlipayOutcomeKind, "succeeded">;
  /** `sub_code` when there is one, else `code`, else a local code (`timeout`, `http_502`, …). */
  code: string;
  message: string;
}

export type AlipayResult<T> =
  | ({ kind: "succeeded" } & T & { exchange: AlipayExchange })
  | (AlipayFailure & { exchange: AlipayExchange });

export interface ChargeInput {
  /** Ours, deterministic per (agreement, period, attempt): ≤ 64 chars, [A-Za-z0-9_]. */
  outTradeNo: string;
  agreementNo: string;
  amountFen: number;
  subject: string;
  /** Trade notification target (absent → no trade notify). */
  notifyUrl?: string;
}

export interface Charged {
  tradeNo: string;
  outTradeNo: string;
  amountFen: number;
  paidAt: Date | null;
  buyerUserId: string | null;
  /** `ACQ.TRADE_HAS_SUCCESS`: already paid earlier under this `out_trade_no`. */
  alreadyPaid: boolean;
}

export type TradeStatus = "WAIT_BUYER_PAY" | "TRADE_CLOSED" | "TRADE_SUCCESS" | "TRADE_FINISHED";

export interface QueriedTrade {
  /** `ACQ.TRADE_NOT_EXIST` is a succeeded query with `found: false`. */
  found: boolean;
  tradeNo: string | null;
  outTradeNo: string;
  status: TradeStatus | null;
  amountFen: number | null;
  paidAt: Date | null;
  buyerUserId: string | null;
}

export interface RefundInput {
  outTradeNo: string;
  /** Reused on retries: Alipay refunds once per value. */
  outRequestNo: string;
  amountFen: number;
  reason?: string;
}

export interface Refunded {
  /** `fund_change`: money moved by this call (false on an idempotent repeat). */
  fundChange: boolean;
  /** Cumulative refunded amount of the trade. */
  refundedFen: number;
}

export type AgreementStatus = "TEMP" | "NORMAL" | "STOP";

export interface QueriedAgreement {
  /** `USER_AGREEMENT_NOT_EXIST` is a succeeded query with `found: false`. */
  found: boolean;
  agreementNo: string | null;
  externalAgreementNo: string | null;
  status: AgreementStatus | null;
  alipayUserId: string | null;
  signTime: Date | null;
  /** Asia/Shanghai calendar date `YYYY-MM-DD`. */
  nextDeductDate: string | null;
  lastDeductTime: Date | null;
  singleQuotaFen: number | null;
}

/** What the buyer agrees to: charged every `periodDays` days, at most `singleAmountFen` each. */
export interface SignTerms {
  /** Ours (`external_agreement_no`): letters and digits, ≤ 32 chars. */
  externalAgreementNo: string;
  periodDays: number;
  singleAmountFen: number;
  /** Asia/Shanghai date `YYYY-MM-DD` of the first deduction (`execute_time`). */
  executeDate: string;
  /** Shown by Alipay on the signing page (e.g. the buyer's email), optional. */
  externalLogonId?: string;
}

export interface PageSignInput extends SignTerms {
  /** Where `dut_user_sign` goes (page.sign's top-level `notify_url`). */
  notifyUrl: string;
  /** Where the browser returns after signing, optional (never sent empty). */
  returnUrl?: string;
}

export interface AppPayInput {
  outTradeNo: string;
  amountFen: number;
  subject: string;
  /** Trade notification target. */
  notifyUrl: string;
  /** Pay then sign: the agreement to offer with the payment. */
  sign: SignTerms & { signNotifyUrl: string };
}

/** The port: everything the shop needs from Alipay. Each call resolves; it never throws for a vendor answer. */
export interface AlipayGateway {
  /** `alipay.trade.pay` with `agreement_params.agreement_no` (each renewal, and period 1 after page.sign). */
  chargeAgreement(input: ChargeInput): Promise<AlipayResult<Charged>>;
  /** `alipay.trade.query` by `out_trade_no`: the truth after any unknown outcome. */
  queryTrade(outTradeNo: string): Promise<AlipayResult<QueriedTrade>>;
  /** `alipay.trade.close` (unpaid trades only). */
  closeTrade(outTradeNo: string): Promise<AlipayResult<{ tradeNo: string | null }>>;
  /** `alipay.trade.refund`, idempotent per `outRequestNo`. */
  refund(input: RefundInput): Promise<AlipayResult<Refunded>>;
  /** `alipay.user.agreement.query` by Alipay's agreement number. */
  queryAgreement(agreementNo: string): Promise<AlipayResult<QueriedAgreement>>;
  /**
   * `alipay.user.agreement.query` by ours (`external_agreement_no` with `personal_product_code`
   * and `sign_scene`): whether a buyer signed before the sign notification arrived.
   */
  queryAgreementByExternalNo(externalAgreementNo: string): Promise<AlipayResult<QueriedAgreement>>;
  /** `alipay.user.agreement.unsign`; `notifyUrl` receives `dut_user_unsign`. */
  unsignAgreement(input: {
    agreementNo: string;
    notifyUrl?: string;
  }): Promise<AlipayResult<Record<never, never>>>;
  /** `alipay.user.agreement.executionplan.modify`: move the next deduction later. */
  modifyExecutionPlan(input: {
    agreementNo: string;
    deductDate: string;
    memo?: string;
  }): Promise<AlipayResult<{ deductDate: string }>>;
  /** `pageExecute('alipay.user.agreement.page.sign', 'GET')`: the URL a buyer opens or scans. */
  pageSignUrl(input: PageSignInput): string;
  /** `sdkExecute('alipay.trade.app.pay')` with `agreement_sign_params`: the app's order string. */
  appPayOrderString(input: AppPayInput): string;
}

/** A notification after verification and parsing; nothing in it is trusted before `verified`. */
export type AlipayNotification =
  | {
      kind: "trade";
      notifyId: string;
      appId: string | null;
      sellerId: string | null;
      outTradeNo: string;
      tradeNo: string;
      status: TradeStatus | string;
      totalAmountFen: number | null;
      /** Refund notifies: cumulative refunded amount and our `out_request_no`. */
      refundFeeFen: number | null;
      outBizNo: string | null;
      buyerUserId: string | null;
      paidAt: Date | null;
    }
  | {
      kind: "agreement_signed" | "agreement_unsigned";
      notifyId: string;
      appId: string | null;
      agreementNo: string;
      externalAgreementNo: string | null;
      /** `NORMAL` on sign, `UNSIGN` on unsign. */
      status: string;
      alipayUserId: string | null;
      /** sign_time / unsign_time. */
      at: Date | null;
    }
  | { kind: "other"; notifyId: string | null; notifyType: string | null };

export type AlipayErrorCode = "invalid_config" | "invalid_request";

const ALIPAY_ERROR = Symbol.for("xiaopu.AlipayError");

/** Thrown only for our own mistakes (a key that does not parse, an input that breaks a rule). */
export class AlipayError extends Error {
  readonly [ALIPAY_ERROR] = true;

  constructor(
    readonly code: AlipayErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "AlipayError";
  }
}

export function isAlipayError(error: unknown): error is AlipayError {
  return hasBrand(error, ALIPAY_ERROR);
}
