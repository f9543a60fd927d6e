import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it, vi } from "vitest";

const keys = vi.hoisted(() => ({ app: "", alipay: "" }));
const alipayEnv = vi.hoisted(() => ({
  gatewayUrl: undefined as string | undefined,
  appId: "2021000000000001" as string | undefined,
  privateKey: undefined as string | undefined,
  publicKey: undefined as string | undefined,
  sellerId: "2088000000000009",
  productCode: "CYCLE_PAY_AUTH" as const,
  singleCapFen: 10000,
}));

vi.mock("@/lib/env", () => ({ getEnv: () => ({ alipay: alipayEnv }) }));
vi.mock("@/lib/logger", () => ({
  moduleLogger: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
}));

const face = await import("./index");

keys.app = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();
keys.alipay = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .publicKey.export({ type: "spki", format: "pem" })
  .toString();

describe("the Alipay face", () => {
  it("exports the port's helpers and nothing of the vendor", () => {
    expect(Object.keys(face).sort()).toEqual(
      [
        "ALIPAY_GATEWAY_URL",
        "ALIPAY_METHODS",
        "AlipayError",
        "alipayConfigFromEnv",
        "createAlipayGateway",
        "getAlipayGateway",
        "isAlipayError",
        "knownAlipayCodes",
        "parseAlipayNotification",
        "parseNotificationBody",
        "validateAlipayKeys",
        "verifyAlipayNotification",
      ].sort(),
    );
  });

  it("names the methods and result codes it knows (for the admin's labels), not the table", () => {
    expect(face.ALIPAY_METHODS.pay).toBe("alipay.trade.pay");
    const codes = face.knownAlipayCodes();
    expect(codes).toContain("ACQ.BUYER_BALANCE_NOT_ENOUGH");
    expect(codes).toContain("10000");
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("reads the config from the env, defaulting to Alipay's gateway", () => {
    alipayEnv.privateKey = keys.app;
    alipayEnv.publicKey = keys.alipay;
    expect(face.alipayConfigFromEnv()).toEqual({
      gatewayUrl: "https://openapi.alipay.com/gateway.do",
      appId: "2021000000000001",
      privateKey: keys.app,
      alipayPublicKey: keys.alipay,
      sellerId: "2088000000000009",
      productCode: "CYCLE_PAY_AUTH",
    });
    const gateway = face.getAlipayGateway();
    expect(
      new URL(
        gateway.pageSignUrl({
          externalAgreementNo: "XA1",
          periodDays: 7,
          singleAmountFen: 100,
          executeDate: "2025-01-01",
          notifyUrl: "https://shop.test/a",
        }),
      ).origin,
    ).toBe("https://openapi.alipay.com");
  });

  it("uses the config it is given (the sandbox's, from lib/runtime.ts)", () => {
    const gateway = face.getAlipayGateway({
      gatewayUrl: "http://127.0.0.1:9/gateway.do",
      appId: "sandbox-app",
      privateKey: keys.app,
      alipayPublicKey: keys.alipay,
      productCode: "GENERAL_WITHHOLDING",
    });
    const url = new URL(
      gateway.pageSignUrl({
        externalAgreementNo: "XA1",
        periodDays: 7,
        singleAmountFen: 100,
        executeDate: "2025-01-01",
        notifyUrl: "https://shop.test/a",
      }),
    );
    expect(url.host).toBe("127.0.0.1:9");
    expect(url.searchParams.get("app_id")).toBe("sandbox-app");
  });

  it("names what is missing from the env", () => {
    alipayEnv.privateKey = undefined;
    alipayEnv.publicKey = undefined;
    expect(() => face.alipayConfigFromEnv()).toThrow(
      "not set: ALIPAY_PRIVATE_KEY, ALIPAY_PUBLIC_KEY",
    );
  });
});
