import "server-only";
import { createAlipayClient, type AlipayClient, type AlipayClientDeps } from "./client";
import { classifyAnswer, classifyTransport, type Operation, type Outcome } from "./outcomes";
import {
  AlipayError,
  type AgreementStatus,
  type AlipayConfig,
  type AlipayExchange,
  type AlipayFailure,
  type AlipayGateway,
  type AlipayResult,
  type Charged,
  type QueriedAgreement,
  type QueriedTrade,
  type SignTerms,
  type TradeStatus,
} from "./types";
import { fenOf, isCalendarDate, parseAlipayDate, parseAlipayTime, str, yuan } from "./wire";

export const METHODS = {
  pay: "alipay.trade.pay",
  query: "alipay.trade.query",
  close: "alipay.trade.close",
  refund: "alipay.trade.refund",
  agreementQuery: "alipay.user.agreement.query",
  unsign: "alipay.user.agreement.unsign",
  modify: "alipay.user.agreement.executionplan.modify",
  pageSign: "alipay.user.agreement.page.sign",
  appPay: "alipay.trade.app.pay",
} as const;

/** The personal product of periodic deduction (周期扣款 / 商家扣款 alike, spec §1.1). */
export const PERSONAL_PRODUCT_CODE = "CYCLE_PAY_AUTH_P";
/** Our industry scene; required (and not DEFAULT|DEFAULT) with `external_agreement_no`. */
export const SIGN_SCENE = "INDUSTRY|DIGITAL_MEDIA";
/** The signing page opens in the Alipay app (also when a desktop shows it as a QR code). */
export const ACCESS_CHANNEL = "ALIPAYAPP";
/** Alipay refuses DAY periods shorter than this (spec §6). */
export const MIN_PERIOD_DAYS = 7;

const TRADE_STATUSES: readonly TradeStatus[] = [
  "WAIT_BUYER_PAY",
  "TRADE_CLOSED",
  "TRADE_SUCCESS",
  "TRADE_FINISHED",
];
const AGREEMENT_STATUSES: readonly AgreementStatus[] = ["TEMP", "NORMAL", "STOP"];

function invalid(message: string): never {
  throw new AlipayError("invalid_request", message);
}

function checkAmount(name: string, fen: number): void {
  if (!Number.isSafeInteger(fen) || fen <= 0) {
    invalid(`${name} must be a positive integer number of fen, got ${fen}`);
  }
}

function checkOutTradeNo(value: string): void {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(value)) {
    invalid(
      `out_trade_no must be 1–64 letters, digits or underscores, got ${JSON.stringify(value)}`,
    );
  }
}

function checkPresent(name: string, value: string): void {
  if (typeof value !== "string" || value.trim() === "") invalid(`${name} must not be empty`);
}

/** Alipay refuses `/ = &` in `subject`: replaced, not refused (a plan name may contain them). */
function subjectOf(subject: string): string {
  const clean = subject.replace(/[/=&]/g, " ").replace(/\s+/g, " ").trim().slice(0, 256);
  if (clean === "") invalid("subject must not be empty");
  return clean;
}

function checkTerms(terms: SignTerms): void {
  if (!/^[A-Za-z0-9]{1,32}$/.test(terms.externalAgreementNo)) {
    invalid(
      `external_agreement_no must be 1–32 letters or digits, got ${JSON.stringify(terms.externalAgreementNo)}`,
    );
  }
  if (!Number.isSafeInteger(terms.periodDays) || terms.periodDays < MIN_PERIOD_DAYS) {
    invalid(`periodDays must be an integer ≥ ${MIN_PERIOD_DAYS}, got ${terms.periodDays}`);
  }
  checkAmount("singleAmountFen", terms.singleAmountFen);
  if (!isCalendarDate(terms.executeDate)) {
    invalid(`executeDate must be a YYYY-MM-DD date, got ${JSON.stringify(terms.executeDate)}`);
  }
}

/** `period_rule_params` and the rest of what the buyer signs (spec §4.2, §4.10). */
function signParams(terms: SignTerms) {
  return {
    personal_product_code: PERSONAL_PRODUCT_CODE,
    sign_scene: SIGN_SCENE,
    external_agreement_no: terms.externalAgreementNo,
    external_logon_id: terms.externalLogonId,
    access_params: { channel: ACCESS_CHANNEL },
    period_rule_params: {
      period_type: "DAY",
      period: terms.periodDays,
      execute_time: terms.executeDate,
      single_amount: yuan(terms.singleAmountFen),
    },
  };
}

type Failure = AlipayFailure & { exchange: AlipayExchange };

function failed(outcome: Outcome, exchange: AlipayExchange): Failure {
  if (outcome.kind === "succeeded") throw new Error("a success is not a failure");
  return { kind: outcome.kind, code: outcome.code, message: outcome.message, exchange };
}

/** The gateway's verdict on one exec, before the method's own transform. */
type Verdict =
  | { ok: true; outcome: Outcome; data: Record<string, unknown>; exchange: AlipayExchange }
  | { ok: false; failure: Failure };

