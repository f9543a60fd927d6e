import { describe, expect, it, vi } from "vitest";
import {
  createFakeYouzan,
  gatewayError,
  ok,
  type Reply,
  type RecordedRequest,
} from "@/tests/helpers/fake-network";
import { createYouzanGateway } from "./gateway";
import { createMemoryTokenStore } from "./token-store";
import { isYouzanError, type YouzanConfig } from "./types";

vi.mock("@/lib/logger", () => ({
  moduleLogger: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
}));

const config: YouzanConfig = {
  baseUrl: "http://localhost:3000/sandbox/youzan",
  clientId: "sandbox-youzan-client",
  clientSecret: "sandbox-youzan-secret",
  kdtId: "10001000",
};

function gatewayWith(api: (r: RecordedRequest) => Reply) {
  const net = createFakeYouzan({ api });
  const tokenStore = createMemoryTokenStore();
  return { net, gateway: createYouzanGateway(config, { fetch: net.fetch, tokenStore }) };
}

const row = (tid: string, status: string, qrId: string | number = "6154839") => ({
  tid,
  qr_id: qrId,
  qr_price: "9.90",
  real_price: status === "TRADE_RECEIVED" ? "9.90" : "",
  status,
  pay_type: status === "TRADE_RECEIVED" ? "WXPAY" : "",
  payer_nick: "",
  created_date: `2025-01-15 10:0${tid.slice(-1)}:00`,
  pay_date: "",
});

describe("createDynamicQr", () => {
  it("creates a QR_TYPE_DYNAMIC code priced in fen", async () => {
    const { net, gateway } = gatewayWith(() => ({
      response: {
        qr_id: "6154839",
        qr_url: "http://x/scan?qr_id=6154839",
        qr_code: "data:image/png;base64,AA",
      },
    }));
    const created = await gateway.createDynamicQr({
      name: "Order ord_8KQ2",
      amountFen: 990,
      source: "ord_8KQ2",
    });
    expect(created).toEqual({
      qrId: "6154839",
      qrUrl: "http://x/scan?qr_id=6154839",
      qrImage: "data:image/png;base64,AA",
    });
    const [call] = net.apiRequests();
    expect(call?.url.pathname).toBe("/sandbox/youzan/api/youzan.pay.qrcode.create/3.0.0");
    expect(call?.body).toEqual({
      qr_type: "QR_TYPE_DYNAMIC",
      qr_price: "990",
      qr_name: "Order ord_8KQ2",
      qr_source: "ord_8KQ2",
    });
  });

  it.each([0, -1, 9.9, Number.NaN, Number.MAX_SAFE_INTEGER + 1])(
    "refuses amountFen %d without calling Youzan",
    async (amountFen) => {
      const { net, gateway } = gatewayWith(() => ok({}));
      const error = await gateway
        .createDynamicQr({ name: "x", amountFen, source: "s" })
        .catch((e: unknown) => e);
      expect(isYouzanError(error)).toBe(true);
      expect(error).toMatchObject({ code: "invalid_request", retryable: false });
      expect(net.requests).toHaveLength(0);
    },
  );

  it("refuses an empty name", async () => {
    const { gateway } = gatewayWith(() => ok({}));
    await expect(
      gateway.createDynamicQr({ name: " ", amountFen: 1, source: "s" }),
    ).rejects.toMatchObject({ code: "invalid_request" });
  });
});

describe("listReceivedTrades", () => {
  it("asks for TRADE_RECEIVED rows of one QR code", async () => {
    const { net, gateway } = gatewayWith(() =>
      ok({ qr_trades: [row("E1", "TRADE_RECEIVED")], total_results: 1 }),
    );
    const trades = await gateway.listReceivedTrades("6154839");
    expect(trades.map((t) => [t.tid, t.realPriceFen])).toEqual([["E1", 990]]);
    expect(net.apiRequests()[0]?.endpoint).toBe("youzan.trades.qr.get/3.0.0");
    expect(net.apiRequests()[0]?.body).toEqual({ qr_id: 6154839, status: "TRADE_RECEIVED" });
  });

  it("keeps only received rows of that QR code even if the filter was ignored", async () => {
    const { gateway } = gatewayWith(() => ({
      response: {
        qr_trades: [
          row("E3", "WAIT_RECEIVED"),
          row("E2", "TRADE_RECEIVED", 999),
          row("E1", "TRADE_RECEIVED", 6154839),
        ],
        total_results: 3,
      },
    }));
    expect((await gateway.listReceivedTrades("6154839")).map((t) => t.tid)).toEqual(["E1"]);
  });

  it("returns no rows while the list lags", async () => {
    const { gateway } = gatewayWith(() => ok({ qr_trades: [], total_results: 0 }));
    expect(await gateway.listReceivedTrades("6154839")).toEqual([]);
  });
});

describe("getTrade", () => {
  const detail = {
    full_order_info: {
      order_info: { tid: "E9", status: "TRADE_PAID", pay_time: "2025-01-15 10:00:05" },
      pay_info: { payment: "9.90" },
    },
    qr_info: { qr_id: 6154839 },
  };

  it("reads youzan.trade.get 4.0.2", async () => {
    const { net, gateway } = gatewayWith(() => ok(detail));
    expect(await gateway.getTrade("E9")).toEqual({
      tid: "E9",
      qrId: "6154839",
      status: "TRADE_PAID",
      paymentFen: 990,
      paidAt: new Date("2025-01-15T02:00:05Z"),
    });
    expect(net.apiRequests()[0]?.endpoint).toBe("youzan.trade.get/4.0.2");
    expect(net.apiRequests()[0]?.body).toEqual({ tid: "E9" });
  });

  it.each([
    [
      "5000 with a skeleton",
      { code: 5000, success: false, message: "trade not found", data: { full_order_info: {} } },
    ],
    ["legacy 50000", { error_response: { code: 50000, msg: "交易不存在" } }],
    ["a success with an empty skeleton", ok({ full_order_info: { order_info: {} } })],
  ])("returns null when the trade is not (yet) known: %s", async (_label, reply) => {
    const { gateway } = gatewayWith(() => reply);
    expect(await gateway.getTrade("E9")).toBeNull();
  });

  it("passes other errors on", async () => {
    const { gateway } = gatewayWith(() => gatewayError(4204, "no permission"));
    await expect(gateway.getTrade("E9")).rejects.toMatchObject({ code: "invalid_request" });
  });
});
