import { describe, expect, it } from "vitest";
import {
  classifyAnswer,
  classifyTransport,
  CODES,
  SUB_CODES,
  type Operation,
  type TransportFailure,
} from "./outcomes";
import type { AlipayOutcomeKind } from "./types";

/** Every sub_code of the table with the outcome of a charge (spec §4.1, §4.4–§4.9). */
const EXPECTED: Record<string, AlipayOutcomeKind> = {
  "ACQ.SYSTEM_ERROR": "unknown",
  "isp.unknow-error": "unknown",
  "aop.unknow-error": "unknown",
  "ACQ.TRADE_HAS_SUCCESS": "succeeded",
  "ACQ.BUYER_BALANCE_NOT_ENOUGH": "declined",
  "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH": "declined",
  "ACQ.PAYMENT_FAIL": "declined",
  "ACQ.NO_PAYMENT_INSTRUMENTS_AVAILABLE": "declined",
  "ACQ.ERROR_BALANCE_PAYMENT_DISABLE": "declined",
  "ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR": "declined",
  "ACQ.BUYER_PAYMENT_AMOUNT_MONTH_LIMIT_ERROR": "declined",
  "ACQ.PAYMENT_REQUEST_HAS_RISK": "declined",
  "ACQ.BUYER_ENABLE_STATUS_FORBID": "declined",
  "ACQ.ERROR_BUYER_CERTIFY_LEVEL_LIMIT": "declined",
  "ACQ.AGREEMENT_NOT_EXIST": "agreement_gone",
  "ACQ.AGREEMENT_INVALID": "agreement_gone",
  "ACQ.AGREEMENT_STATUS_NOT_NORMAL": "agreement_gone",
  "ACQ.AGREEMENT_ERROR": "agreement_gone",
  USER_AGREEMENT_NOT_EXIST: "agreement_gone",
  "ACQ.USER_AGREEMENT_NOT_EXIST": "agreement_gone",
  AGREEMENT_HAS_UNSIGNED: "agreement_gone",
  "ACQ.AGREEMENT_HAS_UNSIGNED": "agreement_gone",
  "ACQ.TRADE_NOT_EXIST": "rejected",
  "ACQ.CYCLE_PAY_DATE_NOT_MATCH": "rejected",
  "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED": "rejected",
  "ACQ.CYCLE_PAY_TOTAL_FEE_EXCEED": "rejected",
  "ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED": "rejected",
  "ACQ.CONTEXT_INCONSISTENT": "rejected",
  "ACQ.TRADE_HAS_CLOSE": "rejected",
  "ACQ.MERCHANT_AGREEMENT_NOT_EXIST": "rejected",
  "ACQ.MERCHANT_AGREEMENT_INVALID": "rejected",
  "ACQ.MERCHANT_STATUS_NOT_NORMAL": "rejected",
  "ACQ.ACCESS_FORBIDDEN": "rejected",
  "ACQ.PARTNER_ERROR": "rejected",
  "ACQ.INVALID_PARAMETER": "rejected",
  "ACQ.TOTAL_FEE_EXCEED": "rejected",
  "ACQ.EXIST_FORBIDDEN_WORD": "rejected",
  "ACQ.BUYER_SELLER_EQUAL": "rejected",
  "ACQ.TRADE_BUYER_NOT_MATCH": "rejected",
  "ACQ.SELLER_BEEN_BLOCKED": "rejected",
  "ACQ.BEYOND_PAY_RESTRICTION": "rejected",
  "ACQ.BEYOND_PER_RECEIPT_RESTRICTION": "rejected",
  "ACQ.INVALID_STORE_ID": "rejected",
  "ACQ.SECONDARY_MERCHANT_STATUS_ERROR": "rejected",
  "ACQ.RISK_MERCHANT_IP_NOT_EXIST": "rejected",
  "ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR": "rejected",
  "ACQ.PRODUCT_AMOUNT_LIMIT_ERROR": "rejected",
  "ACQ.TRADE_STATUS_ERROR": "rejected",
  "ACQ.REASON_TRADE_STATUS_INVALID": "rejected",
  "ACQ.SELLER_BALANCE_NOT_ENOUGH": "rejected",
  "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL": "rejected",
  "ACQ.REASON_TRADE_BEEN_FREEZEN": "rejected",
  "ACQ.TRADE_HAS_FINISHED": "rejected",
  "ACQ.DISCORDANT_REPEAT_REQUEST": "rejected",
  "ACQ.REASON_TRADE_REFUND_FEE_ERR": "rejected",
  "ACQ.TRADE_NOT_ALLOW_REFUND": "rejected",
  "ACQ.REFUND_FEE_ERROR": "rejected",
  "ACQ.NOT_ALLOW_PARTIAL_REFUND": "rejected",
  INVALID_PARAMETER: "rejected",
  AUTHOREE_IS_NOT_MATCH: "rejected",
  MERCHANT_STATUS_IS_NOT_NORMAL: "rejected",
  PARENT_MERCHANT_QUERY_FAIL: "rejected",
  PRODUCT_CODE_NOT_SUPPORTED_ERROR: "rejected",
  USER_NOT_EXIST_ERROR: "rejected",
  "isv.invalid-signature": "rejected",
  "isv.invalid-app-id": "rejected",
  "isv.invalid-timestamp": "rejected",
  "isv.invalid-method": "rejected",
  "isv.invalid-parameter": "rejected",
  "isv.missing-signature-config": "rejected",
  "isv.insufficient-isv-permissions": "rejected",
  "isv.app-call-limited": "rejected",
  "isv.method-call-limited": "rejected",
};

