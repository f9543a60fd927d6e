import "server-only";
import { z } from "zod";
import {
  postText,
  PostTextError,
  postTextViaFetch,
  type PostTextFailure,
} from "@/lib/http/post-text";
import { moduleLogger } from "@/lib/logger";
import { parseEnvelope } from "./envelope";
import { isTokenRejection, toYouzanError, unavailable } from "./errors";
import { createMemoryTokenStore, type StoredToken, type TokenStore } from "./token-store";
import { isYouzanError, YouzanError, type YouzanConfig } from "./types";

/**
 * The raw Youzan Cloud client: the API gateway's three envelopes, one token refresh on
 * 4201/4202/4203, a 4101 back-off, timeouts. It returns vendor data as-is; `transform.ts` turns
 * that into domain values. Identical in sandbox and live mode: only `config` differs. The token
 * and the back-off are data kept in a `TokenStore` passed in; the client itself holds no state.
 */

export interface YouzanClientDeps {
  /**
   * The gateway's HTTP through this fetch (tests answer in-process); without one, node:http with
   * kept-alive connections (lib/http/post-text.ts).
   */
  fetch?: typeof fetch;
  /** Epoch milliseconds; drives the token expiry and the back-off window. */
  now?: () => number;
  /**
   * Token and back-off per app and shop. Clients given the same store share one token and one
   * back-off (so the token endpoint is not hammered and a 4101 seen by one caller holds back
   * all); without one, the client has a store of its own.
   */
  tokenStore?: TokenStore;
}

export interface YouzanClient {
  /** `POST {baseUrl}/api/{api}/{version}`; resolves to the unwrapped `data`/`response` value. */
  call<T = unknown>(api: string, version: string, params: Record<string, unknown>): Promise<T>;
  /** A valid access token (cached in the token store, shared per app and shop). */
  getToken(): Promise<string>;
}

export const DEFAULT_TIMEOUT_MS = 5000;
/** A cached token is replaced this long before Youzan's expiry. */
export const TOKEN_EXPIRY_MARGIN_MS = 5 * 60 * 1000;
/**
 * 4101 back-off: 3, 6, 12, 24, 48 s on consecutive rate limits (spec §2.3). During a back-off the
 * client refuses at once (rate_limited, retryable) instead of waiting, so the caller — a poll, a
 * cron job, a webhook handler with a 5 s budget — decides whether waiting is worth it.
 */
export const BACKOFF_BASE_MS = 3000;
export const BACKOFF_MAX_MS = 48_000;
export const USER_AGENT = "YZY-Open-Client 1.0 - TypeScript";

const log = moduleLogger("youzan");

/** What `unavailable` says for each way the transport fails. */
const TRANSPORT_FAILURE: Record<PostTextFailure, (timeoutMs: number) => string> = {
  timeout: (timeoutMs) => `timed out after ${timeoutMs} ms`,
  too_large: () => "answer too large",
  network: () => "network error",
};

const tokenData = z.looseObject({
  access_token: z.string().min(1),
  expires: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
});

/**
 * `expires` is an absolute instant in epoch ms (spec §1.1). Defensively: a value below 1e11 is
 * taken as epoch seconds, and one below 1e9 (before 2001, so not an instant) as a TTL in seconds.
 */
export function tokenExpiryMs(expires: number, now: number): number {
  if (expires >= 1e11) return expires;
  if (expires >= 1e9) return expires * 1000;
  return now + expires * 1000;
}

