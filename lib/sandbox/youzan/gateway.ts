import "server-only";
import { readCappedText } from "@/lib/http/json";
import { BusinessFault, findApi, GatewayFault, type Params } from "./apis";
import { forApi, listsApi } from "./catalogue";
import type { SandboxContext } from "./context";
import {
  businessFailure,
  businessSuccess,
  envelopeFor,
  gatewayError,
  type Envelope,
  type JsonObject,
} from "./envelopes";
import { readSettings, takeCountedFault } from "./settings";
import { checkToken } from "./tokens";
import { brokenResponse, httpsRedirect } from "./transport";
import type { YouzanFaults } from "./types";

/*
 * The API gateway: `/api/{name}/{version}?access_token=…` (spec §2.1, §6.1). Transport faults
 * come first (the `http:` redirect and broken answers happen at the edge, before routing), then
 * the spec's order — path shape 4001 → api/version 4005 → method/content type 4007 → IP
 * allow-list 4007 → token present 4201 → token known and not revoked 4203 → not expired 4202 →
 * API granted 4204 → rate limit 4101 → body 4004 → business. Every protocol answer is HTTP 200
 * in one of the three envelopes.
 */

const MAX_BODY_BYTES = 64 * 1024;

export interface GatewayResult {
  response: Response;
  api: string;
  version: string;
  /** The requested qr_id, when the parameters name one (for per-QR call counts). */
  qrId: string | null;
  /** `ok`, `gw:<code>`, `biz:<code>` or a transport fault (`http:301`, `broken:<kind>`). */
  outcome: string;
  /** The call's time (the one clock read of the call: its record carries it too). */
  now: Date;
  /** The `slowMs` fault as read for this call: how long the answer waits. */
  slowMs: number;
}

type BodyRead = { params: Params } | { error: string };
type BodyFormat = "json" | "form";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** JSON is what every SDK sends; the docs also allow a form body (spec §2.1). */
function bodyFormat(request: Request): BodyFormat | null {
  const type = request.headers.get("content-type") ?? "";
  if (/^application\/([\w.+-]+\+)?json\b/i.test(type)) return "json";
  if (/^application\/x-www-form-urlencoded\b/i.test(type)) return "form";
  return null;
}

/** Only the query parameter carries the token: one in a form body is a parameter like any other. */
function withoutToken(entries: URLSearchParams): Params {
  const params: Params = Object.fromEntries(entries);
  delete params.access_token;
  return params;
}

async function readParams(
  request: Request,
  url: URL,
  format: BodyFormat | null,
): Promise<BodyRead> {
  if (request.method !== "POST") return { params: withoutToken(url.searchParams) };
  let text: string;
  try {
    text = await readCappedText(request, MAX_BODY_BYTES);
  } catch {
    return { error: `请求体超过 ${MAX_BODY_BYTES} 字节` };
  }
  if (format === "form") return { params: withoutToken(new URLSearchParams(text)) };
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

/** One gateway call: what it asked for, and how to answer it in the API's envelope. */
class Call {
  qrId: string | null = null;
  envelope: Envelope;

  constructor(
    readonly api: string,
    readonly version: string,
    faults: YouzanFaults,
    readonly now: Date,
  ) {
    this.envelope = envelopeFor(version, forApi(faults.envelopes, api, version));
    this.slowMs = faults.slowMs;
  }

  readonly slowMs: number;

  private result(body: JsonObject, outcome: string): GatewayResult {
    return this.transport(Response.json(body), outcome);
  }

  gatewayError(code: number, message: string): GatewayResult {
    const body = gatewayError(code, message, undefined, this.envelope.gwErrorText);
    return this.result(body, `gw:${code}`);
  }

  businessError(code: number, message: string, data: JsonObject | null = null): GatewayResult {
    const { style, errorText } = this.envelope;
    return this.result(businessFailure(style, code, message, data, errorText), `biz:${code}`);
  }

  success(data: JsonObject): GatewayResult {
    return this.result(businessSuccess(this.envelope.style, data), "ok");
  }

  transport(response: Response, outcome: string): GatewayResult {
    const { api, version, qrId, now, slowMs } = this;
    return { response, api, version, qrId, outcome, now, slowMs };
  }
}

/** Token present → known and not revoked → not expired (4201 → 4203 → 4202). */
async function tokenRefusal(
  ctx: SandboxContext,
  url: URL,
  faults: YouzanFaults,
  now: Date,
): Promise<[number, string] | null> {
  // Only the query parameter counts: a token in a header or in the body is "missing".
  const token = url.searchParams.get("access_token") ?? "";
  if (token === "") return [4201, "access_token 缺失或不合法"];
  const state = faults.tokenExpiredEarly ? "revoked" : await checkToken(ctx.db, token, now);
  if (state === "unknown" || state === "revoked") return [4203, "Token 不存在"];
  if (state === "expired") return [4202, "Token 已过期"];
  return null;
}

export async function handleGateway(
  ctx: SandboxContext,
  request: Request,
  path: string[],
): Promise<GatewayResult> {
  // Independent reads, sent together: one round trip.
  const [now, { faults }] = await Promise.all([ctx.clock.now(), readSettings(ctx.db)]);
  const [api = "", version = ""] = path;
  const url = new URL(request.url);
  const call = new Call(api, version, faults, now);

  if (faults.httpRedirect && url.protocol === "http:") {
    return call.transport(httpsRedirect(url), "http:301");
  }
  // The snapshot spares the write on every call; the UPDATE decides who gets a unit.
  if (faults.brokenNextCalls > 0 && (await takeCountedFault(ctx.db, "brokenNextCalls"))) {
    return call.transport(brokenResponse(faults.brokenResponse), `broken:${faults.brokenResponse}`);
  }

  if (path.length !== 2 || api === "" || version === "") {
    return call.gatewayError(4001, "请求路径不合法，应为 /api/{api_name}/{version}");
  }
  const handler = findApi(api, version);
  if (!handler) return call.gatewayError(4005, `API ${api} ${version} 不存在`);

  if (request.method !== "GET" && request.method !== "POST") {
    return call.gatewayError(4007, `不支持的请求方法 ${request.method}`);
  }
  const format = bodyFormat(request);
  if (request.method === "POST" && format === null) {
    return call.gatewayError(4007, "不支持的 Content-Type，请以 application/json 提交");
  }
  if (faults.ipBlocked) return call.gatewayError(4007, "调用方 IP 不在应用的 IP 白名单中");
  const read = await readParams(request, url, format);
  call.qrId = qrIdOf(read);

  const refusal = await tokenRefusal(ctx, url, faults, now);
  if (refusal) return call.gatewayError(...refusal);
  if (listsApi(faults.deniedApis, api, version)) {
    return call.gatewayError(4204, `应用没有调用 ${api} 的权限`);
  }
  if (faults.rateLimitNextCalls > 0 && (await takeCountedFault(ctx.db, "rateLimitNextCalls"))) {
    return call.gatewayError(4101, "API 调用频率超出限制");
  }
  if ("error" in read) return call.gatewayError(4004, read.error);

  const refused = forApi(faults.businessErrors, api, version);
  if (refused) return call.businessError(refused.code, refused.message);
  try {
    return call.success(await handler({ ctx, params: read.params, version, now }));
  } catch (error) {
    if (error instanceof GatewayFault) return call.gatewayError(error.code, error.message);
    if (error instanceof BusinessFault) {
      return call.businessError(error.code, error.message, error.data);
    }
    throw error;
  }
}
