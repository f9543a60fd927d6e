import { describe, expect, it } from "vitest";
import {
  APP,
  at,
  goodTokenRequest,
  gwCode,
  START,
  withSandboxHarness,
} from "../helpers/sandbox-harness";

/* The Youzan sandbox's token endpoint (spec §1.1) and the token checks of the gateway. */

const h = withSandboxHarness();
const { api, advance, issueToken, tokenCall } = h;

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
    expect(at(refreshed.json, "data.expires")).toBe(h.now() + 7 * 24 * 3600 * 1000);

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
    await h.sandbox.revokeTokens();
    expect(gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token })).json)).toBe(4203);
    const next = await issueToken(false);
    expect(next).not.toBe(token);
    expect((await h.sandbox.stats()).tokensIssued).toBe(2);
  });

  it("tokenExpiredEarly: the cached token is refused (4203) until a new one is minted", async () => {
    const token = await issueToken();
    await h.sandbox.setFaults({ tokenExpiredEarly: true });
    expect(gwCode((await api(["youzan.trades.qr.get", "3.0.0"], {}, { token })).json)).toBe(4203);
    const next = await issueToken(false);
    expect(next).not.toBe(token);
    expect((await h.sandbox.getFaults()).tokenExpiredEarly).toBe(false);
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
  ])("refuses %s with HTTP 200 and code %i", async (label, body, contentType, code) => {
    const { status, json } = await tokenCall(body, contentType);
    expect(status).toBe(200);
    expect(json).toEqual({ success: false, code, data: null, message: expect.any(String) });
    if (code === 1103 && label === "a foreign shop") {
      expect(at(json, "message")).toBe("授权关系不存在");
    }
    if (code === 1103 && label === "an unknown client_id") {
      expect(at(json, "message")).toBe("Client 不存在");
    }
  });

  it("issues nothing for refused requests", async () => {
    await tokenCall({ ...goodTokenRequest, client_secret: "wrong" });
    expect((await h.sandbox.stats()).tokensIssued).toBe(0);
  });
});
