import { describe, expect, it, vi } from "vitest";

const youzan = vi.hoisted(() => ({
  baseUrl: "http://localhost:3000/sandbox/youzan",
  clientId: "sandbox-youzan-client",
  clientSecret: "sandbox-youzan-secret",
  kdtId: "10001000",
}));

vi.mock("@/lib/env", () => ({ getEnv: () => ({ youzan }) }));
vi.mock("@/lib/logger", () => ({
  moduleLogger: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
}));

const { getYouzanGateway } = await import("./index");

describe("getYouzanGateway", () => {
  it("builds one gateway per resolved configuration", () => {
    const first = getYouzanGateway();
    expect(getYouzanGateway()).toBe(first);
    expect(first).toEqual({
      createDynamicQr: expect.any(Function),
      listReceivedTrades: expect.any(Function),
      getTrade: expect.any(Function),
    });

    youzan.kdtId = "20002000";
    expect(getYouzanGateway()).not.toBe(first);
  });
});