async function call(
  client: AlipayClient,
  operation: Operation,
  method: string,
  bizContent: Record<string, unknown>,
  top?: { notify_url?: string },
): Promise<Verdict> {
  const result = await client.exec(method, bizContent, top);
  if (!result.ok) return { ok: false, failure: failed(result.failure, result.exchange) };
  const outcome = classifyAnswer(result.data, operation);
  if (outcome.kind !== "succeeded") {
    return { ok: false, failure: failed(outcome, result.exchange) };
  }
  // Anyone on the path can write an unsigned "10000"; Alipay signs its business answers.
  if (!result.signed) {
    return {
      ok: false,
      failure: failed(classifyTransport({ reason: "unsigned_success" }), result.exchange),
    };
  }
  return { ok: true, outcome, data: result.data, exchange: result.exchange };
}

function unexpected(detail: string, exchange: AlipayExchange): Failure {
  return failed(classifyTransport({ reason: "unexpected_response", detail }), exchange);
}

function toQueriedAgreement(data: Record<string, unknown>): QueriedAgreement {
  const status = str(data.status);
  return {
    found: true,
    agreementNo: str(data.agreement_no),
    externalAgreementNo: str(data.external_agreement_no),
    status: AGREEMENT_STATUSES.includes(status as AgreementStatus)
      ? (status as AgreementStatus)
      : null,
    alipayUserId: str(data.principal_id) ?? str(data.alipay_user_id) ?? str(data.principal_open_id),
    signTime: parseAlipayTime(data.sign_time),
    nextDeductDate: parseAlipayDate(data.next_deduct_time),
    lastDeductTime: parseAlipayTime(data.last_deduct_time),
    singleQuotaFen: fenOf(data.single_quota),
  };
}

const AGREEMENT_NOT_FOUND: QueriedAgreement = {
  found: false,
  agreementNo: null,
  externalAgreementNo: null,
  status: null,
  alipayUserId: null,
  signTime: null,
  nextDeductDate: null,
  lastDeductTime: null,
  singleQuotaFen: null,
};

