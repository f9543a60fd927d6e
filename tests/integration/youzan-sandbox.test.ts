import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "@/lib/clock";
import { createYouzanSandbox, SandboxError, type YouzanSandbox } from "@/lib/sandbox/youzan";
import { RETRY_SCHEDULE_SECONDS } from "@/lib/sandbox/youzan/retry";
import { withTestDatabase } from "../helpers/db";

/*
 * The Youzan sandbox over a real database, a controlled clock and a real HTTP push receiver.
 * Signatures are checked here with node:crypto directly, not with the sandbox's own helpers.
 */

const t = withTestDatabase();

const APP = { clientId: "yz-test-client", clientSecret: "yz-test-secret", kdtId: "55667788" };
const BASE = "http://sandbox.test/sandbox/youzan";
const START = Date.parse("2026-03-01T02:00:00.000Z"); // 10:00:00 in China

// ---------------------------------------------------------------------------------------------
// A clock the tests move, and a push receiver that records the exact bytes it got.

let nowMs = START;
const clock: Clock = { now: async () => new Date(nowMs) };
const advance = (seconds: number) => {
  nowMs += seconds * 1000;
};

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: Record<string, unknown>;
}

let received: Received[] = [];
let reply: { status: number; body: string; delayMs: number } = {
  status: 200,
  body: '{"code":0,"msg":"success"}',
  delayMs: 0,
};
let server: Server;
let pushUrl = "";

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      received.push({
        headers: request.headers,
        raw,
        body: JSON.parse(raw.toString("utf8")) as Record<string, unknown>,
      });
      const { status, body, delayMs } = reply;
      setTimeout(() => {
        if (response.destroyed) return;
        response.writeHead(status, { "content-type": "application/json" }).end(body);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  pushUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let sandbox: YouzanSandbox;

function newSandbox(): YouzanSandbox {
  return createYouzanSandbox({ db: t.db(), clock, app: APP, publicBaseUrl: BASE, pushUrl });
}

beforeEach(() => {
  nowMs = START;
  received = [];
  reply = { status: 200, body: '{"code":0,"msg":"success"}', delayMs: 0 };
  sandbox = newSandbox();
});

// pay() and scan() start a delivery in the background; let it finish inside its own test so a
// late push never lands in the next test's `received` (tick() waits for this instance's own).
afterEach(async () => {
  reply = { status: 200, body: '{"code":0,"msg":"success"}', delayMs: 0 };
  await sandbox.tick().catch(() => {});
});

// ---------------------------------------------------------------------------------------------
// Wire helpers

type Json = Record<string, unknown>;

/** Reads a dotted path ("data.full_order_info.order_info.tid", "qr_trades.0.tid") of parsed JSON. */
function at(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const md5 = (...parts: (string | Buffer)[]) => {
  const hash = createHash("md5");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
};

async function tokenCall(
  body: unknown,
  contentType = "application/json",
): Promise<{ status: number; json: Json }> {
  const response = await sandbox.handleToken(
    new Request(`${BASE}/auth/token`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
  return { status: response.status, json: (await response.json()) as Json };
}

const goodTokenRequest = {
  client_id: APP.clientId,
  client_secret: APP.clientSecret,
  authorize_type: "silent",
  grant_id: APP.kdtId,
};

async function issueToken(refresh = false): Promise<string> {
  const { json } = await tokenCall({ ...goodTokenRequest, refresh });
  expect(at(json, "success")).toBe(true);
  return at(json, "data.access_token") as string;
}

interface CallOptions {
  token?: string | null;
  method?: "GET" | "POST";
  contentType?: string;
  rawBody?: string;
  headers?: Record<string, string>;
}

async function api(
  path: string[],
  params: Record<string, unknown> = {},
  options: CallOptions = {},
): Promise<{ status: number; json: Json }> {
  const method = options.method ?? "POST";
  const url = new URL(`${BASE}/api/${path.join("/")}`);
  if (options.token) url.searchParams.set("access_token", options.token);
  if (method === "GET") {
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  }
  const response = await sandbox.handleApi(
    new Request(url, {
      method,
      headers: {
        ...(method === "POST" ? { "content-type": options.contentType ?? "application/json" } : {}),
        ...options.headers,
      },
      body: method === "POST" ? (options.rawBody ?? JSON.stringify(params)) : undefined,
    }),
    path,
  );
  return { status: response.status, json: (await response.json()) as Json };
}

/** Calls with a fresh valid token. */
async function authed(
  path: string[],
  params: Record<string, unknown> = {},
  options: CallOptions = {},
) {
  return api(path, params, { token: await issueToken(), ...options });
}

async function createQr(
  params: Record<string, unknown> = {
    qr_type: "QR_TYPE_DYNAMIC",
    qr_price: "990",
    qr_name: "电子书 · 小铺",
  },
): Promise<string> {
  const { json } = await authed(["youzan.pay.qrcode.create", "3.0.0"], params);
  expect(at(json, "response"), JSON.stringify(json)).toBeDefined();
  return at(json, "response.qr_id") as string;
}

const gwCode = (json: Json) => at(json, "gw_err_resp.err_code");

/** What a correct receiver does with `msg`: plus → space, then percent-decode, then JSON. */
const decodeForm = (msg: string) =>
  JSON.parse(decodeURIComponent(msg.replaceAll("+", " "))) as Json;

const types = () => received.map((push) => push.body.type);

// ---------------------------------------------------------------------------------------------

describe("token endpoint", () => {
  it("issues a 32-hex token that expires in 7 days, in epoch milliseconds", async () => {
    const { status, json } = await tokenCall(goodTokenRequest);
    expect(status).toBe(200);
    expect(json).toMatchObject({ success: true, code: 200, message: null });
    expect(at(json, "data.access_token")).toMatch(/^[0-9a-f]{32}$/);
    expect(at(json, "data.expires")).toBe(START + 7 * 24 * 3600 * 1000);
    expect(at(json, "data.authority_id")).toBe(APP.kdtId);
    expect(typeof at(json, "data.scope")).toBe("string");
    expect(at(json, "data")).not.toHaveProperty("refresh_token");
  });

  it("accepts grant_id as a number", async () => {
    const { json } = await tokenCall({ ...goodTokenRequest, grant_id: Number(APP.kdtId) });
    expect(at(json, "success")).toBe(true);
  });

  it("refresh:false returns the same token without extending it; refresh:true replaces it at once", async () => {
    const first = await tokenCall(goodTokenRequest);
    advance(3600);
    const again = await tokenCall({ ...goodTokenRequest, refresh: false });
    expect(at(again.json, "data.access_token")).toBe(at(first.json, "data.access_token"));
    expect(at(again.json, "data.expires")).toBe(at(first.json, "data.expires"));

    const refreshed = await tokenCall({ ...goodTokenRequest, refresh: true });
    const newToken = at(refreshed.json, "data.access_token") as string;
    expect(newToken).not.toBe(at(first.json, "data.access_token"));
    expect(at(refreshed.json, "data.expires")).toBe(nowMs + 7 * 24 * 3600 * 1000);

    const old = await api(
      ["youzan.trades.qr.get", "3.0.0"],
      {},
      { token: String(at(first.json, "data.access_token")) },
    );
    expect(gwCode(old.json)).toBe(4203);
    const fresh = await api(["youzan.trades.qr.get", "3.0.0"], {}, { token: newToken });
    expect(at(fresh.json, "response")).toEqual({ qr_trades: [], total_results: 0 });
  });

  it("an expired token answers 4202 and the endpoint then mints a new one", async () => {
    const token = await issueToken();
    advance(7 * 24 * 3600);
    expect(gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token })).json)).toBe(4202);
    const next = await issueToken(false);
    expect(next).not.toBe(token);
    expect(
      at((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token: next })).json, "response"),
    ).toBeDefined();
  });

  it("revokeTokens() makes every token 4203; the endpoint then mints a new one", async () => {
    const token = await issueToken();
    await sandbox.revokeTokens();
    expect(gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token })).json)).toBe(4203);
    const next = await issueToken(false);
    expect(next).not.toBe(token);
    expect((await sandbox.stats()).tokensIssued).toBe(2);
  });

  it("tokenExpiredEarly: the cached token is refused (4203) until a new one is minted", async () => {
    const token = await issueToken();
    await sandbox.setFaults({ tokenExpiredEarly: true });
    expect(gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token })).json)).toBe(4203);
    const next = await issueToken(false);
    expect(next).not.toBe(token);
    expect((await sandbox.getFaults()).tokenExpiredEarly).toBe(false);
    expect(
      at((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token: next })).json, "response"),
    ).toBeDefined();
    expect(gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token })).json)).toBe(4203);
  });

  it.each([
    [
      "a form-encoded body",
      "client_id=x&client_secret=y",
      "application/x-www-form-urlencoded",
      1000,
    ],
    ["malformed JSON", "{nope", "application/json", 1000],
    ["a JSON array", "[]", "application/json", 1000],
    ["an unknown client_id", { ...goodTokenRequest, client_id: "other" }, undefined, 1103],
    ["a missing client_id", { ...goodTokenRequest, client_id: undefined }, undefined, 1103],
    ["a wrong secret", { ...goodTokenRequest, client_secret: "wrong" }, undefined, 1000],
    ["a foreign shop", { ...goodTokenRequest, grant_id: "123" }, undefined, 1103],
    [
      "authorization_code",
      { ...goodTokenRequest, authorize_type: "authorization_code" },
      undefined,
      1105,
    ],
    ["no authorize_type", { ...goodTokenRequest, authorize_type: undefined }, undefined, 1105],
    ["a non-boolean refresh", { ...goodTokenRequest, refresh: "yes" }, undefined, 1000],
  ])("refuses %s with HTTP 200 and code %i", async (_label, body, contentType, code) => {
    const { status, json } = await tokenCall(body, contentType);
    expect(status).toBe(200);
    expect(json).toEqual({ success: false, code, data: null, message: expect.any(String) });
    if (code === 1103 && _label === "a foreign shop")
      expect(at(json, "message")).toBe("授权关系不存在");
    if (code === 1103 && _label === "an unknown client_id")
      expect(at(json, "message")).toBe("Client 不存在");
  });

  it("issues nothing for refused requests", async () => {
    await tokenCall({ ...goodTokenRequest, client_secret: "wrong" });
    expect((await sandbox.stats()).tokensIssued).toBe(0);
  });
});

