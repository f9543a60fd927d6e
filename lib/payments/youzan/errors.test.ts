import { describe, expect, it } from "vitest";
import {
  classifyVendorFailure,
  isTokenRejection,
  RETRYABLE,
  toYouzanError,
  type VendorFailure,
} from "./errors";
import { isYouzanError, YouzanError, type YouzanErrorCode } from "./types";

describe("classifyVendorFailure", () => {
  it.each<[VendorFailure, YouzanErrorCode]>([
    // §1.1 token endpoint
    [{ source: "token", code: 1000, message: "app info wrong" }, "auth"],
    [{ source: "token", code: 1004 }, "auth"],
    [{ source: "token", code: 1005 }, "auth"],
    [{ source: "token", code: "1103", message: "Client 不存在" }, "auth"],
    [{ source: "token", code: 1105 }, "auth"],
    [{ source: "token", code: 9999, message: "unknown" }, "auth"],
    [{ source: "token", code: 4101 }, "rate_limited"],
    // §2.3 gateway
    [{ source: "gateway", code: 4001 }, "invalid_request"],
    [{ source: "gateway", code: 4004 }, "invalid_request"],
    [{ source: "gateway", code: 4005 }, "invalid_request"],
    [{ source: "gateway", code: 4007 }, "invalid_request"],
    [{ source: "gateway", code: 4204 }, "invalid_request"],
    [{ source: "gateway", code: 5001 }, "invalid_request"],
    [{ source: "gateway", code: 5003 }, "invalid_request"],
    [{ source: "gateway", code: 5002, message: "业务异常" }, "rejected"],
    [{ source: "gateway", code: 4101 }, "rate_limited"],
    [{ source: "gateway", code: "4101" }, "rate_limited"],
    [{ source: "gateway", code: 4201 }, "auth"],
    [{ source: "gateway", code: 4202 }, "auth"],
    [{ source: "gateway", code: 4203, message: "Token 不存在" }, "auth"],
    [{ source: "gateway", code: 4999 }, "rejected"],
    // 4.x business shape
    [{ source: "business", code: 5000, message: "trade not found" }, "not_found"],
    [{ source: "business", code: 5000, message: "订单不存在" }, "not_found"],
    [{ source: "business", code: 5000, message: "system busy" }, "rejected"],
    [{ source: "business", code: 500100004, message: "limit" }, "rate_limited"],
    [{ source: "business", code: 123000042 }, "rate_limited"],
    [{ source: "business", code: 141500101, message: "qr_price 参数错误" }, "invalid_request"],
    [{ source: "business", code: 141500102, message: "店铺已打烊" }, "rejected"],
    [{ source: "business", code: 4203 }, "auth"],
    // §2.4 legacy shape
    [{ source: "legacy", code: 40009 }, "auth"],
    [{ source: "legacy", code: 40010, message: "参数 token 无效", subCode: 10000 }, "auth"],
    [{ source: "legacy", code: 40011 }, "auth"],
    [{ source: "legacy", code: 40012 }, "invalid_request"],
    [{ source: "legacy", code: 41000 }, "invalid_request"],
    [{ source: "legacy", code: 53002 }, "invalid_request"],
    [{ source: "legacy", code: 50000, message: "trade not found" }, "not_found"],
    [{ source: "legacy", code: 50000, message: "店铺ID与网点编号不相符" }, "rejected"],
    [{ source: "legacy", code: -1, message: "系统错误" }, "unavailable"],
    [{ source: "legacy", code: 12345, subCode: 4101 }, "rate_limited"],
    [{ source: "legacy" }, "rejected"],
  ])("%j → %s", (failure, expected) => {
    const result = classifyVendorFailure(failure);
    expect(result.code).toBe(expected);
    expect(result.retryable).toBe(RETRYABLE[expected]);
  });

  it("marks only what later can fix as retryable", () => {
    expect(RETRYABLE).toEqual({
      auth: false,
      rate_limited: true,
      not_found: true,
      invalid_request: false,
      unavailable: true,
      rejected: false,
    });
  });
});

describe("isTokenRejection", () => {
  it.each<[VendorFailure, boolean]>([
    [{ source: "gateway", code: 4201 }, true],
    [{ source: "gateway", code: "4202" }, true],
    [{ source: "gateway", code: 4203 }, true],
    [{ source: "legacy", code: 40010 }, true],
    [{ source: "business", code: 4203 }, true],
    [{ source: "gateway", code: 4101 }, false],
    [{ source: "gateway", code: 4204 }, false],
    [{ source: "token", code: 4203 }, false], // the token endpoint itself: nothing to refresh
  ])("%j → %s", (failure, expected) => {
    expect(isTokenRejection(failure)).toBe(expected);
  });
});

describe("toYouzanError", () => {
  it("keeps the vendor code and text and names the call", () => {
    const error = toYouzanError(
      { source: "legacy", code: 40010, message: "参数 token 无效", subMessage: "token不存在" },
      "youzan.trades.qr.get/3.0.0",
    );
    expect(isYouzanError(error)).toBe(true);
    expect(error.code).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.vendor).toEqual({ code: 40010, message: "参数 token 无效 / token不存在" });
    expect(error.message).toBe("youzan.trades.qr.get/3.0.0: 参数 token 无效 / token不存在 (40010)");
  });
});

describe("isYouzanError", () => {
  it("recognises the brand of any copy of the class, and nothing else", () => {
    expect(isYouzanError(new YouzanError("auth", "refused", false))).toBe(true);
    // What another bundle's copy of YouzanError produces: a different class with the same brand.
    const copy = Object.assign(new Error("x"), { [Symbol.for("xiaopu.YouzanError")]: true });
    expect(isYouzanError(copy)).toBe(true);
    expect(copy instanceof YouzanError).toBe(false);
    expect(isYouzanError(new Error("x"))).toBe(false);
    expect(isYouzanError({ code: "auth", retryable: false })).toBe(false);
    expect(isYouzanError(null)).toBe(false);
  });
});
