import { describe, expect, it } from "vitest";
import { at, goodTokenRequest, gwCode, withSandboxHarness } from "../helpers/sandbox-harness";

/*
 * The Youzan sandbox's fault knobs (spec §6.4) and reset: validation, slow answers, transport
 * faults (HTTP 5xx, empty and non-JSON bodies, the 301 for http://), the IP allow-list 4007, API
 * permission 4204 and business refusals of one API.
 */

const h = withSandboxHarness();
const { api, apiResponse, authed, createQr, issueToken, tokenCall } = h;

const CREATE = ["youzan.pay.qrcode.create", "3.0.0"];
const createParams = { qr_type: "QR_TYPE_DYNAMIC", qr_price: "990", qr_name: "电子书" };

describe("faults and reset", () => {
  it("validates fault patches: unknown keys and wrong types are a 400", async () => {
    await expect(h.sandbox.setFaults({ nope: true } as never)).rejects.toMatchObject({
      status: 400,
    });
    await expect(h.sandbox.setFaults({ pushDuplicates: -1 })).rejects.toMatchObject({
      status: 400,
    });
    await expect(h.sandbox.setFaults({ subscription: "v4" } as never)).rejects.toMatchObject({
      status: 400,
    });
    await expect(h.sandbox.setFaults(null as never)).rejects.toMatchObject({ status: 400 });
    const faults = await h.sandbox.setFaults({ pushDuplicates: 1, subscription: "both" });
    expect(faults).toMatchObject({ pushDuplicates: 1, subscription: "both", msgEncoding: "form" });
    expect(await h.sandbox.setFaults({})).toEqual(faults);
  });

  it("reset() empties the sandbox and restarts QR ids", async () => {
    await h.sandbox.setFaults({ pushLost: true });
    await h.sandbox.pay({ qrId: await createQr() });
    await h.sandbox.reset();
    const stats = await h.sandbox.stats();
    expect(stats).toEqual({ apiCalls: {}, apiCallsByQr: {}, tokensIssued: 0, pushes: [] });
    expect((await h.sandbox.getFaults()).pushLost).toBe(false);
    expect(await createQr()).toBe("1000001");
  });

  it("slowMs delays every gateway and token response by that much (injected sleep)", async () => {
    const token = await issueToken();
    expect(h.slept).toEqual([]);
    await h.sandbox.setFaults({ slowMs: 300 });
    await api(["youzan.trades.qr.get", "3.0.0"], {}, { token });
    await tokenCall(goodTokenRequest);
    expect(h.slept).toEqual([300, 300]);
    await h.sandbox.setFaults({ slowMs: 0 });
    await api(["youzan.trades.qr.get", "3.0.0"], {}, { token });
    expect(h.slept).toEqual([300, 300]);
  });
});

describe("transport faults (spec §6.4.3)", () => {
  it.each([
    ["http500", 500],
    ["http502", 502],
    ["http503", 503],
  ] as const)(
    "brokenResponse %s: HTTP %i with an HTML page, for the next N calls only",
    async (kind, status) => {
      const token = await issueToken();
      await h.sandbox.setFaults({ brokenNextCalls: 2, brokenResponse: kind });
      for (let i = 0; i < 2; i++) {
        const response = await apiResponse(CREATE, createParams, { token });
        expect(response.status).toBe(status);
        expect(response.headers.get("content-type")).toMatch(/^text\/html/);
        expect(await response.text()).toContain(String(status));
      }
      // Nothing happened behind the broken answers, and the third call is answered normally.
      expect(await createQr(createParams)).toBe("1000001");
      expect((await h.sandbox.getFaults()).brokenNextCalls).toBe(0);
      expect((await h.sandbox.stats()).apiCalls).toEqual({ "youzan.pay.qrcode.create": 3 });
    },
  );

  it("brokenResponse empty: HTTP 200, a JSON content type and no body at all", async () => {
    const token = await issueToken();
    await h.sandbox.setFaults({ brokenNextCalls: 1, brokenResponse: "empty" });
    const response = await apiResponse(["youzan.trades.qr.get", "3.0.0"], {}, { token });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.text()).toBe("");
  });

  it("brokenResponse nonJson: HTTP 200 with a body that is not JSON", async () => {
    const token = await issueToken();
    await h.sandbox.setFaults({ brokenNextCalls: 1, brokenResponse: "nonJson" });
    const response = await apiResponse(["youzan.trades.qr.get", "3.0.0"], {}, { token });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toBe("");
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
  });

  it("httpRedirect: http:// token and gateway calls get a 301 to https://; https:// is served", async () => {
    await h.sandbox.setFaults({ httpRedirect: true });
    const token = await tokenCall(goodTokenRequest);
    expect(token.status).toBe(301);
    expect(token.response.headers.get("location")).toBe(
      "https://sandbox.test/sandbox/youzan/auth/token",
    );
    expect((await h.sandbox.stats()).tokensIssued).toBe(0);

    const secure = await tokenCall(
      goodTokenRequest,
      undefined,
      "https://sandbox.test/sandbox/youzan",
    );
    expect(at(secure.json, "success")).toBe(true);
    const accessToken = at(secure.json, "data.access_token") as string;

    const plain = await apiResponse(CREATE, createParams, { token: accessToken });
    expect(plain.status).toBe(301);
    expect(plain.headers.get("location")).toBe(
      `https://sandbox.test/sandbox/youzan/api/youzan.pay.qrcode.create/3.0.0?access_token=${accessToken}`,
    );
    const served = await api(CREATE, createParams, {
      token: accessToken,
      base: "https://sandbox.test/sandbox/youzan",
    });
    expect(at(served.json, "response.qr_id")).toBe("1000001");
  });
});