export function createYouzanClient(
  config: YouzanConfig,
  deps: YouzanClientDeps = {},
): YouzanClient {
  const send = deps.fetch ? postTextViaFetch(deps.fetch) : postText;
  const now = deps.now ?? Date.now;
  const store = deps.tokenStore ?? createMemoryTokenStore();
  const baseUrl = config.baseUrl.replace(/\/+$/, "");
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // The base URL is part of the key so that a sandbox token is never sent to the live gateway.
  const key = JSON.stringify([baseUrl, config.clientId, config.kdtId]);

  const isFresh = (token: StoredToken) => now() < token.expiresAt - TOKEN_EXPIRY_MARGIN_MS;

  /** POSTs JSON and returns the parsed body; every transport failure becomes `unavailable`. */
  async function postJson(url: string, body: unknown, context: string): Promise<unknown> {
    let status: number;
    let text: string;
    try {
      ({ status, text } = await send(url, {
        headers: {
          "Content-Type": "application/json",
          "User-Agent": USER_AGENT,
          // The answers are a few KiB of JSON: inflating each one (a zlib stream per call)
          // costs the shop more CPU than the bytes saved are worth (docs/DECISIONS.md #14).
          "Accept-Encoding": "identity",
        },
        body: JSON.stringify(body),
        timeoutMs,
      }));
    } catch (error) {
      const kind = error instanceof PostTextError ? error.kind : "network";
      throw unavailable(context, TRANSPORT_FAILURE[kind](timeoutMs));
    }
    if (status >= 500) throw unavailable(context, `HTTP ${status}`);
    if (text.trim() === "") throw unavailable(context, `empty body (HTTP ${status})`);
    try {
      return JSON.parse(text);
    } catch {
      if (status === 429) throw new YouzanError("rate_limited", `${context}: HTTP 429`, true);
      if (status >= 400) {
        throw new YouzanError("invalid_request", `${context}: HTTP ${status}`, false);
      }
      throw unavailable(context, `body is not JSON (HTTP ${status})`);
    }
  }

  async function requestToken(refresh: boolean): Promise<StoredToken> {
    const context = "youzan token";
    const started = now();
    const body = await postJson(
      `${baseUrl}/auth/token`,
      {
        client_id: config.clientId,
        client_secret: config.clientSecret,
        authorize_type: "silent",
        grant_id: config.kdtId,
        refresh,
      },
      context,
    );
    const envelope = parseEnvelope(body, "token");
    if (!envelope) throw unavailable(context, "unrecognised token response");
    if (!envelope.ok) {
      const error = toYouzanError(envelope.failure, context);
      log.warn(
        {
          refresh,
          durationMs: now() - started,
          outcome: error.code,
          vendorCode: error.vendor?.code,
        },
        "youzan token refused",
      );
      throw error;
    }
    const data = tokenData.safeParse(envelope.data);
    if (!data.success) throw unavailable(context, "token response without access_token/expires");
    const token = {
      value: data.data.access_token,
      expiresAt: tokenExpiryMs(data.data.expires, now()),
    };
    log.info(
      { refresh, durationMs: now() - started, expiresAt: new Date(token.expiresAt).toISOString() },
      "youzan token obtained",
    );
    return token;
  }

  /** Asks Youzan for a token that is fresh by our margin. */
  async function requestFreshToken(refresh: boolean): Promise<StoredToken> {
    const token = await requestToken(refresh);
    // Without `refresh` Youzan hands back the current token unchanged, even in its last
    // minutes; ask for a new one rather than re-requesting on every call until it expires.
    return !refresh && !isFresh(token) ? requestToken(true) : token;
  }

  async function getToken(): Promise<string> {
    const cached = await store.token(key);
    if (cached && isFresh(cached)) return cached.value;
    const token = await store.mint(key, async (current) =>
      // A token stored while we waited is used; one inside the margin is replaced, not re-read.
      current && isFresh(current) ? current : requestFreshToken(current !== undefined),
    );
    return token.value;
  }

  /**
   * A token other than `rejected`: the replacement another caller already obtained or is
   * obtaining, else a newly minted one. Concurrent callers that saw the same 4203 share one mint.
   */
  async function replaceRejected(rejected: string): Promise<string> {
    const replace = async (current: StoredToken | undefined) =>
      current && current.value !== rejected && isFresh(current) ? current : requestFreshToken(true);
    const token = await store.mint(key, replace);
    if (token.value !== rejected) return token.value;
    // We joined a plain read, already under way, that handed back the rejected token.
    return (await store.mint(key, replace)).value;
  }

  async function checkBackoff(context: string): Promise<boolean> {
    const b = await store.backoff(key);
    if (b && now() < b.blockedUntil) {
      throw new YouzanError(
        "rate_limited",
        `${context}: backing off after a rate limit for ${b.blockedUntil - now()} ms more`,
        true,
      );
    }
    return b !== undefined;
  }

  function recordRateLimit(): Promise<void> {
    return store.updateBackoff(key, (b) => {
      const consecutive = (b?.consecutive ?? 0) + 1;
      const windowMs = Math.min(BACKOFF_BASE_MS * 2 ** (consecutive - 1), BACKOFF_MAX_MS);
      return { consecutive, blockedUntil: now() + windowMs };
    });
  }

  type Attempt = { ok: true; data: unknown } | { ok: false; tokenRejected: YouzanError };

  async function attempt(
    api: string,
    version: string,
    params: Record<string, unknown>,
    token: string,
    context: string,
  ): Promise<Attempt> {
    const url = `${baseUrl}/api/${encodeURIComponent(api)}/${encodeURIComponent(version)}?access_token=${encodeURIComponent(token)}`;
    const body = await postJson(url, params, context);
    const envelope = parseEnvelope(body);
    if (!envelope) throw unavailable(context, "unrecognised response envelope");
    if (envelope.ok) return { ok: true, data: envelope.data };
    const error = toYouzanError(envelope.failure, context);
    if (isTokenRejection(envelope.failure)) return { ok: false, tokenRejected: error };
    throw error;
  }

  async function call<T = unknown>(
    api: string,
    version: string,
    params: Record<string, unknown>,
  ): Promise<T> {
    const context = `${api}/${version}`;
    const started = now();
    let refreshed = false;
    // Outside the try: a call refused locally does not extend the back-off.
    const hadBackoff = await checkBackoff(context);
    try {
      const token = await getToken();
      let result = await attempt(api, version, params, token, context);
      if (!result.ok) {
        refreshed = true;
        const fresh = await replaceRejected(token);
        result = await attempt(api, version, params, fresh, context);
        if (!result.ok) {
          const vendor = result.tokenRejected.vendor;
          throw new YouzanError(
            "auth",
            `${context}: token refused again after a refresh (${vendor?.code ?? "?"})`,
            false,
            vendor,
          );
        }
      }
      // Only a success after a rate limit writes: a shared store is not written on every call.
      if (hadBackoff) await store.updateBackoff(key, () => undefined);
      log.info(
        { api, version, durationMs: now() - started, refreshed, outcome: "ok" },
        "youzan call",
      );
      return result.data as T;
    } catch (error) {
      if (isYouzanError(error)) {
        if (error.code === "rate_limited") await recordRateLimit();
        log.warn(
          {
            api,
            version,
            durationMs: now() - started,
            refreshed,
            outcome: error.code,
            vendorCode: error.vendor?.code,
          },
          "youzan call failed",
        );
      }
      throw error;
    }
  }

  return { call, getToken };
}
