import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  requestSignContent,
  rsa2Verify,
  rsaPair,
  startStubGateway,
  type RsaPair,
  type StubGateway,
  type StubReply,
} from "./__fixtures__/stub-gateway";
import { createAlipayGateway } from "./gateway";
import { isAlipayError, type AlipayConfig, type AlipayGateway, type SignTerms } from "./types";

vi.mock("@/lib/logger", () => ({
  moduleLogger: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
}));

let app: RsaPair;
let alipay: RsaPair;
let stub: StubGateway;

beforeAll(async () => {
  app = rsaPair();
  alipay = rsaPair();
  stub = await startStubGateway({
    appPublicKey: app.publicKey,
    alipayPrivateKey: alipay.privateKey,
  });
});

afterAll(() => stub.close());

beforeEach(() => {
  stub.requests.length = 0;
});

const NOW = new Date(Date.UTC(2025, 0, 15, 2, 3, 4)); // 10:03:04 in Shanghai

function config(overrides: Partial<AlipayConfig> = {}): AlipayConfig {
  return {
    gatewayUrl: stub.url,
    appId: "2021000000000001",
    privateKey: app.privateKey,
    alipayPublicKey: alipay.publicKey,
    productCode: "GENERAL_WITHHOLDING",
    timeoutMs: 2000,
    ...overrides,
  };
}

function gateway(overrides: Partial<AlipayConfig> = {}): AlipayGateway {
  return createAlipayGateway(config(overrides), { now: () => NOW });
}

const answer = (inner: Record<string, unknown>, extra: Partial<StubReply> = {}): StubReply =>
  ({ kind: "answer", inner, ...extra }) as StubReply;

function replyWith(inner: Record<string, unknown>, extra: Partial<StubReply> = {}) {
  stub.reply(() => answer(inner, extra));
}

const bizOf = (i = 0) => JSON.parse(stub.requests[i]!.body.biz_content!) as Record<string, unknown>;

const OK = { code: "10000", msg: "Success" };

