import { describe, expect, it } from "vitest";
import { at, gwCode, withSandboxHarness } from "../helpers/sandbox-harness";

/*
 * The Youzan sandbox's API gateway (spec §2): the order of its checks, the three envelopes and
 * their per-API settings, request bodies (JSON and form), parameter errors, call records.
 */

const h = withSandboxHarness();
const { api, authed, createQr, issueToken } = h;

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
    // JSON and form bodies are accepted (see below); multipart is not implemented.
    expect(
      gwCode(
        (
          await api(
            ["youzan.trade.get", "4.0.2"],
            {},
            { token: valid, contentType: "multipart/form-data; boundary=x" },
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

    await h.sandbox.setFaults({ rateLimitNextCalls: 2 });
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
    expect((await h.sandbox.getFaults()).rateLimitNextCalls).toBe(0);
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
    const stats = await h.sandbox.stats();
    expect(stats.apiCalls).toEqual({
      "youzan.trades.qr.get": 3,
      "youzan.trade.get": 1,
      "youzan.nothing": 1,
    });
    expect(stats.apiCallsByQr).toEqual({ "1000001": 2, "1000002": 1 });
  });
});

describe("form-encoded calls (spec §2.1: the docs allow POST form bodies)", () => {
  const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const formType = "application/x-www-form-urlencoded";

  it("creates a QR code and lists its trades from a form body", async () => {
    const token = await issueToken();
    const created = await api(
      ["youzan.pay.qrcode.create", "3.0.0"],
      {},
      {
        token,
        contentType: `${formType}; charset=UTF-8`,
        rawBody: form({ qr_type: "QR_TYPE_DYNAMIC", qr_price: "990", qr_name: "电子书 · 小铺" }),
      },
    );
    const qrId = at(created.json, "response.qr_id") as string;
    expect(qrId).toBe("1000001");
    const { tid } = await h.sandbox.pay({ qrId });
    const listed = await api(
      ["youzan.trades.qr.get", "3.0.0"],
      {},
      {
        token,
        contentType: formType,
        rawBody: form({ qr_id: qrId, status: "TRADE_RECEIVED", page_size: "5" }),
      },
    );
    expect(at(listed.json, "response.qr_trades.0")).toMatchObject({
      tid,
      qr_id: qrId,
      qr_name: "电子书 · 小铺",
    });
    expect((await h.sandbox.stats()).apiCallsByQr).toEqual({ [qrId]: 1 });
  });

  it("a token in the form body is still a missing token (4201)", async () => {
    const token = await issueToken();
    const { json } = await api(
      ["youzan.trades.qr.get", "3.0.0"],
      {},
      { contentType: formType, rawBody: form({ access_token: token }) },
    );
    expect(gwCode(json)).toBe(4201);
  });

  it("a form body missing a required parameter gets the missing-parameter code", async () => {
    const { json } = await authed(
      ["youzan.pay.qrcode.create", "3.0.0"],
      {},
      { contentType: formType, rawBody: form({ qr_type: "QR_TYPE_DYNAMIC", qr_price: "990" }) },
    );
    expect(json).toEqual({
      error_response: { code: 53002, msg: expect.stringContaining("qr_name") },
    });
  });
});

