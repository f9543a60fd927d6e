import "server-only";
import { randomBytes } from "node:crypto";
import type { EnvelopeOverride, EnvelopeStyle } from "./types";

/**
 * The three response shapes of the Youzan Cloud gateway (spec §2.2) and the token endpoint's
 * envelope (§1.1). Every one of them is sent with HTTP 200.
 */

export type JsonObject = Record<string, unknown>;
export type { EnvelopeStyle };

/** How one API answers: its business envelope and the names of its error text fields. */
export interface Envelope {
  style: EnvelopeStyle;
  gwErrorText: "err_msg" | "err_message";
  errorText: "msg" | "message";
}

/** Which business envelope an API version answers in by default: 3.0.0 → legacy, 4.x → v4. */
export function envelopeStyleFor(version: string): EnvelopeStyle {
  return version.startsWith("3.") ? "legacy" : "v4";
}

/** The spec's defaults (`err_msg`, `msg`, style by version), with the API's knob on top. */
export function envelopeFor(version: string, override: EnvelopeOverride = {}): Envelope {
  return {
    style: override.style ?? envelopeStyleFor(version),
    gwErrorText: override.gwErrorText ?? "err_msg",
    errorText: override.errorText ?? "msg",
  };
}

/** `yz7-` trace ids as the gateway prints them (shape only; the content is random). */
export function newTraceId(now: Date = new Date()): string {
  return `yz7-${randomBytes(4).toString("hex")}-${now.getTime()}-${randomBytes(3).readUIntBE(0, 3)}`;
}

export function gatewayError(
  code: number,
  message: string,
  traceId = newTraceId(),
  textField: Envelope["gwErrorText"] = "err_msg",
): JsonObject {
  return { gw_err_resp: { trace_id: traceId, err_code: code, [textField]: message } };
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
  textField: Envelope["errorText"] = "msg",
): JsonObject {
  if (style === "legacy") return { error_response: { code, [textField]: message } };
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
