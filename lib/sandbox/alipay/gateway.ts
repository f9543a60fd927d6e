import "server-only";
import { alipaySandboxCalls as calls } from "@/db/schema";
import { readCappedText } from "@/lib/http/json";
import { findAgreement, setPaused, unsignAgreement } from "./agreements";
import type { AlipayContext } from "./context";
import { METHODS, type AlipayFaults, type GatewayMethod, type Injection } from "./faults";
import {
  answer,
  bizError,
  gatewayError,
  newTraceId,
  responseBody,
  responseKey,
  type GatewayAnswer,
  type JsonObject,
} from "./responses";
import { readSettings, takeInjection, type AlipaySettings } from "./settings";
import { requestSignContent, rsa2Verify, type Params } from "./signing";
import { parseAlipayTime } from "./time";
import {
  agreementModify,
  agreementQuery,
  agreementUnsign,
  DECLINES,
  tradeClose,
  tradePay,
  tradeQuery,
  tradeRefund,
  type Biz,
  type MethodInput,
} from "./trades";

/*
 * The v2 gateway (spec §9.1–9.3): merged query + urlencoded body, checks in the real gateway's
 * order, then the business method. Every answer is HTTP 200, text/html, with a trace_id header;
 * business answers are signed over the exact inner bytes, gateway errors unsigned by default.
 */

const HANDLERS: Record<
  GatewayMethod,
  (ctx: AlipayContext, input: MethodInput) => Promise<JsonObject>
> = {
  "alipay.trade.pay": tradePay,
  "alipay.trade.query": tradeQuery,
  "alipay.trade.close": tradeClose,
  "alipay.trade.refund": tradeRefund,
  "alipay.user.agreement.query": agreementQuery,
  "alipay.user.agreement.unsign": agreementUnsign,
  "alipay.user.agreement.executionplan.modify": agreementModify,
};

const isGatewayMethod = (method: string): method is GatewayMethod =>
  (METHODS as readonly string[]).includes(method);

const REQUIRED: [string, string][] = [
  ["method", "isv.missing-method"],
  ["sign", "isv.missing-signature"],
  ["sign_type", "isv.missing-signature-type"],
  ["timestamp", "isv.missing-timestamp"],
  ["version", "isv.missing-version"],
];

const BODY_LIMIT = 256 * 1024;

/** Query ∪ urlencoded body (body wins on a clash), values decoded. */
export async function readGatewayParams(request: Request): Promise<Params> {
  const params: Params = {};
  for (const [key, value] of new URL(request.url).searchParams) params[key] = value;
  if (request.method === "POST") {
    const type = request.headers.get("content-type") ?? "";
    // Over the limit: 413 from readCappedText (the real gateway caps bodies too).
    const text = await readCappedText(request, BODY_LIMIT);
    if (/^application\/x-www-form-urlencoded/i.test(type) || (type === "" && text.includes("="))) {
      for (const [key, value] of new URLSearchParams(text)) params[key] = value;
    }
  }
  return params;
}

const HTML_PAGE =
  "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";

/** PostgreSQL text and jsonb cannot hold NUL: such a request is refused before anything is stored. */
const hasNul = (params: Params) =>
  Object.entries(params).some(
    ([key, value]) =>
      key.includes("\u0000") ||
      value.includes("\u0000") ||
      // …nor a JSON-escaped one inside biz_content.
      (key === "biz_content" && /\\u0000/i.test(value)),
  );
const stripNul = (text: string) => text.replaceAll("\u0000", "");

interface Outcome {
  result: GatewayAnswer;
  outcome: string;
  /** The request's time, when the business part read it (the clock is read once a request). */
  now?: Date;
  /** The method recorded the call itself, in its own transaction. */
  recorded?: boolean;
}

/** What the caller already read for this request (`readRequestState`): not read again. */
export interface GatewayPreRead {
  settings: AlipaySettings;
  now: Date;
}

export async function handleGateway(
  ctx: AlipayContext,
  params: Params,
  pre?: GatewayPreRead,
): Promise<GatewayAnswer> {
  const {
    result,
    outcome,
    now = pre?.now ?? (await ctx.clock.now()),
    recorded,
  } = await dispatch(ctx, params, pre);
  if (recorded) return result;
  const method = stripNul(params.method ?? "").slice(0, 200);
  await ctx.db.insert(calls).values({ method, outcome, createdAt: now });
  return result;
}