/** The port implementation over the raw client. `client` is injectable for tests. */
export function createAlipayGateway(
  config: AlipayConfig,
  deps: AlipayClientDeps & { client?: AlipayClient } = {},
): AlipayGateway {
  const client = deps.client ?? createAlipayClient(config, deps);
  const productCode = config.productCode;

  async function queryAgreementBy(
    bizContent: Record<string, unknown>,
  ): Promise<AlipayResult<QueriedAgreement>> {
    const v = await call(client, "agreement_query", METHODS.agreementQuery, bizContent);
    if (!v.ok) return v.failure;
    if (v.outcome.notFound)
      return { kind: "succeeded", ...AGREEMENT_NOT_FOUND, exchange: v.exchange };
    const agreement = toQueriedAgreement(v.data);
    if (!agreement.agreementNo) return unexpected("agreement without agreement_no", v.exchange);
    return { kind: "succeeded", ...agreement, exchange: v.exchange };
  }

  return {
    async chargeAgreement(input) {
      checkOutTradeNo(input.outTradeNo);
      checkPresent("agreementNo", input.agreementNo);
      checkAmount("amountFen", input.amountFen);
      const v = await call(
        client,
        "charge",
        METHODS.pay,
        {
          out_trade_no: input.outTradeNo,
          total_amount: yuan(input.amountFen),
          subject: subjectOf(input.subject),
          product_code: productCode,
          agreement_params: { agreement_no: input.agreementNo },
        },
        { notify_url: input.notifyUrl },
      );
      if (!v.ok) return v.failure;
      const { data, exchange } = v;
      const outTradeNo = str(data.out_trade_no) ?? input.outTradeNo;
      if (outTradeNo !== input.outTradeNo) {
        return unexpected(`answer for out_trade_no ${outTradeNo}`, exchange);
      }
      const tradeNo = str(data.trade_no);
      if (!tradeNo) {
        // TRADE_HAS_SUCCESS usually names no trade: only the query can say which one paid.
        return v.outcome.alreadyPaid
          ? failed(
              {
                kind: "unknown",
                code: v.outcome.code,
                message: "already paid under this out_trade_no; ask alipay.trade.query",
              },
              exchange,
            )
          : unexpected("success without trade_no", exchange);
      }
      const charged: Charged = {
        tradeNo,
        outTradeNo,
        amountFen: fenOf(data.total_amount) ?? input.amountFen,
        paidAt: parseAlipayTime(data.gmt_payment),
        buyerUserId: str(data.buyer_user_id) ?? str(data.buyer_open_id),
        alreadyPaid: v.outcome.alreadyPaid === true,
      };
      return { kind: "succeeded", ...charged, exchange };
    },

    async queryTrade(outTradeNo) {
      checkOutTradeNo(outTradeNo);
      const v = await call(client, "trade_query", METHODS.query, { out_trade_no: outTradeNo });
      if (!v.ok) return v.failure;
      const { data, exchange } = v;
      if (v.outcome.notFound) {
        const none: QueriedTrade = {
          found: false,
          tradeNo: null,
          outTradeNo,
          status: null,
          amountFen: null,
          paidAt: null,
          buyerUserId: null,
        };
        return { kind: "succeeded", ...none, exchange };
      }
      const status = str(data.trade_status);
      if (!TRADE_STATUSES.includes(status as TradeStatus)) {
        return unexpected(`trade_status ${JSON.stringify(status)}`, exchange);
      }
      const answered = str(data.out_trade_no) ?? outTradeNo;
      if (answered !== outTradeNo)
        return unexpected(`answer for out_trade_no ${answered}`, exchange);
      const trade: QueriedTrade = {
        found: true,
        tradeNo: str(data.trade_no),
        outTradeNo,
        status: status as TradeStatus,
        amountFen: fenOf(data.total_amount),
        // `send_pay_date` is the payment time here (there is no gmt_payment, spec §4.5).
        paidAt: parseAlipayTime(data.send_pay_date) ?? parseAlipayTime(data.gmt_payment),
        buyerUserId: str(data.buyer_user_id) ?? str(data.buyer_open_id),
      };
      return { kind: "succeeded", ...trade, exchange };
    },

    async closeTrade(outTradeNo) {
      checkOutTradeNo(outTradeNo);
      const v = await call(client, "command", METHODS.close, { out_trade_no: outTradeNo });
      if (!v.ok) return v.failure;
      return { kind: "succeeded", tradeNo: str(v.data.trade_no), exchange: v.exchange };
    },

    async refund(input) {
      checkOutTradeNo(input.outTradeNo);
      checkAmount("amountFen", input.amountFen);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(input.outRequestNo)) {
        invalid(`out_request_no must be 1–64 letters, digits or _ . -`);
      }
      const v = await call(client, "command", METHODS.refund, {
        out_trade_no: input.outTradeNo,
        refund_amount: yuan(input.amountFen),
        out_request_no: input.outRequestNo,
        refund_reason: input.reason,
      });
      if (!v.ok) return v.failure;
      const refundedFen = fenOf(v.data.refund_fee);
      if (refundedFen === null) return unexpected("refund without refund_fee", v.exchange);
      return {
        kind: "succeeded",
        fundChange: v.data.fund_change === "Y",
        refundedFen,
        exchange: v.exchange,
      };
    },

    queryAgreement(agreementNo) {
      checkPresent("agreementNo", agreementNo);
      // With agreement_no Alipay ignores every other identifier (spec §4.9).
      return queryAgreementBy({ agreement_no: agreementNo });
    },

    queryAgreementByExternalNo(externalAgreementNo) {
      checkPresent("externalAgreementNo", externalAgreementNo);
      return queryAgreementBy({
        external_agreement_no: externalAgreementNo,
        personal_product_code: PERSONAL_PRODUCT_CODE,
        sign_scene: SIGN_SCENE,
      });
    },

    async unsignAgreement(input) {
      checkPresent("agreementNo", input.agreementNo);
      const v = await call(
        client,
        "command",
        METHODS.unsign,
        { agreement_no: input.agreementNo },
        { notify_url: input.notifyUrl },
      );
      if (!v.ok) return v.failure;
      return { kind: "succeeded", exchange: v.exchange };
    },

    async modifyExecutionPlan(input) {
      checkPresent("agreementNo", input.agreementNo);
      if (!isCalendarDate(input.deductDate)) {
        invalid(`deductDate must be a YYYY-MM-DD date, got ${JSON.stringify(input.deductDate)}`);
      }
      const v = await call(client, "command", METHODS.modify, {
        agreement_no: input.agreementNo,
        deduct_time: input.deductDate,
        memo: input.memo,
      });
      if (!v.ok) return v.failure;
      return {
        kind: "succeeded",
        deductDate: parseAlipayDate(v.data.deduct_time) ?? input.deductDate,
        exchange: v.exchange,
      };
    },

    pageSignUrl(input) {
      checkTerms(input);
      checkPresent("notifyUrl", input.notifyUrl);
      return client.pageUrl(
        METHODS.pageSign,
        { ...signParams(input), product_code: productCode },
        // `return_url` only when given: an empty one breaks the signature (spec §2.5 trap 7).
        { notify_url: input.notifyUrl, return_url: input.returnUrl },
      );
    },

    appPayOrderString(input) {
      checkOutTradeNo(input.outTradeNo);
      checkAmount("amountFen", input.amountFen);
      checkTerms(input.sign);
      checkPresent("notifyUrl", input.notifyUrl);
      checkPresent("signNotifyUrl", input.sign.signNotifyUrl);
      return client.orderString(
        METHODS.appPay,
        {
          out_trade_no: input.outTradeNo,
          total_amount: yuan(input.amountFen),
          subject: subjectOf(input.subject),
          product_code: productCode,
          agreement_sign_params: {
            ...signParams(input.sign),
            // 商家扣款 names its product inside the sign params too (spec §1.1, §4.2).
            product_code: productCode === "GENERAL_WITHHOLDING" ? productCode : undefined,
            sign_notify_url: input.sign.signNotifyUrl,
          },
        },
        { notify_url: input.notifyUrl },
      );
    },
  };
}
