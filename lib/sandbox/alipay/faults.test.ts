import { describe, expect, it } from "vitest";
import { applyPatch, DEFAULT_FAULTS, faultsFromStored, parseFaultsPatch } from "./faults";

describe("Alipay sandbox fault knobs", () => {
  it("refuses unknown knobs, unknown kinds and methods, with the reason", () => {
    expect(() => parseFaultsPatch({ nope: 1 })).toThrow(/nope/);
    expect(() => parseFaultsPatch({ windowDays: -1 })).toThrow(/windowDays/);
    expect(() =>
      parseFaultsPatch({ inject: { method: "alipay.trade.pay", kind: "boom" } }),
    ).toThrow(/inject.kind/);
    expect(() =>
      parseFaultsPatch({ inject: { method: "alipay.trade.app.pay", kind: "risk" } }),
    ).toThrow(/inject.method/);
  });

  it("an injection defaults to one call, not committed, with notify", () => {
    const patch = parseFaultsPatch({ inject: { method: "alipay.trade.pay", kind: "risk" } });
    expect(applyPatch(DEFAULT_FAULTS, patch).injections).toEqual({
      "alipay.trade.pay": { kind: "risk", remaining: 1, committed: false, notify: true },
    });
    const cleared = applyPatch(applyPatch(DEFAULT_FAULTS, patch), { clearInjections: true });
    expect(cleared.injections).toEqual({});
  });

  it("reads damaged stored JSON tolerantly", () => {
    expect(faultsFromStored(null)).toEqual(DEFAULT_FAULTS);
    expect(
      faultsFromStored({
        windowDays: "x",
        immediateRetries: false,
        injections: { "alipay.trade.pay": { kind: "risk", remaining: 0 }, bogus: 1 },
      }),
    ).toEqual({ ...DEFAULT_FAULTS, immediateRetries: false });
  });
});
