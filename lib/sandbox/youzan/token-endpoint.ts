import "server-only";
import type { Db } from "@/db/client";
import { readCappedText } from "@/lib/http/json";
import { tokenFailure, tokenSuccess, type JsonObject } from "./envelopes";
import { issueToken, TOKEN_SCOPE } from "./tokens";

const MAX_TOKEN_BODY_BYTES = 16 * 1024;

export interface TokenEndpointContext {
  db: Db;
  now: Date;
  app: { clientId: string; clientSecret: string; kdtId: string };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * `POST /auth/token` (spec §1.1, §6.1). Checks in the documented order: JSON body (1000),
 * client_id (1103), secret (1000), grant_id = the shop (1103), authorize_type silent (1105).
 * Every answer is HTTP 200 with the `{success, code, message, data}` envelope.
 */
export async function tokenEndpoint(
  ctx: TokenEndpointContext,
  request: Request,
): Promise<JsonObject> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    return tokenFailure(1000, "不支持的 Content-Type，请以 application/json 提交");
  }
  let text: string;
  try {
    text = await readCappedText(request, MAX_TOKEN_BODY_BYTES);
  } catch {
    return tokenFailure(1000, "请求体过大");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return tokenFailure(1000, "请求体不是合法的 JSON");
  }
  if (!isRecord(body)) return tokenFailure(1000, "请求体必须是 JSON 对象");

  if (typeof body.client_id !== "string" || body.client_id !== ctx.app.clientId) {
    return tokenFailure(1103, "Client 不存在");
  }
  if (typeof body.client_secret !== "string" || body.client_secret !== ctx.app.clientSecret) {
    return tokenFailure(1000, "应用信息错误：client_secret 不正确");
  }
  const grantId =
    typeof body.grant_id === "string" || typeof body.grant_id === "number"
      ? String(body.grant_id)
      : undefined;
  if (grantId !== ctx.app.kdtId) return tokenFailure(1103, "授权关系不存在");
  if (body.authorize_type !== "silent") {
    return tokenFailure(1105, "应用类型与 authorize_type 不匹配（自用型应用请使用 silent）");
  }
  if (body.refresh !== undefined && typeof body.refresh !== "boolean") {
    return tokenFailure(1000, "refresh 必须是布尔值");
  }

  const token = await issueToken(
    ctx.db,
    { clientId: ctx.app.clientId, kdtId: ctx.app.kdtId },
    ctx.now,
    body.refresh === true,
  );
  return tokenSuccess({
    access_token: token.token,
    expires: token.expiresAt.getTime(),
    scope: TOKEN_SCOPE,
    authority_id: ctx.app.kdtId,
  });
}
