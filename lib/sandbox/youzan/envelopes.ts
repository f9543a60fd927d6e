import { randomBytes } from "node:crypto";

/**
 * The three response shapes of the Youzan Cloud gateway (spec §2.2) and the token endpoint's
 * envelope (§1.1). Every one of them is sent with HTTP 200.
 */

export type JsonObject = Record<string, unknown>;

/** Which business envelope an API version answers in: 3.0.0 → legacy, 4.x → `code/success`. */
export type EnvelopeStyle = "legacy" | "v4";

export function envelopeStyleFor(version: string): EnvelopeStyle {
  return version.startsWith("3.") ? "legacy" : "v4";
}

/** `yz7-` trace ids as the gateway prints them (shape only; the content is random). */
export function newTraceId(now: Date = new Date()): string {
  return `yz7-${randomBytes(4).toString("hex")}-${now.getTime()}-${randomBytes(3).readUIntBE(0, 3)}`;
}

export function gatewayError(code: number, message: string, traceId = newTraceId()): JsonObject {
  return { gw_err_resp: { trace_id: traceId, err_code: code, err_msg: message } };
}

export function businessSuccess(
  style: EnvelopeStyle,
  data: JsonObject,
  traceId = newTraceId(),
): JsonObject {
  if (style === "legacy") return { response: data };
  return { trace_id: traceId, code: 200, success: true, message: "successful", data };
}

export function businessFailure(
  style: EnvelopeStyle,
  code: number,
  message: string,
  data: JsonObject | null = null,
): JsonObject {
  if (style === "legacy") return { error_response: { code, msg: message } };
  return { code, success: false, message, data, request_id: null };
}

export function tokenSuccess(data: {
  access_token: string;
  expires: number;
  scope: string;
  authority_id: string;
}): JsonObject {
  return { success: true, code: 200, message: null, data };
}

export function tokenFailure(code: number, message: string): JsonObject {
  return { success: false, code, data: null, message };
}
