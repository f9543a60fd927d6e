/**
 * TEST-ONLY: an in-memory stand-in for the network port of the Youzan client (`deps.fetch`). It
 * records every request and answers with scripted bodies; by default it mints tokens `tok-1`,
 * `tok-2`, … like `/auth/token` and answers API calls with a 4.x success envelope. It fakes the
 * wire, not the client: envelopes, tokens and errors are parsed by the real code.
 */

export interface RecordedRequest {
  url: URL;
  /** `token` for `/auth/token`, else `api`. */
  kind: "token" | "api";
  /** For API calls: `youzan.trade.get/4.0.2`. */
  endpoint: string;
  accessToken: string | null;
  method: string;
  headers: Headers;
  rawBody: string;
  body: unknown;
}

/** A body to serialise as JSON, or a ready Response (status, non-JSON text, …). */
export type Reply = unknown;

export interface FakeYouzanOptions {
  /** Epoch ms used for token expiry; defaults to Date.now. */
  now?: () => number;
  /** Token lifetime of minted tokens (default 7 days, as Youzan). */
  tokenTtlMs?: number;
  token?: (request: RecordedRequest, mint: () => Reply) => Reply | Promise<Reply>;
  api?: (request: RecordedRequest) => Reply | Promise<Reply>;
}

export const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;

export function ok(data: unknown): Reply {
  return { trace_id: "yz7-0a-test", code: 200, success: true, message: "successful", data };
}

export function gatewayError(code: number, message = "error"): Reply {
  return { gw_err_resp: { trace_id: "yz7-0a-test", err_code: code, err_msg: message } };
}

export function rawResponse(text: string, status = 200): Response {
  return new Response(text, { status, headers: { "Content-Type": "application/json" } });
}

export function createFakeYouzan(options: FakeYouzanOptions = {}) {
  const now = options.now ?? Date.now;
  const requests: RecordedRequest[] = [];
  let minted = 0;

  const mint = (): Reply => {
    minted += 1;
    return {
      success: true,
      code: 200,
      message: null,
      data: {
        access_token: `tok-${minted}`,
        expires: now() + (options.tokenTtlMs ?? SEVEN_DAYS_MS),
        scope: "trade pay_qrcode",
        authority_id: "10001000",
      },
    };
  };

  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const rawBody = typeof init?.body === "string" ? init.body : "";
    const isToken = url.pathname.endsWith("/auth/token");
    const request: RecordedRequest = {
      url,
      kind: isToken ? "token" : "api",
      endpoint: isToken ? "auth/token" : url.pathname.replace(/^.*\/api\//, ""),
      accessToken: url.searchParams.get("access_token"),
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      rawBody,
      body: rawBody === "" ? undefined : (JSON.parse(rawBody) as unknown),
    };
    requests.push(request);
    const reply = isToken
      ? await (options.token ? options.token(request, mint) : mint())
      : await (options.api ? options.api(request) : ok({}));
    return reply instanceof Response ? reply : rawResponse(JSON.stringify(reply));
  };

  return {
    fetch,
    requests,
    tokenRequests: () => requests.filter((r) => r.kind === "token"),
    apiRequests: () => requests.filter((r) => r.kind === "api"),
  };
}
