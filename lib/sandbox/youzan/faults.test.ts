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
  ])("refuses %s with a 400", (_label, patch) => {
    expect(() => parseFaultsPatch(patch)).toThrow(SandboxError);
    try {
      parseFaultsPatch(patch);
    } catch (error) {
      expect((error as SandboxError).status).toBe(400);
    }
  });

  it("reads stored JSON tolerantly", () => {
    expect(faultsFromStored(null)).toEqual(DEFAULT_FAULTS);
    expect(faultsFromStored({ pushDuplicates: "x", subscription: "both", other: 1 })).toEqual({
      ...DEFAULT_FAULTS,
      subscription: "both",
    });
  });
});