describe("gateway refusals (spec §2.3, §6.1)", () => {
  it("ipBlocked: every call answers 4007, after the API check and before the token check", async () => {
    const token = await issueToken();
    await h.sandbox.setFaults({ ipBlocked: true });
    expect(gwCode((await api(["youzan.nothing", "1.0.0"], {}, { token })).json)).toBe(4005);
    const blocked = await api(CREATE, createParams, { token });
    expect(at(blocked.json, "gw_err_resp")).toMatchObject({
      err_code: 4007,
      err_msg: expect.stringContaining("IP"),
    });
    // Before the token: a missing token is not even looked at.
    expect(gwCode((await api(CREATE, createParams)).json)).toBe(4007);
    await h.sandbox.setFaults({ ipBlocked: false });
    expect(at((await api(CREATE, createParams, { token })).json, "response.qr_id")).toBe("1000001");
  });

  it("deniedApis: youzan.pay.qrcode.create answers 4204 (after the token, before the rate limit)", async () => {
    const token = await issueToken();
    await h.sandbox.setFaults({ deniedApis: ["youzan.pay.qrcode.create"], rateLimitNextCalls: 1 });
    // The token is checked first…
    expect(gwCode((await api(CREATE, createParams, { token: "bad" })).json)).toBe(4203);
    // …then the permission, which does not use up the rate-limit fault.
    const denied = await api(CREATE, createParams, { token });
    expect(at(denied.json, "gw_err_resp")).toEqual({
      trace_id: expect.stringMatching(/^yz7-/),
      err_code: 4204,
      err_msg: expect.stringContaining("youzan.pay.qrcode.create"),
    });
    expect((await h.sandbox.getFaults()).rateLimitNextCalls).toBe(1);
    // Other APIs are still granted.
    expect(gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token })).json)).toBe(4101);
    expect(
      at((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token })).json, "response"),
    ).toBeDefined();
    expect((await h.sandbox.stats()).apiCalls["youzan.pay.qrcode.create"]).toBe(2);
  });

  it("deniedApis by version: only that version is refused", async () => {
    await h.sandbox.setFaults({ deniedApis: ["youzan.trade.get/3.0.0"] });
    const token = await issueToken();
    expect(gwCode((await api(["youzan.trade.get", "3.0.0"], { tid: "E0" }, { token })).json)).toBe(
      4204,
    );
    expect(
      at((await api(["youzan.trade.get", "4.0.2"], { tid: "E0" }, { token })).json, "code"),
    ).toBe(5000);
  });

  it("businessErrors: youzan.pay.qrcode.create refused with 50000 in its own envelope, creating nothing", async () => {
    await h.sandbox.setFaults({
      businessErrors: { "youzan.pay.qrcode.create": { code: 50000, message: "店铺已打烊" } },
    });
    const refused = await authed(CREATE, createParams);
    expect(refused.json).toEqual({ error_response: { code: 50000, msg: "店铺已打烊" } });
    await h.sandbox.setFaults({ businessErrors: {} });
    expect(await createQr(createParams)).toBe("1000001");
  });

  it("businessErrors follow the API's envelope settings (4.x shape, message field)", async () => {
    await h.sandbox.setFaults({
      businessErrors: { "youzan.trade.get": { code: 141500101, message: "店铺状态异常" } },
      envelopes: { "youzan.trade.get/3.0.0": { errorText: "message" } },
    });
    const token = await issueToken();
    const v4 = await api(["youzan.trade.get", "4.0.2"], { tid: "E0" }, { token });
    expect(v4.json).toEqual({
      code: 141500101,
      success: false,
      message: "店铺状态异常",
      data: null,
      request_id: null,
    });
    const v3 = await api(["youzan.trade.get", "3.0.0"], { tid: "E0" }, { token });
    expect(v3.json).toEqual({ error_response: { code: 141500101, message: "店铺状态异常" } });
  });
});
