import { describe, expect, it } from "vitest";
import { forApi, isApiKey, isImplemented, listsApi } from "./catalogue";

describe("API catalogue", () => {
  it("knows the implemented APIs and versions", () => {
    expect(isImplemented("youzan.trade.get", "4.0.2")).toBe(true);
    expect(isImplemented("youzan.trade.get", "9.9.9")).toBe(false);
    expect(isImplemented("toString", "3.0.0")).toBe(false);
  });

  it("keys knobs by name or name/version of an implemented API", () => {
    expect(isApiKey("youzan.pay.qrcode.create")).toBe(true);
    expect(isApiKey("youzan.trade.get/3.0.0")).toBe(true);
    expect(isApiKey("youzan.trade.get/5.0.0")).toBe(false);
    expect(isApiKey("youzan.trade.get/3.0.0/x")).toBe(false);
    expect(isApiKey("youzan.nothing")).toBe(false);
    expect(isApiKey("__proto__")).toBe(false);
  });

  it("name/version wins over name", () => {
    const map = { "youzan.trade.get": "all", "youzan.trade.get/3.0.0": "legacy" };
    expect(forApi(map, "youzan.trade.get", "3.0.0")).toBe("legacy");
    expect(forApi(map, "youzan.trade.get", "4.0.2")).toBe("all");
    expect(forApi(map, "youzan.trades.qr.get", "3.0.0")).toBeUndefined();
    expect(listsApi(["youzan.trade.get/3.0.0"], "youzan.trade.get", "3.0.0")).toBe(true);
    expect(listsApi(["youzan.trade.get/3.0.0"], "youzan.trade.get", "4.0.2")).toBe(false);
    expect(listsApi(["youzan.trade.get"], "youzan.trade.get", "4.0.2")).toBe(true);
  });
});