async function dispatch(
  ctx: AlipayContext,
  params: Params,
  pre?: GatewayPreRead,
): Promise<Outcome> {
  const traceId = newTraceId();
  // Read once a request: the checks, the injection and the business method all use these.
  const { faults, stored } = pre?.settings ?? (await readSettings(ctx.db));
  const method = params.method ?? "";
  const key = isGatewayMethod(method) ? responseKey(method) : "error_response";
  const gw = (code: string, subCode: string, subMsg: string): Outcome => ({
    result: answer(
      responseBody(
        key,
        gatewayError(code, subCode, subMsg),
        faults.signGatewayErrors ? ctx.keys.alipayPrivateKeyPem : null,
      ),
      traceId,
    ),
    outcome: `gw:${subCode}`,
  });

  // Transport and configuration faults come before every check, as they would at the edge.
  const injection = isGatewayMethod(method) ? await takeInjection(ctx.db, method, faults) : null;
  if (injection?.kind === "http502") {
    return { result: { ...answer(HTML_PAGE, traceId, 502) }, outcome: "fault:http502" };
  }
  if (injection?.kind === "html")
    return { result: answer(HTML_PAGE, traceId), outcome: "fault:html" };

  if (hasNul(params)) return gw("40002", "isv.invalid-parameter", "参数包含非法字符");
  // 1. app_id (checked before the signature, §1.3).
  if (!params.app_id) return gw("40001", "isv.missing-app-id", "缺少AppID参数");
  if (params.app_id !== ctx.keys.appId || injection?.kind === "unknown_app") {
    return gw("40002", "isv.invalid-app-id", "无效的AppID参数");
  }
  // 2. required protocol params.
  for (const [name, subCode] of REQUIRED) {
    if (!params[name]) return gw("40001", subCode, `缺少${name}参数`);
  }
  // 3. timestamp format (no skew check).
  if (!parseAlipayTime(params.timestamp ?? "")) {
    return gw("40002", "isv.invalid-timestamp", "非法的时间戳参数");
  }
  if (params.charset && params.charset.toLowerCase() !== "utf-8") {
    return gw("40002", "isv.invalid-charset", "字符集错误");
  }
  // 4. sign_type.
  if (params.sign_type !== "RSA2") {
    return gw("40002", "isv.invalid-signature-type", "无效的签名类型");
  }
  // 5. signature over everything but sign, empty values skipped.
  const content = requestSignContent(params);
  if (
    injection?.kind === "wrong_app_key" ||
    !rsa2Verify(content, params.sign ?? "", ctx.keys.appPublicKeyPem)
  ) {
    return gw(
      "40002",
      "isv.invalid-signature",
      `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`,
    );
  }
  // 6. method.
  if (!isGatewayMethod(method)) return gw("40002", "isv.invalid-method", "不存在的方法名");
  if (injection?.kind === "forbidden") {
    return gw(
      "40006",
      "isv.insufficient-isv-permissions",
      "ISV权限不足，建议在开发者中心检查对应功能是否已经添加",
    );
  }
  if (injection?.kind === "rate_limited") {
    return gw("40005", "isv.app-call-limited", "应用调用次数超限");
  }
  let biz: Biz;
  try {
    const parsed: unknown = JSON.parse(params.biz_content ?? "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error();
    biz = parsed as Biz;
  } catch {
    return gw("40002", "isv.invalid-parameter", "biz_content 不是 JSON 对象");
  }

  // 7. business.
  const now = pre?.now ?? (await ctx.clock.now());
  const signed = (inner: JsonObject, outcome: string): Outcome => ({
    result: answer(responseBody(key, inner, ctx.keys.alipayPrivateKeyPem), traceId),
    outcome,
    now,
  });
  const input: MethodInput = {
    biz,
    top: params,
    now,
    faults,
    settingsStored: stored,
    recordCall: injection ? undefined : { method, recorded: false },
  };
  const run = () => HANDLERS[method](ctx, input);
  const done = (inner: JsonObject): Outcome => ({
    ...signed(inner, inner.code === "10000" ? "ok" : `biz:${String(inner.sub_code ?? inner.code)}`),
    recorded: input.recordCall?.recorded === true && inner.code === "10000",
  });

  if (injection) {
    const early = await applyInjection(ctx, injection, biz, now, faults);
    if (early) return signed(early, `fault:${injection.kind}`);
    if (injection.kind === "system_error" || injection.kind === "unknown_error") {
      if (injection.committed) await run();
      const inner =
        injection.kind === "system_error"
          ? bizError("ACQ.SYSTEM_ERROR", "系统错误")
          : gatewayError("20000", "isp.unknow-error", "系统繁忙");
      return signed(inner, `fault:${injection.kind}${injection.committed ? ":committed" : ""}`);
    }
    if (injection.kind === "slow") {
      const result = done(await run());
      await ctx.sleep(faults.slowMs);
      return { ...result, outcome: `fault:slow:${result.outcome}` };
    }
  }
  return done(await run());
}

/** Injections that change the world first (unsigned, paused) or decline outright. */
async function applyInjection(
  ctx: AlipayContext,
  injection: Injection,
  biz: Biz,
  now: Date,
  faults: AlipayFaults,
): Promise<JsonObject | null> {
  if (injection.kind in DECLINES) {
    const [subCode, subMsg] = DECLINES[injection.kind as keyof typeof DECLINES];
    return bizError(subCode, subMsg);
  }
  if (injection.kind === "unsigned" || injection.kind === "paused") {
    const nested = biz.agreement_params as Biz | undefined;
    const agreementNo =
      typeof nested?.agreement_no === "string"
        ? nested.agreement_no
        : typeof biz.agreement_no === "string"
          ? biz.agreement_no
          : undefined;
    const row = agreementNo ? await findAgreement(ctx, { agreementNo }) : null;
    if (row && injection.kind === "unsigned") {
      // The user unsigned in the wallet: that notify always goes to the app gateway.
      await unsignAgreement(ctx, row.agreementNo, now, {
        targetUrl: null,
        notify: injection.notify,
        faults,
      });
    }
    if (row && injection.kind === "paused") await setPaused(ctx, row.agreementNo, true);
  }
  return null;
}
