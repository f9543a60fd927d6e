import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { createFakeYouzan } from "@/tests/helpers/fake-network";
import { startTestServer } from "@/tests/helpers/http-server";

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

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("getYouzanGateway", () => {
  it("builds gateways from the env that share the process's token per app and shop", async () => {
    // Over real HTTP: the gateway's default transport is node:http (lib/http/post-text.ts).
    const net = createFakeYouzan();
    const server = await startTestServer(
      () => async (request) =>
        net.fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: await request.text(),
        }),
    );
    youzan.baseUrl = `${server.url}/sandbox/youzan`;
    onTestFinished(() => server.close());

    const first = getYouzanGateway();
    expect(first).toEqual({
      createDynamicQr: expect.any(Function),
      listReceivedTrades: expect.any(Function),
      getTrade: expect.any(Function),
    });
    await first.listReceivedTrades("1");
    await getYouzanGateway().listReceivedTrades("2");
    expect(net.tokenRequests()).toHaveLength(1);
    expect(net.apiRequests().map((r) => r.url.origin + r.url.pathname)).toEqual([
      `${server.url}/sandbox/youzan/api/youzan.trades.qr.get/3.0.0`,
      `${server.url}/sandbox/youzan/api/youzan.trades.qr.get/3.0.0`,
    ]);

    youzan.kdtId = "20002000";
    await getYouzanGateway().listReceivedTrades("3");
    expect(net.tokenRequests()).toHaveLength(2);
    expect(net.tokenRequests()[1]?.body).toMatchObject({ grant_id: "20002000" });
  });
});