describe("gateway", () => {
  it("checks in order: path 4001 → api 4005 → content type 4007 → token 4201/4203/4202 → 4101", async () => {
    const valid = await issueToken();
    // Path and API are checked before the token.
    expect(gwCode((await api(["youzan.trade.get"])).json)).toBe(4001);
    expect(gwCode((await api(["youzan.trade.get", "4.0.2", "x"])).json)).toBe(4001);
    expect(gwCode((await api(["youzan.nothing.here", "1.0.0"])).json)).toBe(4005);
    expect(gwCode((await api(["youzan.trade.get", "9.9.9"])).json)).toBe(4005);
    expect(
      gwCode((await api(["youzan.trade.get", "4.0.2"], {}, { contentType: "text/plain" })).json),
    ).toBe(4007);
    expect(
      gwCode(
        (
          await api(
            ["youzan.trade.get", "4.0.2"],
            {},
            { token: valid, contentType: "application/x-www-form-urlencoded" },
          )
        ).json,
      ),
    ).toBe(4007);
    // The token counts only as the access_token query parameter.
    expect(gwCode((await api(["youzan.trade.get", "4.0.2"], { tid: "E1" })).json)).toBe(4201);
    expect(
      gwCode(
        (
          await api(
            ["youzan.trade.get", "4.0.2"],
            {},
            { headers: { authorization: `Bearer ${valid}` } },
          )
        ).json,
      ),
    ).toBe(4201);
    expect(gwCode((await api(["youzan.trade.get", "4.0.2"], { access_token: valid })).json)).toBe(
      4201,
    );
    expect(
      gwCode((await api(["youzan.trade.get", "4.0.2"], {}, { token: "f".repeat(32) })).json),
    ).toBe(4203);

    await sandbox.setFaults({ rateLimitNextCalls: 2 });
    // A refused token does not consume the rate-limit fault.
    expect(gwCode((await api(["youzan.trade.get", "4.0.2"], {}, { token: "bad" })).json)).toBe(
      4203,
    );
    expect(gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token: valid })).json)).toBe(
      4101,
    );
    expect(gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token: valid })).json)).toBe(
      4101,
    );
    expect(
      at((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token: valid })).json, "response"),
    ).toBeDefined();
    expect((await sandbox.getFaults()).rateLimitNextCalls).toBe(0);
  });

  it("answers every error with HTTP 200 and the gw_err_resp envelope only", async () => {
    const { status, json } = await api(["youzan.trade.get", "4.0.2"]);
    expect(status).toBe(200);
    expect(Object.keys(json)).toEqual(["gw_err_resp"]);
    expect(at(json, "gw_err_resp")).toEqual({
      trace_id: expect.stringMatching(/^yz7-/),
      err_code: 4201,
      err_msg: expect.any(String),
    });
  });

  it("answers a body that is not a JSON object with 4004 (after the token checks)", async () => {
    const token = await issueToken();
    expect(
      gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token, rawBody: "{oops" })).json),
    ).toBe(4004);
    expect(
      gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token, rawBody: "[]" })).json),
    ).toBe(4004);
    expect(
      at(
        (await api(["youzan.trades.qr.get", "3.0.0"], {}, { token, rawBody: "" })).json,
        "response",
      ),
    ).toBeDefined();
  });

  it("records every call with its outcome and counts qr.get calls per qr_id", async () => {
    const token = await issueToken();
    await api(
      ["youzan.trades.qr.get", "3.0.0"],
      { qr_id: "1000001", status: "TRADE_RECEIVED" },
      { token },
    );
    await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: 1000001 }, { token });
    await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: "1000002" }, { token: "bad" });
    await api(["youzan.trade.get", "4.0.2"], { tid: "E0" }, { token });
    await api(["youzan.nothing", "1.0.0"]);
    const stats = await sandbox.stats();
    expect(stats.apiCalls).toEqual({
      "youzan.trades.qr.get": 3,
      "youzan.trade.get": 1,
      "youzan.nothing": 1,
    });
    expect(stats.apiCallsByQr).toEqual({ "1000001": 2, "1000002": 1 });
  });

  it("slowMs delays every gateway response in real time", async () => {
    const token = await issueToken();
    await sandbox.setFaults({ slowMs: 300 });
    const started = Date.now();
    await api(["youzan.trades.qr.get", "3.0.0"], {}, { token });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe("QR codes and QR trades", () => {
  it("creates a dynamic QR: numeric-string qr_id, the pay page URL and a PNG", async () => {
    const { status, json } = await authed(["youzan.pay.qrcode.create", "3.0.0"], {
      qr_type: "QR_TYPE_DYNAMIC",
      qr_price: "990",
      qr_name: "电子书",
      qr_source: "XP20260301ABCDEFGHJK",
    });
    expect(status).toBe(200);
    const created = at(json, "response") as Json;
    expect(created.qr_id).toBe("1000001");
    expect(created.qr_url).toBe(`${BASE}/pay?qr_id=1000001`);
    expect(created.qr_type).toBe(4);
    expect(created.qr_code).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(String(created.qr_code).split(",")[1]!, "base64");
    expect(png.subarray(1, 4).toString("ascii")).toBe("PNG");

    // Integer prices are accepted too; ids increase.
    expect(await createQr({ qr_type: "QR_TYPE_DYNAMIC", qr_price: 100, qr_name: "x" })).toBe(
      "1000002",
    );

    const got = await authed(["youzan.pay.qrcode.get", "3.0.0"], { qr_id: "1000001" });
    expect(at(got.json, "response")).toMatchObject({
      qr_id: 1000001,
      qr_name: "电子书",
      qr_price: 990,
      qr_type: "QR_TYPE_DYNAMIC",
      qr_url: created.qr_url,
      qr_source: "XP20260301ABCDEFGHJK",
      qr_created_time: "2026-03-01 10:00:00",
    });
    expect((await sandbox.getQr("1000001"))?.name).toBe("电子书");
  });

  it.each([
    ["yuan instead of fen", { qr_type: "QR_TYPE_DYNAMIC", qr_price: "9.90", qr_name: "x" }],
    ["a missing price", { qr_type: "QR_TYPE_DYNAMIC", qr_name: "x" }],
    ["a zero price", { qr_type: "QR_TYPE_DYNAMIC", qr_price: 0, qr_name: "x" }],
    ["a missing name", { qr_type: "QR_TYPE_DYNAMIC", qr_price: "990" }],
    ["an unknown type", { qr_type: "QR_TYPE_FIXED", qr_price: "990", qr_name: "x" }],
  ])("refuses %s in the legacy error envelope", async (_label, params) => {
    const { status, json } = await authed(["youzan.pay.qrcode.create", "3.0.0"], params);
    expect(status).toBe(200);
    expect(json).toEqual({ error_response: { code: 50000, msg: expect.any(String) } });
  });

  it("a parameter of the wrong JSON type is gateway error 5001", async () => {
    const { json } = await authed(["youzan.pay.qrcode.create", "3.0.0"], {
      qr_type: "QR_TYPE_DYNAMIC",
      qr_price: { fen: 990 },
      qr_name: "x",
    });
    expect(gwCode(json)).toBe(5001);
  });

  it("scan → WAIT_RECEIVED row; pay reuses it → TRADE_RECEIVED with yuan amounts", async () => {
    const qrId = await createQr();
    const token = await issueToken();
    const list = async (params: Record<string, unknown> = { qr_id: qrId }) =>
      at(
        (await api(["youzan.trades.qr.get", "3.0.0"], params, { token })).json,
        "response",
      ) as Json;

    expect(await list()).toEqual({ qr_trades: [], total_results: 0 });
    const { tid } = await sandbox.scan(qrId);
    expect(tid).toMatch(/^E20260301100000\d{9}$/);
    const waiting = await list();
    expect(waiting.total_results).toBe(1);
    expect(at(waiting, "qr_trades.0")).toEqual({
      tid,
      qr_id: qrId,
      qr_url: `${BASE}/pay?qr_id=${qrId}`,
      qr_name: "电子书 · 小铺",
      qr_price: "9.90",
      real_price: "",
      payer_nick: "",
      outer_tid: "",
      status: "WAIT_RECEIVED",
      pay_type: "",
      book_date: "2026-03-01 10:00:00",
      created_date: "2026-03-01 10:00:00",
      pay_date: "",
    });
    expect(await list({ qr_id: qrId, status: "TRADE_RECEIVED" })).toEqual({
      qr_trades: [],
      total_results: 0,
    });

    advance(65);
    const paid = await sandbox.pay({ qrId, payType: "ALIPAY", payerNick: "alipay_2088" });
    expect(paid.tid).toBe(tid);
    const rows = await list({ qr_id: qrId, status: "TRADE_RECEIVED" });
    expect(rows.total_results).toBe(1);
    expect(at(rows, "qr_trades.0")).toMatchObject({
      tid,
      qr_id: qrId,
      status: "TRADE_RECEIVED",
      qr_price: "9.90",
      real_price: "9.90",
      pay_type: "ALIPAY",
      payer_nick: "alipay_2088",
      pay_date: "2026-03-01 10:01:05",
      created_date: "2026-03-01 10:00:00",
    });
    // GET with query parameters works the same.
    const viaGet = await api(
      ["youzan.trades.qr.get", "3.0.0"],
      { qr_id: qrId, status: "TRADE_RECEIVED" },
      { token, method: "GET" },
    );
    expect(at(viaGet.json, "response.total_results")).toBe(1);
  });

  it("lists one row per scan, newest first, and pages", async () => {
    const qrId = await createQr({ qr_type: "QR_TYPE_NOLIMIT", qr_price: "500", qr_name: "打赏" });
    const tids: string[] = [];
    for (let i = 0; i < 3; i++) {
      tids.push((await sandbox.scan(qrId)).tid);
      advance(10);
    }
    const token = await issueToken();
    const all = await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId }, { token });
    const listed = at(all.json, "response.qr_trades") as Json[];
    expect(listed.map((row) => row.tid)).toEqual([...tids].reverse());
    const page = await api(
      ["youzan.trades.qr.get", "3.0.0"],
      { qr_id: qrId, page_size: 2, page_no: 2, fields: "tid,status" },
      { token },
    );
    expect(at(page.json, "response")).toEqual({
      qr_trades: [{ tid: tids[0], status: "WAIT_RECEIVED" }],
      total_results: 3,
    });
  });

  it("a dynamic QR refuses a second payment, also when two payments race", async () => {
    const qrId = await createQr();
    await sandbox.pay({ qrId });
    await expect(sandbox.pay({ qrId })).rejects.toMatchObject({ status: 409 });
    await expect(sandbox.pay({ qrId })).rejects.toBeInstanceOf(SandboxError);
    expect((await sandbox.getQr(qrId))?.paid).toBe(true);
    // Scanning is still possible; paying is not.
    await sandbox.scan(qrId);

    const racing = await createQr();
    const results = await Promise.allSettled([
      sandbox.pay({ qrId: racing }),
      sandbox.pay({ qrId: racing }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("a no-limit QR takes many payments; a payer-priced QR needs the amount", async () => {
    const nolimit = await createQr({
      qr_type: "QR_TYPE_NOLIMIT",
      qr_price: "500",
      qr_name: "打赏",
    });
    const a = await sandbox.pay({ qrId: nolimit });
    const b = await sandbox.pay({ qrId: nolimit });
    expect(a.tid).not.toBe(b.tid);

    const byPerson = await createQr({ qr_type: "QR_TYPE_FIXED_BY_PERSON", qr_name: "随意付" });
    await expect(sandbox.pay({ qrId: byPerson })).rejects.toMatchObject({ status: 400 });
    const { tid } = await sandbox.pay({ qrId: byPerson, amountFen: 1234 });
    const row = at(
      (await authed(["youzan.trades.qr.get", "3.0.0"], { qr_id: byPerson })).json,
      "response.qr_trades.0",
    );
    expect(row).toMatchObject({ tid, real_price: "12.34", qr_price: "0.00" });
  });

  it("reports an amount that differs from the QR price (real_price ≠ qr_price)", async () => {
    const qrId = await createQr();
    await sandbox.pay({ qrId, amountFen: 1 });
    const row = at(
      (await authed(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId })).json,
      "response.qr_trades.0",
    );
    expect(row).toMatchObject({ qr_price: "9.90", real_price: "0.01" });
  });

  it("refuses bad pay input and unknown QR codes", async () => {
    await expect(sandbox.pay({ qrId: "999" })).rejects.toMatchObject({ status: 404 });
    await expect(sandbox.pay({ qrId: "abc" })).rejects.toMatchObject({ status: 404 });
    await expect(sandbox.scan("1000001")).rejects.toMatchObject({ status: 404 });
    const qrId = await createQr();
    await expect(sandbox.pay({ qrId, amountFen: -5 })).rejects.toMatchObject({ status: 400 });
    await expect(sandbox.pay({ qrId, payType: "wx pay" })).rejects.toMatchObject({ status: 400 });
    expect(await sandbox.getQr("nope")).toBeNull();
  });
});

describe("youzan.trade.get", () => {
  it("4.0.2: code/success envelope, full_order_info and qr_info.qr_id as a number", async () => {
    const qrId = await createQr();
    const { tid } = await sandbox.pay({ qrId, payerNick: "小明" });
    const token = await issueToken();
    const { json } = await api(["youzan.trade.get", "4.0.2"], { tid }, { token });
    expect(json).toMatchObject({
      code: 200,
      success: true,
      message: "successful",
      trace_id: expect.any(String),
    });
    const order = at(json, "data.full_order_info.order_info");
    expect(order).toMatchObject({
      tid,
      status: "TRADE_PAID",
      type: 6,
      created: "2026-03-01 10:00:00",
      pay_time: "2026-03-01 10:00:00",
      expired_time: "2026-03-01 10:30:00",
      success_time: "",
      close_type: 0,
    });
    expect(at(json, "data.full_order_info.pay_info")).toMatchObject({
      payment: "9.90",
      total_fee: "9.90",
      post_fee: "0.00",
    });
    expect(at(json, "data.full_order_info.buyer_info.fans_nickname")).toBe("小明");
    expect(at(json, "data.full_order_info.orders.0")).toMatchObject({
      item_type: 30,
      title: "电子书 · 小铺",
      num: 1,
    });
    expect(at(json, "data.qr_info")).toMatchObject({
      qr_id: Number(qrId),
      qr_name: "电子书 · 小铺",
    });
    expect(typeof at(json, "data.qr_info.qr_pay_id")).toBe("number");

    advance(1);
    const later = await api(["youzan.trade.get", "4.0.0"], { tid }, { token });
    expect(at(later.json, "data.full_order_info.order_info")).toMatchObject({
      status: "TRADE_SUCCESS",
      success_time: "2026-03-01 10:00:01",
    });
  });

  it("3.0.0: the legacy response.trade with trade.qr_id", async () => {
    const qrId = await createQr();
    const { tid } = await sandbox.pay({ qrId });
    const { json } = await authed(["youzan.trade.get", "3.0.0"], { tid });
    expect(Object.keys(json)).toEqual(["response"]);
    expect(at(json, "response.trade")).toMatchObject({
      tid,
      qr_id: Number(qrId),
      payment: "9.90",
      status: "TRADE_PAID",
    });
  });

  it("an unknown trade: 5000 with an empty skeleton (4.x), error_response 50000 (3.0.0)", async () => {
    const token = await issueToken();
    const v4 = await api(
      ["youzan.trade.get", "4.0.2"],
      { tid: "E20260301100000123456789" },
      { token },
    );
    expect(v4.json).toMatchObject({ code: 5000, success: false, message: "trade not found" });
    expect(at(v4.json, "data.full_order_info")).toBeDefined();
    expect(at(v4.json, "data.qr_info")).toBeUndefined();
    const v3 = await api(
      ["youzan.trade.get", "3.0.0"],
      { tid: "E20260301100000123456789" },
      { token },
    );
    expect(v3.json).toEqual({ error_response: { code: 50000, msg: "trade not found" } });
    const missing = await api(["youzan.trade.get", "4.0.2"], {}, { token });
    expect(missing.json).toMatchObject({ success: false, code: 50000 });
  });

  it("tradeVisibleAfterSeconds: the push arrives while trade.get and qr.get do not show the trade", async () => {
    const qrId = await createQr();
    await sandbox.setFaults({ tradeVisibleAfterSeconds: 30 });
    const { tid } = await sandbox.pay({ qrId });
    await sandbox.tick();
    expect(types()).toContain("trade_TradePaid");
    const token = await issueToken();
    expect(at((await api(["youzan.trade.get", "4.0.2"], { tid }, { token })).json, "code")).toBe(
      5000,
    );
    expect(
      at(
        (await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId }, { token })).json,
        "response.total_results",
      ),
    ).toBe(0);
    advance(30);
    expect(at((await api(["youzan.trade.get", "4.0.2"], { tid }, { token })).json, "success")).toBe(
      true,
    );
    expect(
      at(
        (
          await api(
            ["youzan.trades.qr.get", "3.0.0"],
            { qr_id: qrId, status: "TRADE_RECEIVED" },
            { token },
          )
        ).json,
        "response.total_results",
      ),
    ).toBe(1);
  });
});

describe("expiry", () => {
  it("an unpaid trade closes 30 minutes after the scan, with a close push; it cannot be paid", async () => {
    const qrId = await createQr();
    const { tid } = await sandbox.scan(qrId);
    await sandbox.tick();
    expect(types()).toEqual(["trade_TradeCreate"]);

    advance(30 * 60 - 1);
    expect(await sandbox.tick()).toMatchObject({ closed: 0 });
    advance(1);
    // Views derive the state from the clock even before tick() has run.
    const token = await issueToken();
    const before = await api(["youzan.trade.get", "4.0.2"], { tid }, { token });
    expect(at(before.json, "data.full_order_info.order_info")).toMatchObject({
      status: "TRADE_CLOSED",
      close_type: 1,
    });

    expect(await sandbox.tick()).toMatchObject({ closed: 1, delivered: 1 });
    expect(await sandbox.tick()).toMatchObject({ closed: 0, delivered: 0 });
    const close = received[1]!;
    expect(close.body).toMatchObject({ type: "trade_TradeClose", status: "TRADE_CLOSED", id: tid });
    expect(decodeForm(String(close.body.msg))).toEqual({
      tid,
      close_type: 1,
      close_reason: expect.any(String),
      update_time: "2026-03-01 10:30:00",
    });
    const row = at(
      (await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId }, { token })).json,
      "response.qr_trades.0.status",
    );
    expect(row).toBe("TRADE_EXPIRED");

    await expect(sandbox.pay({ qrId, tid })).rejects.toMatchObject({ status: 409 });
    // Paying the code again is a new scan.
    const again = await sandbox.pay({ qrId });
    expect(again.tid).not.toBe(tid);
  });
});

