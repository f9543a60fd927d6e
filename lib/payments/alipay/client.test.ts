import { createPrivateKey } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  rsaPair,
  startStubGateway,
  type RsaPair,
  type StubGateway,
} from "./__fixtures__/stub-gateway";
import { createAlipayClient, type AlipayClientDeps } from "./client";
import type { AlipayConfig } from "./types";

vi.mock("@/lib/logger", () => ({
  moduleLogger: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
}));

let app: RsaPair;
let alipay: RsaPair;
let stub: StubGateway;

beforeAll(async () => {
  app = rsaPair();
  alipay = rsaPair();
  stub = await startStubGateway({
    appPublicKey: app.publicKey,
    alipayPrivateKey: alipay.privateKey,
  });
});

afterAll(() => stub.close());

beforeEach(() => {
  stub.requests.length = 0;
  stub.reply(() => ({ kind: "answer", inner: { code: "10000", msg: "Success" } }));
});

function config(overrides: Partial<AlipayConfig> = {}): AlipayConfig {
  return {
    gatewayUrl: stub.url,
    appId: "2021000000000001",
    privateKey: app.privateKey,
    alipayPublicKey: alipay.publicKey,
    productCode: "GENERAL_WITHHOLDING",
    timeoutMs: 2000,
    ...overrides,
  };
}

/** 2025-01-15 02:03:04 UTC = 10:03:04 in Shanghai. */
const NOW = new Date(Date.UTC(2025, 0, 15, 2, 3, 4));
const deps: AlipayClientDeps = { now: () => NOW };

