import "server-only";
import { z } from "zod";
import type { VendorFailure } from "./errors";

/**
 * Every Youzan answer is HTTP 200 in one of three envelopes (spec §2.2), and which one an API
 * uses is not reliable, so every call accepts all three:
 *   1. `{"gw_err_resp":{err_code, err_msg|err_message}}` — gateway error;
 *   2. `{code:200|"200", success, message, data}` — the 4.x business shape (also the token endpoint);
 *   3. `{"response":…}` / `{"error_response":{code, msg|message, sub_code?, sub_msg?}}` — legacy.
 */
export type Envelope = { ok: true; data: unknown } | { ok: false; failure: VendorFailure };

const code = z.union([z.number(), z.string()]);
const text = z.string().nullish();

const gatewayError = z.looseObject({
  gw_err_resp: z.looseObject({ err_code: code.optional(), err_msg: text, err_message: text }),
});

const legacyError = z.looseObject({
  error_response: z.looseObject({
    code: code.optional(),
    msg: text,
    message: text,
    sub_code: code.nullish(),
    sub_msg: text,
  }),
});

const business = z.looseObject({
  code: code.optional(),
  success: z.boolean().optional(),
  message: text,
  data: z.unknown().optional(),
});

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/**
 * Reads an envelope; `source` names the code space of the business shape (`token` for
 * `/auth/token`). Returns null for JSON that is none of the three shapes.
 */
export function parseEnvelope(
  body: unknown,
  source: "business" | "token" = "business",
): Envelope | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;

  const gw = gatewayError.safeParse(body);
  if (gw.success) {
    const e = gw.data.gw_err_resp;
    return {
      ok: false,
      failure: {
        source: "gateway",
        code: e.err_code,
        message: orUndefined(e.err_msg ?? e.err_message),
      },
    };
  }

  const legacy = legacyError.safeParse(body);
  if (legacy.success) {
    const e = legacy.data.error_response;
    return {
      ok: false,
      failure: {
        source: "legacy",
        code: e.code,
        message: orUndefined(e.msg ?? e.message),
        subCode: orUndefined(e.sub_code),
        subMessage: orUndefined(e.sub_msg),
      },
    };
  }

  if ("response" in body) return { ok: true, data: (body as { response: unknown }).response };

  const result = business.safeParse(body);
  if (result.success && (result.data.success !== undefined || result.data.code !== undefined)) {
    const { success, code: status, message, data } = result.data;
    const codeSaysOk = status === undefined || String(status).trim() === "200";
    // `success` decides when present; otherwise the code must be 200 (number or string).
    if (success === true || (success === undefined && codeSaysOk)) return { ok: true, data };
    return { ok: false, failure: { source, code: status, message: orUndefined(message) } };
  }
  return null;
}
