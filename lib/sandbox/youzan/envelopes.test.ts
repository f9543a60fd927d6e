import { describe, expect, it } from "vitest";
import {
  businessFailure,
  businessSuccess,
  envelopeFor,
  envelopeStyleFor,
  gatewayError,
  newTraceId,
  tokenFailure,
  tokenSuccess,
} from "./envelopes";

describe("envelopes", () => {
  it("3.0.0 answers in the legacy shape, 4.x in code/success", () => {
    expect(envelopeStyleFor("3.0.0")).toBe("legacy");
    expect(envelopeStyleFor("4.0.0")).toBe("v4");
    expect(envelopeStyleFor("4.0.2")).toBe("v4");
  });

  it("per-API settings override the defaults (err_msg, msg, style by version)", () => {
    expect(envelopeFor("3.0.0")).toEqual({
      style: "legacy",
      gwErrorText: "err_msg",
      errorText: "msg",
    });
    expect(envelopeFor("4.0.2", { style: "legacy", errorText: "message" })).toEqual({
      style: "legacy",
      gwErrorText: "err_msg",
      errorText: "message",
    });
    expect(gatewayError(4204, "no", "yz7-x", "err_message")).toEqual({
      gw_err_resp: { trace_id: "yz7-x", err_code: 4204, err_message: "no" },
    });
    expect(businessFailure("legacy", 50000, "no", null, "message")).toEqual({
      error_response: { code: 50000, message: "no" },
    });
  });

  it("gateway errors carry only gw_err_resp", () => {
    expect(gatewayError(4203, "Token 不存在", "yz7-x")).toEqual({
      gw_err_resp: { trace_id: "yz7-x", err_code: 4203, err_msg: "Token 不存在" },
    });
    expect(newTraceId()).toMatch(/^yz7-[0-9a-f]{8}-\d+-\d+$/);
  });

  it("business success and failure per style", () => {
    expect(businessSuccess("legacy", { a: 1 })).toEqual({ response: { a: 1 } });
    expect(businessSuccess("v4", { a: 1 }, "t")).toEqual({
      trace_id: "t",
      code: 200,
      success: true,
      message: "successful",
      data: { a: 1 },
    });
    expect(businessFailure("legacy", 50000, "nope")).toEqual({
      error_response: { code: 50000, msg: "nope" },
    });
    expect(businessFailure("v4", 5000, "trade not found", { x: {} })).toEqual({
      code: 5000,
      success: false,
      message: "trade not found",
      data: { x: {} },
      request_id: null,
    });
  });

  it("token envelopes", () => {
    const data = { access_token: "a", expires: 1, scope: "s", authority_id: "1" };
    expect(tokenSuccess(data)).toEqual({ success: true, code: 200, message: null, data });
    expect(tokenFailure(1103, "Client 不存在")).toEqual({
      success: false,
      code: 1103,
      data: null,
      message: "Client 不存在",
    });
  });
});