describe("classifyAnswer: every sub_code of the table", () => {
  it("the test lists exactly the table's codes", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(SUB_CODES).sort());
  });

  it.each(Object.entries(EXPECTED))("40004 %s on a charge → %s", (subCode, kind) => {
    const outcome = classifyAnswer(
      { code: "40004", msg: "Business Failed", sub_code: subCode, sub_msg: "why" },
      "charge",
    );
    expect(outcome.kind).toBe(kind);
    expect(outcome.code).toBe(subCode);
    expect(outcome.message).toBe("Business Failed / why");
  });
});

describe("classifyAnswer: by code", () => {
  it.each([
    ["10000", "succeeded"],
    ["10003", "unknown"],
    ["20000", "unknown"],
    ["20001", "rejected"],
    ["40001", "rejected"],
    ["40002", "rejected"],
    ["40003", "rejected"],
    ["40004", "rejected"],
    ["40005", "rejected"],
    ["40006", "rejected"],
  ] as const)("code %s without a sub_code → %s", (code, kind) => {
    expect(classifyAnswer({ code, msg: "m" }, "charge")).toMatchObject({ kind, code });
  });

  it("lists exactly those codes", () => {
    expect(Object.keys(CODES).sort()).toEqual(
      [
        "10000",
        "10003",
        "20000",
        "20001",
        "40001",
        "40002",
        "40003",
        "40004",
        "40005",
        "40006",
      ].sort(),
    );
  });

  it("10000 wins over any sub_code", () => {
    expect(classifyAnswer({ code: "10000", sub_code: "ACQ.SYSTEM_ERROR" }, "charge").kind).toBe(
      "succeeded",
    );
  });

  it.each(["40001", "40002", "40004", "40006"])(
    "an unlisted sub_code under %s falls back to rejected",
    (code) => {
      expect(classifyAnswer({ code, sub_code: "ACQ.SOMETHING_NEW" }, "charge")).toMatchObject({
        kind: "rejected",
        code: "ACQ.SOMETHING_NEW",
      });
    },
  );

  it("20000 with any sub_code is unknown", () => {
    expect(classifyAnswer({ code: "20000", sub_code: "isp.whatever" }, "charge").kind).toBe(
      "unknown",
    );
  });

  it.each([
    { code: "99999" },
    { code: "30000", sub_code: "X" },
    {},
    { code: 10000 },
    { code: null },
  ])("an unrecognised answer %j is unknown", (answer) => {
    expect(classifyAnswer(answer, "charge").kind).toBe("unknown");
  });
});

describe("classifyAnswer: by operation", () => {
  it.each<[string, Operation, AlipayOutcomeKind, boolean]>([
    ["ACQ.TRADE_NOT_EXIST", "trade_query", "succeeded", true],
    ["ACQ.TRADE_NOT_EXIST", "agreement_query", "rejected", false],
    ["ACQ.TRADE_NOT_EXIST", "command", "rejected", false],
    ["USER_AGREEMENT_NOT_EXIST", "agreement_query", "succeeded", true],
    ["USER_AGREEMENT_NOT_EXIST", "command", "agreement_gone", false],
    ["ACQ.AGREEMENT_NOT_EXIST", "agreement_query", "succeeded", true],
    ["ACQ.AGREEMENT_NOT_EXIST", "charge", "agreement_gone", false],
    ["AGREEMENT_HAS_UNSIGNED", "agreement_query", "succeeded", true],
    ["ACQ.AGREEMENT_STATUS_NOT_NORMAL", "agreement_query", "agreement_gone", false],
    ["ACQ.TRADE_HAS_SUCCESS", "command", "rejected", false],
    ["ACQ.TRADE_HAS_SUCCESS", "trade_query", "rejected", false],
  ])("%s on %s → %s (not found: %s)", (subCode, operation, kind, notFound) => {
    const outcome = classifyAnswer({ code: "40004", sub_code: subCode }, operation);
    expect(outcome.kind).toBe(kind);
    expect(outcome.notFound === true).toBe(notFound);
  });

  it("marks TRADE_HAS_SUCCESS on a charge as already paid", () => {
    expect(classifyAnswer({ code: "40004", sub_code: "ACQ.TRADE_HAS_SUCCESS" }, "charge")).toEqual({
      kind: "succeeded",
      code: "ACQ.TRADE_HAS_SUCCESS",
      message: "",
      alreadyPaid: true,
    });
  });
});

describe("classifyTransport", () => {
  it.each<[TransportFailure, string]>([
    [{ reason: "timeout", timeoutMs: 50 }, "timeout"],
    [{ reason: "network", detail: "ECONNRESET" }, "network_error"],
    [{ reason: "http_status", status: 502 }, "http_502"],
    [{ reason: "http_status", status: 404 }, "http_404"],
    [{ reason: "not_json" }, "invalid_body"],
    [{ reason: "no_response_key" }, "invalid_body"],
    [{ reason: "invalid_signature" }, "invalid_signature"],
    [{ reason: "unsigned_success" }, "unsigned_response"],
    [{ reason: "unexpected_response", detail: "x" }, "unexpected_response"],
    [{ reason: "client_error", detail: "x" }, "client_error"],
  ])("%j → unknown %s", (failure, code) => {
    expect(classifyTransport(failure)).toMatchObject({ kind: "unknown", code });
  });
});
