import { describe, expect, it } from "vitest";
import { parseEnvelope } from "./envelope";

describe("parseEnvelope", () => {
  it("reads a gateway error with err_msg or err_message", () => {
    expect(
      parseEnvelope({
        gw_err_resp: { trace_id: "yz7-1", err_code: 4203, err_msg: "Token 不存在" },
      }),
    ).toEqual({
      ok: false,
      failure: { source: "gateway", code: 4203, message: "Token 不存在" },
    });
    expect(parseEnvelope({ gw_err_resp: { err_code: 4101, err_message: "limit" } })).toEqual({
      ok: false,
      failure: { source: "gateway", code: 4101, message: "limit" },
    });
  });

  it("reads the 4.x business shape with a numeric or string code", () => {
    const data = { qr_id: 1 };
    expect(parseEnvelope({ trace_id: "t", code: 200, success: true, message: "ok", data })).toEqual(
      { ok: true, data },
    );
    expect(parseEnvelope({ code: "200", success: true, data })).toEqual({ ok: true, data });
    expect(parseEnvelope({ code: "200", data })).toEqual({ ok: true, data });
    expect(
      parseEnvelope({
        code: 5000,
        success: false,
        message: "trade not found",
        data: {},
        request_id: null,
      }),
    ).toEqual({
      ok: false,
      failure: { source: "business", code: 5000, message: "trade not found" },
    });
    expect(parseEnvelope({ code: 5000, message: "x" })).toMatchObject({ ok: false });
  });

  it("uses the token code space for the token endpoint", () => {
    expect(
      parseEnvelope({ success: false, code: 1103, data: null, message: "Client 不存在" }, "token"),
    ).toEqual({ ok: false, failure: { source: "token", code: 1103, message: "Client 不存在" } });
  });

  it("reads the legacy response / error_response shape, msg or message", () => {
    expect(parseEnvelope({ response: { qr_trades: [] } })).toEqual({
      ok: true,
      data: { qr_trades: [] },
    });
    expect(
      parseEnvelope({
        error_response: { code: 40010, msg: "参数 token 无效", sub_code: 10000, sub_msg: "无效" },
      }),
    ).toEqual({
      ok: false,
      failure: {
        source: "legacy",
        code: 40010,
        message: "参数 token 无效",
        subCode: 10000,
        subMessage: "无效",
      },
    });
    expect(parseEnvelope({ error_response: { code: 50000, message: "not found" } })).toMatchObject({
      failure: { message: "not found" },
    });
  });

  it("returns null for anything else", () => {
    for (const body of [null, "ok", 1, [], {}, { hello: "world" }, { data: {} }]) {
      expect(parseEnvelope(body)).toBeNull();
    }
  });
});