describe("push messages", () => {
  it("signs the exact body bytes (Event-Sign) and the encoded msg (sign); V3 create → paid → success", async () => {
    const qrId = await createQr();
    const { tid } = await sandbox.pay({ qrId });
    await sandbox.tick();
    expect(types()).toEqual(["trade_TradeCreate", "trade_TradePaid"]);
    advance(1);
    await sandbox.tick();
    expect(types()).toEqual(["trade_TradeCreate", "trade_TradePaid", "trade_TradeSuccess"]);

    for (const push of received) {
      expect(push.headers["event-sign"]).toBe(md5(APP.clientId, push.raw, APP.clientSecret));
      expect(push.headers["event-type"]).toBe(push.body.type);
      expect(push.headers["client-id"]).toBe(APP.clientId);
      expect(push.headers["content-type"]).toMatch(/^application\/json/);
      expect(push.body.sign).toBe(md5(APP.clientId, String(push.body.msg), APP.clientSecret));
      expect(push.body).toMatchObject({
        client_id: APP.clientId,
        id: tid,
        kdt_id: Number(APP.kdtId),
        root_kdt_id: Number(APP.kdtId),
        mode: 1,
        sendCount: 0,
        test: false,
      });
      expect(push.body.msg_id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      expect(typeof push.body.kdt_name).toBe("string");
    }
    const [create, paid, success] = received as [Received, Received, Received];
    expect(create.body.status).toBe("WAIT_BUYER_PAY");
    expect(paid.body.status).toBe("TRADE_PAID");
    expect(paid.body.version).toBe(START / 1000);
    expect(success.body.version).toBe(START / 1000 + 1);
    // 2021 form style: spaces are "+", ":" and "," are escaped.
    expect(String(paid.body.msg)).toContain("2026-03-01+10%3A00%3A00");
    expect(String(paid.body.msg)).not.toContain("%20");
    const detail = decodeForm(String(paid.body.msg));
    expect(at(detail, "qr_info.qr_id")).toBe(Number(qrId));
    expect(at(detail, "full_order_info.order_info")).toMatchObject({
      tid,
      status: "TRADE_PAID",
      pay_time: "2026-03-01 10:00:00",
    });
    expect(at(decodeForm(String(create.body.msg)), "full_order_info.order_info.status")).toBe(
      "WAIT_BUYER_PAY",
    );
    expect(decodeForm(String(success.body.msg))).toEqual({
      tid,
      update_time: "2026-03-01 10:00:01",
    });
    // A plain decodeURIComponent leaves the "+" in dates (the spec's trap).
    expect(
      at(
        JSON.parse(decodeURIComponent(String(paid.body.msg))),
        "full_order_info.order_info.pay_time",
      ),
    ).toBe("2026-03-01+10:00:00");
    const stats = await sandbox.stats();
    expect(stats.pushes.map((p) => p.status)).toEqual(["delivered", "delivered", "delivered"]);
  });

  it("msgEncoding uri: the 2018 encodeURI-like style; pushStatusStyle PAID", async () => {
    await sandbox.setFaults({ msgEncoding: "uri", pushStatusStyle: "PAID" });
    const qrId = await createQr();
    await sandbox.pay({ qrId });
    await sandbox.tick();
    const paid = received.find((push) => push.body.type === "trade_TradePaid")!;
    expect(paid.body.status).toBe("PAID");
    const msg = String(paid.body.msg);
    expect(msg).toMatch(/^%7B%22/);
    expect(msg).toContain("2026-03-01%2010:00:00");
    expect(msg).not.toContain("+");
    expect(at(JSON.parse(decodeURIComponent(msg)), "qr_info.qr_id")).toBe(Number(qrId));
    expect(paid.body.sign).toBe(md5(APP.clientId, msg, APP.clientSecret));
    expect(paid.headers["event-sign"]).toBe(md5(APP.clientId, paid.raw, APP.clientSecret));
  });

  it("subscription both: V2 TRADE_ORDER_STATE next to V3; v2 alone has no msg_id", async () => {
    await sandbox.setFaults({ subscription: "both" });
    const qrId = await createQr();
    const { tid } = await sandbox.pay({ qrId });
    advance(1);
    await sandbox.tick();
    expect(received.map((p) => `${p.body.type}/${p.body.status}`)).toEqual([
      "TRADE_ORDER_STATE/WAIT_BUYER_PAY",
      "trade_TradeCreate/WAIT_BUYER_PAY",
      "trade_TradePaid/TRADE_PAID",
      "TRADE_ORDER_STATE/TRADE_SUCCESS",
      "trade_TradeSuccess/TRADE_SUCCESS",
    ]);
    const v2 = received[3]!;
    expect(v2.body).not.toHaveProperty("msg_id");
    expect(decodeForm(String(v2.body.msg))).toEqual({
      tid,
      status: "TRADE_SUCCESS",
      payment: "9.90",
      update_time: "2026-03-01 10:00:01",
    });
    expect(v2.headers["event-sign"]).toBe(md5(APP.clientId, v2.raw, APP.clientSecret));

    received = [];
    await sandbox.setFaults({ subscription: "v2" });
    await sandbox.pay({ qrId: await createQr() });
    advance(1);
    await sandbox.tick();
    expect(types()).toEqual(["TRADE_ORDER_STATE", "TRADE_ORDER_STATE"]);
  });

  it("pushDuplicates: the same msg_id again with a rising sendCount", async () => {
    await sandbox.setFaults({ pushDuplicates: 2 });
    const qrId = await createQr();
    await sandbox.scan(qrId);
    await sandbox.tick();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((p) => p.body.msg_id)).size).toBe(1);
    expect(received.map((p) => p.body.sendCount)).toEqual([0, 1, 2]);
    for (const push of received) {
      expect(push.headers["event-sign"]).toBe(md5(APP.clientId, push.raw, APP.clientSecret));
    }
  });

  it("pushOutOfOrder: one trade's pushes arrive back to front", async () => {
    await sandbox.setFaults({ pushOutOfOrder: true });
    const qrId = await createQr();
    await sandbox.pay({ qrId });
    await sandbox.tick();
    // Due instants are kept (now, now, now + 1 s) but handed out back to front.
    expect(types()).toEqual(["trade_TradeSuccess", "trade_TradePaid"]);
    advance(1);
    await sandbox.tick();
    expect(types()).toEqual(["trade_TradeSuccess", "trade_TradePaid", "trade_TradeCreate"]);
    // Versions keep the event times: an older version arrives after a newer one.
    expect(received[0]!.body.version).toBeGreaterThan(Number(received[1]!.body.version));
  });

  it("pushLost: recorded as lost and never delivered", async () => {
    await sandbox.setFaults({ pushLost: true });
    await sandbox.pay({ qrId: await createQr() });
    advance(3600);
    await sandbox.tick();
    expect(received).toHaveLength(0);
    const { pushes } = await sandbox.stats();
    expect(pushes.map((p) => p.status)).toEqual(["lost", "lost", "lost"]);
  });

  it("retries failures on the 16-step schedule with a stable msg_id, then dead-letters", async () => {
    reply = { status: 500, body: "oops", delayMs: 0 };
    await sandbox.scan(await createQr());
    await sandbox.tick();
    expect(received).toHaveLength(1);
    const msgId = received[0]!.body.msg_id;
    // The unpaid trade also closes after 30 minutes; follow the create message only.
    const attempts = () => received.filter((push) => push.body.msg_id === msgId);

    expect(RETRY_SCHEDULE_SECONDS).toHaveLength(16);
    for (const [i, wait] of RETRY_SCHEDULE_SECONDS.entries()) {
      advance(wait - 1);
      await sandbox.tick();
      expect(attempts(), `before retry ${i + 1}`).toHaveLength(i + 1);
      advance(1);
      await sandbox.tick();
      expect(attempts(), `retry ${i + 1}`).toHaveLength(i + 2);
      const push = attempts()[i + 1]!;
      expect(push.body.sendCount).toBe(i + 1);
      expect(push.body.msg_id).toBe(msgId);
      expect(push.headers["event-sign"]).toBe(md5(APP.clientId, push.raw, APP.clientSecret));
    }
    const [row] = (await sandbox.stats()).pushes;
    expect(row).toMatchObject({ status: "dead", sendCount: 16, lastResult: "HTTP 500: oops" });
    advance(24 * 3600);
    await sandbox.tick();
    expect(attempts()).toHaveLength(17);
  });

  it("a 200 without 'success' in the body is a failure; a later success stops the retries", async () => {
    reply = { status: 200, body: "ok", delayMs: 0 };
    await sandbox.scan(await createQr());
    expect(await sandbox.tick()).toMatchObject({ delivered: 0 });
    expect((await sandbox.stats()).pushes[0]).toMatchObject({ status: "retrying", sendCount: 1 });
    reply = { status: 200, body: '{"code":0,"msg":"success"}', delayMs: 0 };
    advance(10);
    expect(await sandbox.tick()).toMatchObject({ delivered: 1, failed: 0 });
    expect((await sandbox.stats()).pushes[0]).toMatchObject({ status: "delivered", sendCount: 1 });
    advance(20 * 60);
    await sandbox.tick();
    expect(received).toHaveLength(2);
  });

  it("an answer slower than 5 s counts as failed", { timeout: 20_000 }, async () => {
    reply = { status: 200, body: '{"code":0,"msg":"success"}', delayMs: 6_000 };
    await sandbox.scan(await createQr());
    const result = await sandbox.tick();
    expect(result.delivered).toBe(0);
    expect((await sandbox.stats()).pushes[0]).toMatchObject({
      status: "retrying",
      lastResult: expect.stringContaining("timeout"),
    });
  });

  it("an unreachable receiver is a failure, not a crash; setPushUrl redirects later attempts", async () => {
    await sandbox.setPushUrl("http://127.0.0.1:9/nothing-listens-here");
    await sandbox.scan(await createQr());
    expect(await sandbox.tick()).toMatchObject({ delivered: 0 });
    expect((await sandbox.stats()).pushes[0]?.lastResult).toMatch(/^network error/);
    await sandbox.setPushUrl(null);
    advance(10);
    expect(await sandbox.tick()).toMatchObject({ delivered: 1 });
    await expect(sandbox.setPushUrl("ftp://x")).rejects.toMatchObject({ status: 400 });
  });

  it("concurrent tick() calls (two instances) never deliver the same attempt twice", async () => {
    reply = { status: 500, body: "down", delayMs: 0 };
    for (let i = 0; i < 8; i++)
      await sandbox.scan(
        await createQr({ qr_type: "QR_TYPE_DYNAMIC", qr_price: 100 + i, qr_name: `q${i}` }),
      );
    await sandbox.tick();
    expect(received).toHaveLength(8);
    received = [];
    reply = { status: 200, body: '{"code":0,"msg":"success"}', delayMs: 20 };
    advance(10);
    const other = newSandbox();
    const third = newSandbox();
    const results = await Promise.all([sandbox.tick(), other.tick(), third.tick()]);
    expect(results.reduce((sum, r) => sum + r.delivered, 0)).toBe(8);
    expect(received).toHaveLength(8);
    expect(new Set(received.map((p) => p.body.msg_id)).size).toBe(8);
    expect(received.every((p) => p.body.sendCount === 1)).toBe(true);
  });
});

