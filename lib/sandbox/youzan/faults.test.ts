import { describe, expect, it } from "vitest";
import { SandboxError } from "./errors";
import { DEFAULT_FAULTS, faultsFromStored, parseFaultsPatch } from "./faults";

describe("faults", () => {
  it("defaults follow the spec's sandbox defaults", () => {
    expect(DEFAULT_FAULTS).toMatchObject({
      subscription: "v3",
      pushStatusStyle: "TRADE_PAID",
      msgEncoding: "form",
      pushDuplicates: 0,
      tradeVisibleAfterSeconds: 0,
    });
  });

  it("accepts partial patches of known knobs", () => {
    expect(parseFaultsPatch({})).toEqual({});
    expect(parseFaultsPatch({ pushDuplicates: 2, subscription: "both" })).toEqual({
      pushDuplicates: 2,
      subscription: "both",
    });
  });

  it.each([
    ["an unknown key", { pushLate: true }],
    ["a wrong type", { pushLost: "yes" }],
    ["a negative count", { rateLimitNextCalls: -1 }],
    ["a fraction", { pushDuplicates: 1.5 }],
    ["an unknown enum value", { msgEncoding: "base64" }],
    ["null", null],
    ["an array", []],
    ["a string", "pushLost"],
    ["an unknown api in deniedApis", { deniedApis: ["youzan.nothing"] }],
    ["an unimplemented version", { deniedApis: ["youzan.trade.get/9.9.9"] }],
    ["an unknown envelope field", { envelopes: { "youzan.trade.get": { style: "xml" } } }],
    ["a business error without a message", { businessErrors: { "youzan.trade.get": { code: 1 } } }],
    [
      "the success code as a business error",
      { businessErrors: { "youzan.trade.get": { code: 200, message: "x" } } },
    ],
    ["an unknown broken response", { brokenResponse: "http418" }],
  ])("refuses %s with a 400", (_label, patch) => {
    expect(() => parseFaultsPatch(patch)).toThrow(SandboxError);
    try {
      parseFaultsPatch(patch);
    } catch (error) {
      expect((error as SandboxError).status).toBe(400);
    }
  });

  it("accepts API-keyed knobs by name or name/version", () => {
    const patch = {
      deniedApis: ["youzan.pay.qrcode.create"],
      envelopes: {
        "youzan.trade.get/3.0.0": { style: "v4" as const, errorText: "message" as const },
      },
      businessErrors: { "youzan.pay.qrcode.create": { code: 50000, message: "店铺已打烊" } },
      brokenNextCalls: 2,
      brokenResponse: "empty" as const,
    };
    expect(parseFaultsPatch(patch)).toEqual(patch);
  });

  it("reads stored JSON tolerantly", () => {
    expect(faultsFromStored(null)).toEqual(DEFAULT_FAULTS);
    expect(faultsFromStored({ pushDuplicates: "x", subscription: "both", other: 1 })).toEqual({
      ...DEFAULT_FAULTS,
      subscription: "both",
    });
  });
});