describe("exec over HTTP", () => {
  it("sends protocol params in the query and biz_content in the body, signed, no empties", async () => {
    const client = createAlipayClient(config(), deps);
    const result = await client.exec(
      "alipay.trade.query",
      { out_trade_no: "XP1", empty: "", missing: undefined, nested: { a: "", b: null } },
      { notify_url: "https://shop.test/n", return_url: "" },
    );
    expect(result.ok).toBe(true);
    const [request] = stub.requests;
    expect(request?.httpMethod).toBe("POST");
    expect(request?.signatureValid).toBe(true);
    expect(Object.keys(request!.query).sort()).toEqual(
      [
        "app_id",
        "charset",
        "method",
        "notify_url",
        "sign",
        "sign_type",
        "timestamp",
        "version",
      ].sort(),
    );
    expect(Object.keys(request!.body)).toEqual(["biz_content"]);
    expect(JSON.parse(request!.body.biz_content!)).toEqual({ out_trade_no: "XP1" });
    expect(request!.query).toMatchObject({
      app_id: "2021000000000001",
      method: "alipay.trade.query",
      charset: "utf-8",
      version: "1.0",
      sign_type: "RSA2",
      notify_url: "https://shop.test/n",
      timestamp: "2025-01-15 10:03:04",
    });
    for (const [key, value] of Object.entries(request!.params)) {
      expect(value, key).not.toBe("");
      expect(value, key).not.toBe("undefined");
    }
  });

  it("accepts a signed answer and records the exchange without the request's sign", async () => {
    stub.reply(() => ({
      kind: "answer",
      inner: { code: "10000", msg: "Success", trade_no: "2025011522001", total_amount: "9.90" },
    }));
    const result = await createAlipayClient(config(), deps).exec("alipay.trade.query", {
      out_trade_no: "XP1",
    });
    if (!result.ok) throw new Error(result.failure.code);
    expect(result.signed).toBe(true);
    expect(result.data).toEqual({
      code: "10000",
      msg: "Success",
      trade_no: "2025011522001",
      total_amount: "9.90",
    });
    const { exchange } = result;
    expect(exchange.apiMethod).toBe("alipay.trade.query");
    expect(exchange.httpStatus).toBe(200);
    expect(exchange.durationMs).toBeGreaterThanOrEqual(0);
    expect(exchange.request).toEqual({
      method: "alipay.trade.query",
      app_id: "2021000000000001",
      charset: "utf-8",
      version: "1.0",
      sign_type: "RSA2",
      timestamp: "2025-01-15 10:03:04",
      biz_content: { out_trade_no: "XP1" },
    });
    expect(JSON.stringify(exchange.request)).not.toContain('sign"');
    expect(JSON.stringify(exchange)).not.toMatch(/PRIVATE KEY|PUBLIC KEY/);
    expect(exchange.response).toMatchObject({
      alipay_trade_query_response: { code: "10000", trade_no: "2025011522001" },
      sign: expect.any(String),
    });
  });

  it("verifies an error_response under its own key", async () => {
    stub.reply(() => ({
      kind: "answer",
      key: "error_response",
      inner: { code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-method" },
    }));
    const result = await createAlipayClient(config(), deps).exec("alipay.no.such", {});
    expect(result).toMatchObject({
      ok: true,
      signed: true,
      data: { sub_code: "isv.invalid-method" },
    });
  });

  it("treats a response whose signature does not verify as unknown", async () => {
    stub.reply(() => ({
      kind: "answer",
      sign: "tampered",
      inner: { code: "10000", msg: "Success", trade_no: "1" },
    }));
    const result = await createAlipayClient(config(), deps).exec("alipay.trade.pay", {});
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: "unknown", code: "invalid_signature" },
      exchange: { httpStatus: 200 },
    });
  });

  it("treats a response signed with another key as unknown", async () => {
    const other = rsaPair();
    const result = await createAlipayClient(
      config({ alipayPublicKey: other.publicKey }),
      deps,
    ).exec("alipay.trade.pay", {});
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: "unknown", code: "invalid_signature" },
    });
  });

  it("passes an unsigned gateway error on as an answer (no TypeError escapes)", async () => {
    stub.reply(() => ({
      kind: "answer",
      sign: "none",
      inner: { code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-app-id" },
    }));
    const result = await createAlipayClient(config(), deps).exec("alipay.trade.pay", {});
    expect(result).toMatchObject({
      ok: true,
      signed: false,
      data: { code: "40002", sub_code: "isv.invalid-app-id" },
    });
  });

  it("times out into unknown", async () => {
    stub.reply(() => ({ kind: "hang" }));
    const result = await createAlipayClient(config({ timeoutMs: 30 }), deps).exec(
      "alipay.trade.pay",
      {},
    );
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: "unknown", code: "timeout" },
      exchange: { httpStatus: null, response: null },
    });
  });

  it("turns a reset connection into unknown", async () => {
    stub.reply(() => ({ kind: "reset" }));
    const result = await createAlipayClient(config(), deps).exec("alipay.trade.query", {});
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: "unknown", code: "network_error" },
    });
    // urllib re-sends once, silently, after a reset (spec §2.5 pitfall 8): the same signed
    // request twice, which Alipay's idempotency per out_trade_no absorbs.
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[1]?.params).toEqual(stub.requests[0]?.params);
  });

  it("turns HTTP 502 into unknown, keeping the body", async () => {
    stub.reply(() => ({ kind: "raw", status: 502, body: "<html>Bad Gateway</html>" }));
    const result = await createAlipayClient(config(), deps).exec("alipay.trade.pay", {});
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: "unknown", code: "http_502" },
      exchange: { httpStatus: 502, response: "<html>Bad Gateway</html>" },
    });
  });

  it("turns an HTML body on HTTP 200 into unknown, keeping its first KiB", async () => {
    const html = `<html>${"x".repeat(5000)}</html>`;
    stub.reply(() => ({ kind: "raw", status: 200, body: html }));
    const result = await createAlipayClient(config(), deps).exec("alipay.trade.pay", {});
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: "unknown", code: "invalid_body" },
      exchange: { httpStatus: 200 },
    });
    if (result.ok) return;
    expect(result.exchange.response).toBe(html.slice(0, 1024));
  });

  it("turns JSON without the response object into unknown", async () => {
    stub.reply(() => ({ kind: "raw", status: 200, body: '{"something_else":{}}' }));
    const result = await createAlipayClient(config(), deps).exec("alipay.trade.pay", {});
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: "unknown", code: "invalid_body" },
      exchange: { response: { something_else: {} } },
    });
  });

  it("stamps the timestamp in Shanghai time from the injected clock", async () => {
    const late = new Date(Date.UTC(2024, 11, 31, 16, 30, 0)); // 2025-01-01 00:30 in Shanghai
    await createAlipayClient(config(), { now: () => late }).exec("alipay.trade.query", {});
    expect(stub.requests[0]?.query.timestamp).toBe("2025-01-01 00:30:00");
  });
});

describe("createAlipayClient", () => {
  it.each(["pkcs8-pem", "pkcs1-pem", "pkcs8-bare", "pkcs1-bare"] as const)(
    "signs with a %s private key (the SDK gets the matching keyType)",
    async (form) => {
      const key = createPrivateKey(app.privateKey);
      const [type, shape] = form.split("-") as ["pkcs1" | "pkcs8", "pem" | "bare"];
      const privateKey =
        shape === "pem"
          ? key.export({ type, format: "pem" }).toString()
          : key.export({ type, format: "der" }).toString("base64");
      await createAlipayClient(config({ privateKey }), deps).exec("alipay.trade.query", {});
      expect(stub.requests[0]?.signatureValid).toBe(true);
    },
  );

  it("refuses a private key that does not parse, naming the variable", () => {
    expect(() => createAlipayClient(config({ privateKey: "not a key" }))).toThrow(
      /ALIPAY_PRIVATE_KEY does not parse as an RSA private key/,
    );
  });

  it("refuses a gateway that is not an absolute URL", () => {
    expect(() => createAlipayClient(config({ gatewayUrl: "/gateway.do" }))).toThrow();
  });
});
