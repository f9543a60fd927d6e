import "server-only";
import { randomBytes } from "node:crypto";
import { rsa2Sign } from "./signing";

/*
 * v2 response bodies (spec §3.2): `{"<method>_response":{…},"sign":"…"}` with `sign` last, signed
 * over the exact bytes of the inner JSON as emitted. Slashes are escaped `\/` like Alipay's own
 * samples (and as PHP's json_encode would re-encode them).
 */

export type JsonObject = Record<string, unknown>;

export const responseKey = (method: string) => `${method.replaceAll(".", "_")}_response`;

/** Compact JSON, unescaped non-ASCII, `\/` for slashes. */
export function emitJson(value: JsonObject): string {
  return JSON.stringify(value).replaceAll("/", "\\/");
}

export interface GatewayAnswer {
  status: number;
  contentType: string;
  body: string;
  traceId: string;
}

export const newTraceId = () => randomBytes(16).toString("hex");

const HTML_TYPE = "text/html;charset=utf-8";

/** A signed (or, with `privateKeyPem` null, unsigned) response body. */
export function responseBody(key: string, inner: JsonObject, privateKeyPem: string | null) {
  const text = emitJson(inner);
  if (privateKeyPem === null) return `{"${key}":${text}}`;
  return `{"${key}":${text},"sign":"${rsa2Sign(text, privateKeyPem)}"}`;
}

export function answer(body: string, traceId = newTraceId(), status = 200): GatewayAnswer {
  return { status, contentType: HTML_TYPE, body, traceId };
}

export function toResponse(result: GatewayAnswer): Response {
  return new Response(result.body, {
    status: result.status,
    headers: { "content-type": result.contentType, trace_id: result.traceId },
  });
}

export const SUCCESS = { code: "10000", msg: "Success" } as const;

/** A business failure (40004) with its sub code. */
export function bizError(subCode: string, subMsg: string): JsonObject {
  return { code: "40004", msg: "Business Failed", sub_code: subCode, sub_msg: subMsg };
}

export const GATEWAY_MSG: Record<string, string> = {
  "20000": "Service Currently Unavailable",
  "40001": "Missing Required Arguments",
  "40002": "Invalid Arguments",
  "40005": "Call Limited",
  "40006": "Insufficient Permissions",
};

export function gatewayError(code: string, subCode: string, subMsg: string): JsonObject {
  return { code, msg: GATEWAY_MSG[code] ?? "Business Failed", sub_code: subCode, sub_msg: subMsg };
}