describe("faults and reset", () => {
  it("validates fault patches: unknown keys and wrong types are a 400", async () => {
    await expect(sandbox.setFaults({ nope: true } as never)).rejects.toMatchObject({ status: 400 });
    await expect(sandbox.setFaults({ pushDuplicates: -1 })).rejects.toMatchObject({ status: 400 });
    await expect(sandbox.setFaults({ subscription: "v4" } as never)).rejects.toMatchObject({
      status: 400,
    });
    await expect(sandbox.setFaults(null as never)).rejects.toMatchObject({ status: 400 });
    const faults = await sandbox.setFaults({ pushDuplicates: 1, subscription: "both" });
    expect(faults).toMatchObject({ pushDuplicates: 1, subscription: "both", msgEncoding: "form" });
    expect(await sandbox.setFaults({})).toEqual(faults);
  });

  it("reset() empties the sandbox and restarts QR ids", async () => {
    await sandbox.setFaults({ pushLost: true });
    await sandbox.pay({ qrId: await createQr() });
    await sandbox.reset();
    const stats = await sandbox.stats();
    expect(stats).toEqual({ apiCalls: {}, apiCallsByQr: {}, tokensIssued: 0, pushes: [] });
    expect((await sandbox.getFaults()).pushLost).toBe(false);
    expect(await createQr()).toBe("1000001");
  });
});