describe("chargeAgreement (alipay.trade.pay)", () => {
  const input = {
    outTradeNo: "XP20250115ABC",
    agreementNo: "20255115000000000001",
    amountFen: 1990,
    subject: "Membership / month & more",
    notifyUrl: "https://shop.test/api/webhooks/alipay/trade",
  };

  it("sends the agreement deduction and maps the answer to Charged", async () => {
    replyWith({
      ...OK,
      trade_no: "2025011522001400000001",
      out_trade_no: input.outTradeNo,
      total_amount: "19.90",
      gmt_payment: "2025-01-15 10:03:05",
      buyer_user_id: "2088000000000001",
    });
    const result = await gateway().chargeAgreement(input);
    expect(result).toMatchObject({
      kind: "succeeded",
      tradeNo: "2025011522001400000001",
      outTradeNo: input.outTradeNo,
      amountFen: 1990,
      paidAt: new Date("2025-01-15T02:03:05Z"),
      buyerUserId: "2088000000000001",
      alreadyPaid: false,
    });
    const request = stub.requests[0]!;
    expect(request.signatureValid).toBe(true);
    expect(request.query.method).toBe("alipay.trade.pay");
    expect(request.query.notify_url).toBe(input.notifyUrl);
    expect(bizOf()).toEqual({
      out_trade_no: input.outTradeNo,
      total_amount: "19.90",
      subject: "Membership month more",
      product_code: "GENERAL_WITHHOLDING",
      agreement_params: { agreement_no: input.agreementNo },
    });
  });

  it("uses CYCLE_PAY_AUTH when configured, and omits notify_url when not given", async () => {
    replyWith({ ...OK, trade_no: "1", out_trade_no: input.outTradeNo, total_amount: "19.90" });
    await gateway({ productCode: "CYCLE_PAY_AUTH" }).chargeAgreement({
      ...input,
      notifyUrl: undefined,
    });
    expect(bizOf().product_code).toBe("CYCLE_PAY_AUTH");
    expect(stub.requests[0]!.query).not.toHaveProperty("notify_url");
  });

  it("formats large amounts exactly", async () => {
    replyWith({ ...OK, trade_no: "1", out_trade_no: input.outTradeNo });
    const result = await gateway().chargeAgreement({ ...input, amountFen: 9_999_999_999_999 });
    expect(bizOf().total_amount).toBe("99999999999.99");
    expect(result).toMatchObject({ kind: "succeeded", amountFen: 9_999_999_999_999 });
  });

  it("reports TRADE_HAS_SUCCESS with a trade_no as already paid", async () => {
    replyWith({
      code: "40004",
      msg: "Business Failed",
      sub_code: "ACQ.TRADE_HAS_SUCCESS",
      trade_no: "2025011522001400000001",
      out_trade_no: input.outTradeNo,
    });
    expect(await gateway().chargeAgreement(input)).toMatchObject({
      kind: "succeeded",
      alreadyPaid: true,
      tradeNo: "2025011522001400000001",
      amountFen: 1990,
    });
  });

  it("leaves TRADE_HAS_SUCCESS without a trade_no unknown, for the query to settle", async () => {
    replyWith({ code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_HAS_SUCCESS" });
    expect(await gateway().chargeAgreement(input)).toMatchObject({
      kind: "unknown",
      code: "ACQ.TRADE_HAS_SUCCESS",
    });
  });

  it.each([
    ["ACQ.BUYER_BALANCE_NOT_ENOUGH", "declined"],
    ["ACQ.AGREEMENT_NOT_EXIST", "agreement_gone"],
    ["ACQ.CYCLE_PAY_DATE_NOT_MATCH", "rejected"],
    ["ACQ.SYSTEM_ERROR", "unknown"],
  ])("maps %s to %s with the exchange", async (subCode, kind) => {
    replyWith({ code: "40004", msg: "Business Failed", sub_code: subCode, sub_msg: "text" });
    const result = await gateway().chargeAgreement(input);
    expect(result).toMatchObject({ kind, code: subCode, message: "Business Failed / text" });
    expect(result.exchange.apiMethod).toBe("alipay.trade.pay");
  });

  it("does not trust an unsigned success", async () => {
    replyWith({ ...OK, trade_no: "1", out_trade_no: input.outTradeNo }, { sign: "none" });
    expect(await gateway().chargeAgreement(input)).toMatchObject({
      kind: "unknown",
      code: "unsigned_response",
    });
  });

  it("handles an unsigned gateway error as rejected", async () => {
    replyWith(
      { code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-app-id" },
      { sign: "none" },
    );
    expect(await gateway().chargeAgreement(input)).toMatchObject({
      kind: "rejected",
      code: "isv.invalid-app-id",
    });
  });

  it("does not accept an answer about another out_trade_no", async () => {
    replyWith({ ...OK, trade_no: "1", out_trade_no: "SOMEONE_ELSE" });
    expect(await gateway().chargeAgreement(input)).toMatchObject({
      kind: "unknown",
      code: "unexpected_response",
    });
  });

  it.each([
    [{ outTradeNo: "ord-1" }],
    [{ outTradeNo: "x".repeat(65) }],
    [{ amountFen: 0 }],
    [{ amountFen: 9.5 }],
    [{ agreementNo: " " }],
    [{ subject: "///" }],
  ])("refuses %j before calling Alipay", async (bad) => {
    await expect(gateway().chargeAgreement({ ...input, ...bad })).rejects.toSatisfy(
      (e: unknown) => isAlipayError(e) && e.code === "invalid_request",
    );
    expect(stub.requests).toHaveLength(0);
  });
});

describe("queryTrade (alipay.trade.query)", () => {
  it("maps a paid trade", async () => {
    replyWith({
      ...OK,
      trade_no: "2025011522001",
      out_trade_no: "XP1",
      trade_status: "TRADE_SUCCESS",
      total_amount: "0.01",
      send_pay_date: "2025-01-15 00:00:01",
      buyer_open_id: "open-1",
    });
    expect(await gateway().queryTrade("XP1")).toMatchObject({
      kind: "succeeded",
      found: true,
      tradeNo: "2025011522001",
      outTradeNo: "XP1",
      status: "TRADE_SUCCESS",
      amountFen: 1,
      paidAt: new Date("2025-01-14T16:00:01Z"),
      buyerUserId: "open-1",
    });
    expect(bizOf()).toEqual({ out_trade_no: "XP1" });
  });

  it("answers TRADE_NOT_EXIST as found: false", async () => {
    replyWith({ code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST" });
    expect(await gateway().queryTrade("XP1")).toMatchObject({
      kind: "succeeded",
      found: false,
      tradeNo: null,
      outTradeNo: "XP1",
      status: null,
    });
  });

  it("refuses an unknown trade_status", async () => {
    replyWith({ ...OK, trade_no: "1", out_trade_no: "XP1", trade_status: "PAID?" });
    expect(await gateway().queryTrade("XP1")).toMatchObject({ kind: "unknown" });
  });

  it("maps ACQ.SYSTEM_ERROR to unknown", async () => {
    replyWith({ code: "40004", msg: "Business Failed", sub_code: "ACQ.SYSTEM_ERROR" });
    expect(await gateway().queryTrade("XP1")).toMatchObject({
      kind: "unknown",
      code: "ACQ.SYSTEM_ERROR",
    });
  });
});

describe("closeTrade and refund", () => {
  it("closes", async () => {
    replyWith({ ...OK, trade_no: "T1", out_trade_no: "XP1" });
    expect(await gateway().closeTrade("XP1")).toMatchObject({ kind: "succeeded", tradeNo: "T1" });
    expect(stub.requests[0]!.query.method).toBe("alipay.trade.close");
    expect(bizOf()).toEqual({ out_trade_no: "XP1" });
  });

  it("a close of a missing trade is rejected (only queries turn it into found: false)", async () => {
    replyWith({ code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST" });
    expect(await gateway().closeTrade("XP1")).toMatchObject({
      kind: "rejected",
      code: "ACQ.TRADE_NOT_EXIST",
    });
  });

  it("refunds, reporting whether money moved", async () => {
    replyWith({ ...OK, fund_change: "N", refund_fee: "19.90", out_trade_no: "XP1" });
    expect(
      await gateway().refund({ outTradeNo: "XP1", outRequestNo: "RF1", amountFen: 1990 }),
    ).toMatchObject({ kind: "succeeded", fundChange: false, refundedFen: 1990 });
    expect(bizOf()).toEqual({ out_trade_no: "XP1", refund_amount: "19.90", out_request_no: "RF1" });

    replyWith({ ...OK, fund_change: "Y", refund_fee: "5.00" });
    expect(
      await gateway().refund({
        outTradeNo: "XP1",
        outRequestNo: "RF2",
        amountFen: 500,
        reason: "buyer asked",
      }),
    ).toMatchObject({ kind: "succeeded", fundChange: true, refundedFen: 500 });
    expect(bizOf(1).refund_reason).toBe("buyer asked");
  });
});

describe("agreements", () => {
  const agreement = {
    ...OK,
    agreement_no: "20255115000000000001",
    external_agreement_no: "XA20250115ABC",
    personal_product_code: "CYCLE_PAY_AUTH_P",
    sign_scene: "INDUSTRY|DIGITAL_MEDIA",
    status: "NORMAL",
    sign_time: "2025-01-15 10:00:00",
    valid_time: "2025-01-15 10:00:00",
    invalid_time: "2115-02-01 00:00:00",
    principal_id: "2088000000000001",
    single_quota: "100.00",
    next_deduct_time: "2025-02-14",
    last_deduct_time: "2025-01-15 10:03:05",
  };

  it("queries by agreement_no", async () => {
    replyWith(agreement);
    expect(await gateway().queryAgreement("20255115000000000001")).toMatchObject({
      kind: "succeeded",
      found: true,
      agreementNo: "20255115000000000001",
      externalAgreementNo: "XA20250115ABC",
      status: "NORMAL",
      alipayUserId: "2088000000000001",
      signTime: new Date("2025-01-15T02:00:00Z"),
      nextDeductDate: "2025-02-14",
      lastDeductTime: new Date("2025-01-15T02:03:05Z"),
      singleQuotaFen: 10000,
    });
    expect(stub.requests[0]!.query.method).toBe("alipay.user.agreement.query");
    expect(bizOf()).toEqual({ agreement_no: "20255115000000000001" });
  });

  it("queries by our external_agreement_no with the product and scene", async () => {
    replyWith(agreement);
    await gateway().queryAgreementByExternalNo("XA20250115ABC");
    expect(bizOf()).toEqual({
      external_agreement_no: "XA20250115ABC",
      personal_product_code: "CYCLE_PAY_AUTH_P",
      sign_scene: "INDUSTRY|DIGITAL_MEDIA",
    });
  });

  it.each(["USER_AGREEMENT_NOT_EXIST", "ACQ.AGREEMENT_NOT_EXIST", "AGREEMENT_HAS_UNSIGNED"])(
    "a query answered %s is found: false",
    async (subCode) => {
      replyWith({ code: "40004", msg: "Business Failed", sub_code: subCode });
      expect(await gateway().queryAgreement("1")).toMatchObject({
        kind: "succeeded",
        found: false,
        agreementNo: null,
        status: null,
      });
    },
  );

  it("unsigns, with the unsign notify URL at the top level", async () => {
    replyWith(OK);
    expect(
      await gateway().unsignAgreement({ agreementNo: "A1", notifyUrl: "https://shop.test/g" }),
    ).toMatchObject({ kind: "succeeded" });
    expect(stub.requests[0]!.query).toMatchObject({
      method: "alipay.user.agreement.unsign",
      notify_url: "https://shop.test/g",
    });
    expect(bizOf()).toEqual({ agreement_no: "A1" });
  });

  it("an unsign of a gone agreement is agreement_gone", async () => {
    replyWith({ code: "40004", msg: "Business Failed", sub_code: "USER_AGREEMENT_NOT_EXIST" });
    expect(await gateway().unsignAgreement({ agreementNo: "A1" })).toMatchObject({
      kind: "agreement_gone",
      code: "USER_AGREEMENT_NOT_EXIST",
    });
  });

  it("modifies the execution plan", async () => {
    replyWith({ ...OK, agreement_no: "A1", deduct_time: "2025-03-01" });
    expect(
      await gateway().modifyExecutionPlan({ agreementNo: "A1", deductDate: "2025-03-01" }),
    ).toMatchObject({ kind: "succeeded", deductDate: "2025-03-01" });
    expect(stub.requests[0]!.query.method).toBe("alipay.user.agreement.executionplan.modify");
    expect(bizOf()).toEqual({ agreement_no: "A1", deduct_time: "2025-03-01" });
    await expect(
      gateway().modifyExecutionPlan({ agreementNo: "A1", deductDate: "2025-02-30" }),
    ).rejects.toThrow(/deductDate/);
  });
});

const terms: SignTerms = {
  externalAgreementNo: "XA20250115ABCDEFGHJKMN",
  periodDays: 30,
  singleAmountFen: 1990,
  executeDate: "2025-02-14",
};

/** The signed params of a page URL or order string, checked with the app's public key. */
function signedParams(text: string): Record<string, string> {
  const params = Object.fromEntries(new URLSearchParams(text));
  expect(rsa2Verify(requestSignContent(params), params.sign!, app.publicKey)).toBe(true);
  for (const [key, value] of Object.entries(params)) expect(value, key).not.toBe("");
  return params;
}

describe("pageSignUrl (alipay.user.agreement.page.sign)", () => {
  it("builds a GET URL on the gateway that verifies with the app's public key", () => {
    const url = gateway().pageSignUrl({
      ...terms,
      externalLogonId: "buyer@example.com",
      notifyUrl: "https://shop.test/api/webhooks/alipay/agreement",
      returnUrl: "https://shop.test/checkout/XP1",
    });
    const parsed = new URL(url);
    expect(`${parsed.origin}${parsed.pathname}`).toBe(stub.url);
    const params = signedParams(parsed.search);
    expect(params).toMatchObject({
      method: "alipay.user.agreement.page.sign",
      app_id: "2021000000000001",
      charset: "utf-8",
      version: "1.0",
      sign_type: "RSA2",
      timestamp: "2025-01-15 10:03:04",
      notify_url: "https://shop.test/api/webhooks/alipay/agreement",
      return_url: "https://shop.test/checkout/XP1",
    });
    expect(JSON.parse(params.biz_content!)).toEqual({
      personal_product_code: "CYCLE_PAY_AUTH_P",
      sign_scene: "INDUSTRY|DIGITAL_MEDIA",
      external_agreement_no: terms.externalAgreementNo,
      external_logon_id: "buyer@example.com",
      access_params: { channel: "ALIPAYAPP" },
      period_rule_params: {
        period_type: "DAY",
        period: 30,
        execute_time: "2025-02-14",
        single_amount: "19.90",
      },
      product_code: "GENERAL_WITHHOLDING",
    });
  });

  it("sends no return_url when none is given (an empty one breaks the signature)", () => {
    for (const returnUrl of [undefined, ""]) {
      const url = gateway().pageSignUrl({ ...terms, notifyUrl: "https://shop.test/a", returnUrl });
      const params = signedParams(new URL(url).search);
      expect(params).not.toHaveProperty("return_url");
    }
  });

  it.each([
    [{ periodDays: 6 }],
    [{ periodDays: 7.5 }],
    [{ externalAgreementNo: "agr_1" }],
    [{ externalAgreementNo: "A".repeat(33) }],
    [{ executeDate: "2025-2-14" }],
    [{ singleAmountFen: -1 }],
  ])("refuses terms %j", (bad) => {
    expect(() =>
      gateway().pageSignUrl({ ...terms, ...bad, notifyUrl: "https://shop.test/a" }),
    ).toThrow(expect.objectContaining({ code: "invalid_request" }));
  });
});

describe("appPayOrderString (alipay.trade.app.pay)", () => {
  const input = {
    outTradeNo: "XP20250115ABC",
    amountFen: 1990,
    subject: "Xiaopu membership",
    notifyUrl: "https://shop.test/api/webhooks/alipay/trade",
    sign: { ...terms, signNotifyUrl: "https://shop.test/api/webhooks/alipay/agreement" },
  };

  it("builds an order string that parses and verifies with the app's public key", () => {
    const orderString = gateway().appPayOrderString(input);
    expect(orderString).not.toContain("alipay_sdk");
    const params = signedParams(orderString);
    expect(params).toMatchObject({
      method: "alipay.trade.app.pay",
      app_id: "2021000000000001",
      timestamp: "2025-01-15 10:03:04",
      notify_url: input.notifyUrl,
    });
    expect(JSON.parse(params.biz_content!)).toEqual({
      out_trade_no: input.outTradeNo,
      total_amount: "19.90",
      subject: "Xiaopu membership",
      product_code: "GENERAL_WITHHOLDING",
      agreement_sign_params: {
        personal_product_code: "CYCLE_PAY_AUTH_P",
        sign_scene: "INDUSTRY|DIGITAL_MEDIA",
        external_agreement_no: terms.externalAgreementNo,
        access_params: { channel: "ALIPAYAPP" },
        period_rule_params: {
          period_type: "DAY",
          period: 30,
          execute_time: "2025-02-14",
          single_amount: "19.90",
        },
        product_code: "GENERAL_WITHHOLDING",
        sign_notify_url: input.sign.signNotifyUrl,
      },
    });
  });

  it("names CYCLE_PAY_AUTH at the top level only for the legacy product", () => {
    const params = signedParams(
      gateway({ productCode: "CYCLE_PAY_AUTH" }).appPayOrderString(input),
    );
    const biz = JSON.parse(params.biz_content!) as {
      product_code: string;
      agreement_sign_params: Record<string, unknown>;
    };
    expect(biz.product_code).toBe("CYCLE_PAY_AUTH");
    expect(biz.agreement_sign_params).not.toHaveProperty("product_code");
  });
});