describe("parameter errors (spec §2.3, §2.4)", () => {
  it.each([
    ["youzan.pay.qrcode.create", "3.0.0", { qr_price: "990", qr_name: "x" }, "qr_type"],
    ["youzan.pay.qrcode.create", "3.0.0", { qr_type: "QR_TYPE_DYNAMIC", qr_name: "x" }, "qr_price"],
    ["youzan.pay.qrcode.create", "3.0.0", { qr_type: "QR_TYPE_DYNAMIC", qr_price: 1 }, "qr_name"],
    [
      "youzan.pay.qrcode.create",
      "3.0.0",
      { qr_type: "QR_TYPE_DYNAMIC", qr_price: 1, qr_name: " " },
      "qr_name",
    ],
    ["youzan.pay.qrcode.get", "3.0.0", {}, "qr_id"],
    ["youzan.trade.get", "3.0.0", {}, "tid"],
  ])("%s %s without %s → error_response 53002", async (name, version, params, missing) => {
    const { json } = await authed([name, version], params);
    expect(json).toEqual({
      error_response: { code: 53002, msg: expect.stringContaining(String(missing)) },
    });
  });

  it("4.x answers the missing parameter in its own envelope", async () => {
    const { json } = await authed(["youzan.trade.get", "4.0.2"], {});
    expect(json).toEqual({
      code: 53002,
      success: false,
      message: expect.stringContaining("tid"),
      data: null,
      request_id: null,
    });
  });

  it("an invalid value stays business 50000 and a wrong JSON type gateway 5001", async () => {
    const bad = await authed(["youzan.pay.qrcode.create", "3.0.0"], {
      qr_type: "QR_TYPE_DYNAMIC",
      qr_price: "9.90",
      qr_name: "x",
    });
    expect(at(bad.json, "error_response.code")).toBe(50000);
    const wrongType = await authed(["youzan.trades.qr.get", "3.0.0"], { page_size: [1] });
    expect(gwCode(wrongType.json)).toBe(5001);
  });
});

describe("envelope settings per API and version (spec §2.2)", () => {
  it("a 3.0.0 API can answer in the 4.x shape, and back", async () => {
    const qrId = await createQr();
    const { tid } = await h.sandbox.pay({ qrId });
    await h.sandbox.setFaults({
      envelopes: {
        "youzan.trades.qr.get": { style: "v4" },
        "youzan.trade.get/4.0.2": { style: "legacy" },
      },
    });
    const token = await issueToken();
    const list = await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId }, { token });
    expect(list.json).toMatchObject({
      code: 200,
      success: true,
      message: "successful",
      trace_id: expect.stringMatching(/^yz7-/),
      data: { total_results: 1, qr_trades: [{ tid }] },
    });
    // The data keeps the version's shape; only the envelope changes.
    const detail = await api(["youzan.trade.get", "4.0.2"], { tid }, { token });
    expect(Object.keys(detail.json)).toEqual(["response"]);
    expect(at(detail.json, "response.qr_info.qr_id")).toBe(Number(qrId));
    const other = await api(["youzan.trade.get", "4.0.0"], { tid }, { token });
    expect(at(other.json, "success")).toBe(true);
  });

  it("err_message and message instead of err_msg and msg, where an API says so", async () => {
    await h.sandbox.setFaults({
      envelopes: {
        "youzan.trade.get": { gwErrorText: "err_message", errorText: "message" },
      },
    });
    const token = await issueToken();
    const gw = await api(["youzan.trade.get", "4.0.2"], {}, { token: "bad" });
    expect(at(gw.json, "gw_err_resp")).toEqual({
      trace_id: expect.stringMatching(/^yz7-/),
      err_code: 4203,
      err_message: "Token 不存在",
    });
    const legacy = await api(["youzan.trade.get", "3.0.0"], { tid: "E0" }, { token });
    expect(legacy.json).toEqual({ error_response: { code: 50000, message: "trade not found" } });
    // Other APIs keep the defaults.
    const list = await api(["youzan.trades.qr.get", "3.0.0"], {}, { token: "bad" });
    expect(Object.keys(at(list.json, "gw_err_resp") as object)).toContain("err_msg");
    // A 4.x failure has no msg field to rename: `message` is its only text.
    const v4 = await api(["youzan.trade.get", "4.0.2"], { tid: "E0" }, { token });
    expect(v4.json).toMatchObject({ code: 5000, message: "trade not found" });
  });

  it("refuses envelope settings for APIs the sandbox does not implement", async () => {
    await expect(
      h.sandbox.setFaults({ envelopes: { "youzan.trade.get/5.0.0": { style: "v4" } } }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining("5.0.0") });
  });
});