describe("HTTP routes under /sandbox (as mounted in the app)", () => {
  const local = "http://localhost:3000";
  const jsonPost = (path: string, body: unknown, contentType = "application/json") =>
    new Request(`${local}${path}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const errorCode = async (response: Response) =>
    ((await response.json()) as { error: { code: string; message: string } }).error.code;

  it("token, gateway and control routes work end to end and refuse bad input with a 4xx", async () => {
    const { SANDBOX_YOUZAN_APP } = await import("@/lib/env");
    const tokenRoute = await import("@/app/sandbox/youzan/auth/token/route");
    const apiRoute = await import("@/app/sandbox/youzan/api/[...path]/route");
    const payRoute = await import("@/app/sandbox/youzan/control/pay/route");
    const scanRoute = await import("@/app/sandbox/youzan/control/scan/route");
    const faultsRoute = await import("@/app/sandbox/youzan/control/faults/route");
    const pushUrlRoute = await import("@/app/sandbox/youzan/control/push-url/route");
    const tickRoute = await import("@/app/sandbox/youzan/control/tick/route");
    const statsRoute = await import("@/app/sandbox/youzan/control/stats/route");
    const revokeRoute = await import("@/app/sandbox/youzan/control/revoke-tokens/route");
    const resetRoute = await import("@/app/sandbox/youzan/control/reset/route");

    // Pushes of this test go to the test receiver, never to a real local shop.
    const setUrl = await pushUrlRoute.POST(
      jsonPost("/sandbox/youzan/control/push-url", { url: pushUrl }),
      undefined,
    );
    expect(setUrl.status).toBe(200);
    expect((await pushUrlRoute.POST(jsonPost("/x", { url: "not a url" }), undefined)).status).toBe(
      422,
    );
    expect(
      (await pushUrlRoute.POST(jsonPost("/x", { url: "javascript:alert(1)" }), undefined)).status,
    ).toBe(422);

    const tokenResponse = await tokenRoute.POST(
      jsonPost("/sandbox/youzan/auth/token", {
        client_id: SANDBOX_YOUZAN_APP.clientId,
        client_secret: SANDBOX_YOUZAN_APP.clientSecret,
        authorize_type: "silent",
        grant_id: Number(SANDBOX_YOUZAN_APP.kdtId),
      }),
      undefined,
    );
    const token = at(await tokenResponse.json(), "data.access_token") as string;
    const created = await apiRoute.POST(
      jsonPost(`/sandbox/youzan/api/youzan.pay.qrcode.create/3.0.0?access_token=${token}`, {
        qr_type: "QR_TYPE_DYNAMIC",
        qr_price: 990,
        qr_name: "会员",
      }),
      { params: Promise.resolve({ path: ["youzan.pay.qrcode.create", "3.0.0"] }) },
    );
    const createdJson = (await created.json()) as Json;
    const qrId = String(at(createdJson, "response.qr_id"));
    expect(at(createdJson, "response.qr_url")).toBe(`${local}/sandbox/youzan/pay?qr_id=${qrId}`);

    const paid = await payRoute.POST(jsonPost("/x", { qrId }), undefined);
    expect(paid.status).toBe(200);
    const { tid } = (await paid.json()) as { tid: string };
    expect(tid).toMatch(/^E\d{23}$/);
    const again = await payRoute.POST(jsonPost("/x", { qrId }), undefined);
    expect([again.status, await errorCode(again)]).toEqual([409, "conflict"]);

    const viaGet = await apiRoute.GET(
      new Request(
        `${local}/sandbox/youzan/api/youzan.trades.qr.get/3.0.0?access_token=${token}&qr_id=${qrId}`,
      ),
      { params: Promise.resolve({ path: ["youzan.trades.qr.get", "3.0.0"] }) },
    );
    expect(at(await viaGet.json(), "response.qr_trades.0.tid")).toBe(tid);

    await tickRoute.POST(jsonPost("/x", {}), undefined);
    expect(received.map((p) => p.body.type)).toContain("trade_TradePaid");
    const stats = (await (
      await statsRoute.GET(new Request(`${local}/x`), undefined)
    ).json()) as Json;
    expect(stats.apiCallsByQr).toEqual({ [qrId]: 1 });

    const bad: [Response, number, string][] = [
      [await payRoute.POST(jsonPost("/x", { qrId: "abc" }), undefined), 422, "validation_failed"],
      [
        await payRoute.POST(jsonPost("/x", { qrId, amountFen: 1.5 }), undefined),
        422,
        "validation_failed",
      ],
      [
        await payRoute.POST(jsonPost("/x", { qrId, extra: 1 }), undefined),
        422,
        "validation_failed",
      ],
      [await payRoute.POST(jsonPost("/x", "{nope"), undefined), 400, "bad_request"],
      [
        await payRoute.POST(jsonPost("/x", "qrId=1", "text/plain"), undefined),
        415,
        "unsupported_media_type",
      ],
      [await scanRoute.POST(jsonPost("/x", { qrId: "999" }), undefined), 404, "not_found"],
      [await faultsRoute.POST(jsonPost("/x", { bogus: true }), undefined), 400, "bad_request"],
      [await faultsRoute.POST(jsonPost("/x", { slowMs: "fast" }), undefined), 400, "bad_request"],
      [await faultsRoute.POST(jsonPost("/x", [1]), undefined), 400, "bad_request"],
    ];
    for (const [response, status, code] of bad) {
      expect([response.status, await errorCode(response)]).toEqual([status, code]);
    }

    const faults = await faultsRoute.POST(jsonPost("/x", { pushDuplicates: 1 }), undefined);
    expect(at(await faults.json(), "pushDuplicates")).toBe(1);
    expect(
      ((await (await faultsRoute.GET(new Request(`${local}/x`), undefined)).json()) as Json)
        .pushDuplicates,
    ).toBe(1);

    expect((await revokeRoute.POST(jsonPost("/x", {}), undefined)).status).toBe(200);
    const revoked = await apiRoute.POST(
      jsonPost(`/sandbox/youzan/api/youzan.trades.qr.get/3.0.0?access_token=${token}`, {}),
      { params: Promise.resolve({ path: ["youzan.trades.qr.get", "3.0.0"] }) },
    );
    expect(at(await revoked.json(), "gw_err_resp.err_code")).toBe(4203);

    expect((await resetRoute.POST(jsonPost("/x", {}), undefined)).status).toBe(200);
    const empty = (await (
      await statsRoute.GET(new Request(`${local}/x`), undefined)
    ).json()) as Json;
    expect(empty.pushes).toEqual([]);
  });

  it("the shared clock: GET reads it, POST moves it forward only", async () => {
    const clockRoute = await import("@/app/sandbox/control/clock/route");
    const read = (await (
      await clockRoute.GET(new Request("http://localhost/x"), undefined)
    ).json()) as Json;
    expect(read.offsetMs).toBe(0);
    const moved = await clockRoute.POST(jsonPost("/x", { advanceSeconds: 90 }), undefined);
    const movedJson = (await moved.json()) as Json;
    expect(movedJson.offsetMs).toBe(90_000);
    expect(Date.parse(String(movedJson.now)) - Date.now()).toBeGreaterThan(85_000);
    for (const body of [
      { advanceSeconds: -1 },
      { advanceSeconds: "60" },
      {},
      { advanceSeconds: 1, x: 1 },
    ]) {
      const response = await clockRoute.POST(jsonPost("/x", body), undefined);
      expect([response.status, await errorCode(response)]).toEqual([422, "validation_failed"]);
    }
  });
});
