import { readCappedText } from "@/lib/http/json";
import { BusinessFault, findApi, GatewayFault, type Params } from "./apis";
import type { SandboxContext } from "./context";
import {
  businessFailure,
  businessSuccess,
  envelopeStyleFor,
  gatewayError,
  type JsonObject,
} from "./envelopes";
import { readSettings, takeRateLimitedCall } from "./settings";
import { checkToken } from "./tokens";

/*
 * The API gateway: `/api/{name}/{version}?access_token=…` (spec §2.1, §6.1). Checks run in the
 * spec's order — path shape 4001 → api/version 4005 → method/content type 4007 → token present
 * 4201 → token known and not revoked 4203 → not expired 4202 → rate limit 4101 → body 4004 →
 * business. Every answer is HTTP 200 in one of the three envelopes.
 */

const MAX_BODY_BYTES = 64 * 1024;

export interface GatewayResult {
  body: JsonObject;
  api: string;
  version: string;
  /** The requested qr_id, when the parameters name one (for per-QR call counts). */
  qrId: string | null;
  /** `ok`, `gw:<code>` or `biz:<code>`: recorded per call. */
  outcome: string;
}

type BodyRead = { params: Params } | { error: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

async function readParams(request: Request, url: URL): Promise<BodyRead> {
  if (request.method !== "POST") {
    const params: Params = Object.fromEntries(url.searchParams);
    delete params.access_token;
    return { params };
  }
  let text: string;
  try {
    text = await readCappedText(request, MAX_BODY_BYTES);
  } catch {
    return { error: `请求体超过 ${MAX_BODY_BYTES} 字节` };
  }
  if (text.trim() === "") return { params: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: "请求体不是合法的 JSON" };
  }
  // Empty params must be sent as {}, never [] (spec §2.1).
  if (!isRecord(value)) return { error: "请求体必须是 JSON 对象" };
  return { params: value };
}

function qrIdOf(read: BodyRead): string | null {
  if (!("params" in read)) return null;
  const value = read.params.qr_id;
  return typeof value === "string" || typeof value === "number" ? String(value).trim() : null;
}

export async function handleGateway(
  ctx: SandboxContext,
  request: Request,
  path: string[],
): Promise<GatewayResult> {
  const now = await ctx.clock.now();
  const [api = "", version = ""] = path;
  const url = new URL(request.url);
  const fail = (code: number, message: string, qrId: string | null = null): GatewayResult => ({
    body: gatewayError(code, message),
    api,
    version,
    qrId,
    outcome: `gw:${code}`,
  });

  if (path.length !== 2 || api === "" || version === "") {
    return fail(4001, "请求路径不合法，应为 /api/{api_name}/{version}");
  }
  const handler = findApi(api, version);
  if (!handler) return fail(4005, `API ${api} ${version} 不存在`);

  const isJson = /^application\/([\w.+-]+\+)?json\b/i.test(
    request.headers.get("content-type") ?? "",
  );
  if (request.method !== "GET" && request.method !== "POST") {
    return fail(4007, `不支持的请求方法 ${request.method}`);
  }
  if (request.method === "POST" && !isJson) {
    return fail(4007, "不支持的 Content-Type，请以 application/json 提交");
  }
  const read = await readParams(request, url);
  const qrId = qrIdOf(read);

  // Only the query parameter counts: a token in a header or in the body is "missing".
  const token = url.searchParams.get("access_token") ?? "";
  if (token === "") return fail(4201, "access_token 缺失或不合法", qrId);
  const { faults } = await readSettings(ctx.db);
  const tokenState = faults.tokenExpiredEarly ? "revoked" : await checkToken(ctx.db, token, now);
  if (tokenState === "unknown" || tokenState === "revoked") {
    return fail(4203, "Token 不存在", qrId);
  }
  if (tokenState === "expired") return fail(4202, "Token 已过期", qrId);
  if (await takeRateLimitedCall(ctx.db)) return fail(4101, "API 调用频率超出限制", qrId);
  if ("error" in read) return fail(4004, read.error, qrId);

  const style = envelopeStyleFor(version);
  try {
    const data = await handler({ ctx, params: read.params, version, style, now });
    return { body: businessSuccess(style, data), api, version, qrId, outcome: "ok" };
  } catch (error) {
    if (error instanceof GatewayFault) return fail(error.code, error.message, qrId);
    if (error instanceof BusinessFault) {
      return {
        body: businessFailure(style, error.code, error.message, error.data),
        api,
        version,
        qrId,
        outcome: `biz:${error.code}`,
      };
    }
    throw error;
  }
}
