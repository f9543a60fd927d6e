import "server-only";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { AlipayRequestError, AlipaySdk, type AlipaySdkConfig } from "alipay-sdk";
import { moduleLogger } from "@/lib/logger";
import { normaliseAlipayKeys, type NormalisedKeys } from "./keys";
import { classifyTransport, type Outcome, type TransportFailure } from "./outcomes";
import type { AlipayConfig, AlipayExchange } from "./types";
import { compact, shanghaiTimestamp } from "./wire";

/**
 * The raw Alipay client: `alipay-sdk` 4.x on the v2 gateway, with its traps closed (spec §2.5):
 * the private key's type is detected, empty parameters are never sent (nor signed), `timestamp`
 * is stamped in GMT+8 whatever the process's `TZ`, and a response is verified when it carries a
 * `sign` (the SDK's own verifier throws a bare TypeError on an unsigned one). Every call becomes
 * an `AlipayExchange` for the logs. It returns vendor data as-is; `gateway.ts` turns that into
 * domain values. Identical in sandbox and live mode: only `config` differs.
 */

export const DEFAULT_TIMEOUT_MS = 5000;
/** The SDK's own signing defaults, recorded in the exchange (what it adds to every request). */
const PROTOCOL = { charset: "utf-8", version: "1.0", sign_type: "RSA2" } as const;
const NON_JSON_BODY_LIMIT = 1024;

const log = moduleLogger("alipay");

export interface AlipayClientDeps {
  /** The instant `timestamp` is stamped from (default: the system clock). */
  now?: () => Date;
}

/** Top-level (protocol) parameters besides those the SDK adds; snake_case, as on the wire. */
export interface TopLevelParams {
  notify_url?: string;
  return_url?: string;
}

export type ExecResult =
  | {
      ok: true;
      /** The `<method>_response` (or `error_response`) object, snake_case as sent. */
      data: Record<string, unknown>;
      /** Whether the response carried a `sign` (which then verified). */
      signed: boolean;
      exchange: AlipayExchange;
    }
  | { ok: false; failure: Outcome; exchange: AlipayExchange };

export interface AlipayClient {
  /** A server call (`exec`); resolves for every vendor answer and every transport failure. */
  exec(
    method: string,
    bizContent: Record<string, unknown>,
    top?: TopLevelParams,
  ): Promise<ExecResult>;
  /** `pageExecute(method, 'GET')`: the signed gateway URL a browser opens. */
  pageUrl(method: string, bizContent: Record<string, unknown>, top?: TopLevelParams): string;
  /** `sdkExecute(method)`: the signed order string the Alipay app SDK consumes. */
  orderString(method: string, bizContent: Record<string, unknown>, top?: TopLevelParams): string;
}

/** What one exec saw of the HTTP response, captured inside the SDK (see `CapturingSdk`). */
interface Capture {
  raw?: string;
  signed?: boolean;
  signatureInvalid?: boolean;
}

/**
 * The SDK with its response verification made safe. `exec(…, {validateSign: true})` hands the
 * raw body, the response key and the `sign` to `checkResponseSign`; this override records the
 * body (for the exchange) and verifies only when `sign` is present. A gateway error such as
 * `isv.invalid-app-id` arrives unsigned (spec §2.5 trap 7): it is passed on as an answer, and the
 * gateway refuses to treat an unsigned `10000` as a success. An `error_response` is verified
 * under its own key. One instance per call, so captures never mix between concurrent calls.
 */
class CapturingSdk extends AlipaySdk {
  readonly capture: Capture = {};

  override checkResponseSign(
    responseDataRaw: string,
    responseKey: string,
    serverSign: string,
    traceId: string,
  ): void {
    this.capture.raw = responseDataRaw;
    // The SDK types `sign` as a string; at run time it is whatever the body held.
    const sign: unknown = serverSign;
    if (typeof sign !== "string" || sign === "") {
      this.capture.signed = false;
      return;
    }
    this.capture.signed = true;
    const key = responseDataRaw.includes(`"${responseKey}"`) ? responseKey : "error_response";
    try {
      super.checkResponseSign(responseDataRaw, key, sign, traceId);
    } catch (error) {
      this.capture.signatureInvalid = true;
      throw error;
    }
  }
}

/** A parsed JSON body, or the first KiB of one that is not JSON. */
function bodyForLog(raw: string | undefined): unknown {
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw.slice(0, NON_JSON_BODY_LIMIT);
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** Why the SDK threw, from what 4.14.0 throws (tested against a real HTTP server). */
function transportFailure(error: unknown, capture: Capture, timeoutMs: number): TransportFailure {
  if (capture.signatureInvalid) return { reason: "invalid_signature" };
  if (error instanceof AlipayRequestError) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (error.message.startsWith("HttpClient Request error")) {
      const name = errorName(cause);
      if (/timeout/i.test(name) || /timeout/i.test(error.message)) {
        return { reason: "timeout", timeoutMs };
      }
      return { reason: "network", detail: `${name}: ${error.message}`.slice(0, 300) };
    }
    const status = /status: (\d{3})/.exec(error.message);
    if (status) return { reason: "http_status", status: Number(status[1]) };
    if (cause instanceof SyntaxError) return { reason: "not_json" };
    if (error.message.includes("_response")) return { reason: "no_response_key" };
    return { reason: "unexpected_response", detail: error.message.slice(0, 300) };
  }
  return { reason: "client_error", detail: `${errorName(error)}: ${String(error)}`.slice(0, 300) };
}

export function createAlipayClient(
  config: AlipayConfig,
  deps: AlipayClientDeps = {},
): AlipayClient {
  const now = deps.now ?? (() => new Date());
  const keys: NormalisedKeys = normaliseAlipayKeys({
    privateKey: config.privateKey,
    alipayPublicKey: config.alipayPublicKey,
  });
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Throws early on a gateway that is not an absolute URL (the SDK does `new URL(gateway)`).
  new URL(config.gatewayUrl);

  /** A fresh config object: the SDK's constructor rewrites the one it is given. */
  const sdkConfig = (): AlipaySdkConfig => ({
    appId: config.appId,
    privateKey: keys.privateKey,
    keyType: keys.keyType,
    alipayPublicKey: keys.alipayPublicKey,
    signType: "RSA2",
    gateway: config.gatewayUrl,
    timeout: timeoutMs,
    // Vendor shapes stay snake_case here; gateway.ts maps them to domain types.
    camelcase: false,
  });
  const shared = new AlipaySdk(sdkConfig());
  // alipay-sdk hands config.privateKey / alipayPublicKey straight to crypto's sign() and
  // verify(), which re-parse a PEM string on every call; KeyObjects parsed once are ~3× cheaper.
  type KeyedConfig = {
    config: { privateKey: string | KeyObject; alipayPublicKey?: string | KeyObject };
  };
  const sharedKeys = (shared as unknown as KeyedConfig).config;
  const keyObjects = {
    privateKey: createPrivateKey(sharedKeys.privateKey as string),
    ...(sharedKeys.alipayPublicKey
      ? { alipayPublicKey: createPublicKey(sharedKeys.alipayPublicKey as string) }
      : {}),
  };

  /**
   * The parameters handed to the SDK. `timestamp` is ours: `sign()` copies params over its own
   * base params, so this replaces the SDK's local-time stamp (spec §2.4 step 5).
   */
  function params(bizContent: Record<string, unknown>, top: TopLevelParams) {
    return {
      ...compact(top),
      timestamp: shanghaiTimestamp(now()),
      bizContent: compact(bizContent),
    };
  }

  function requestForLog(method: string, p: ReturnType<typeof params>): Record<string, unknown> {
    const { bizContent, ...rest } = p;
    return { method, app_id: config.appId, ...PROTOCOL, ...rest, biz_content: bizContent };
  }

  async function exec(
    method: string,
    bizContent: Record<string, unknown>,
    top: TopLevelParams = {},
  ): Promise<ExecResult> {
    const p = params(bizContent, top);
    const request = requestForLog(method, p);
    const started = performance.now();
    const sdk = new CapturingSdk(sdkConfig());
    Object.assign((sdk as unknown as KeyedConfig).config, keyObjects);
    const exchange = (response: unknown, httpStatus: number | null): AlipayExchange => ({
      apiMethod: method,
      request,
      response,
      httpStatus,
      durationMs: Math.round(performance.now() - started),
    });
    try {
      const data = await sdk.exec(method, p, { validateSign: true });
      const { capture } = sdk;
      const ex = exchange(bodyForLog(capture.raw) ?? data, 200);
      log.info(
        {
          apiMethod: method,
          durationMs: ex.durationMs,
          code: data.code,
          subCode: data.sub_code,
          signed: capture.signed === true,
        },
        "alipay call",
      );
      // `traceId` is the SDK's addition, not Alipay's.
      const { traceId: _traceId, ...vendor } = data;
      return { ok: true, data: vendor, signed: capture.signed === true, exchange: ex };
    } catch (error) {
      const failure = classifyTransport(transportFailure(error, sdk.capture, timeoutMs));
      const raw =
        sdk.capture.raw ??
        (error instanceof AlipayRequestError ? error.responseDataRaw : undefined);
      const status = failure.code.startsWith("http_")
        ? Number(failure.code.slice(5))
        : raw === undefined
          ? null
          : 200;
      const ex = exchange(bodyForLog(raw), status);
      log.warn(
        { apiMethod: method, durationMs: ex.durationMs, outcome: failure.code },
        "alipay call failed",
      );
      return { ok: false, failure, exchange: ex };
    }
  }

  return {
    exec,
    pageUrl(method, bizContent, top = {}) {
      return shared.pageExecute(method, "GET", params(bizContent, top));
    },
    orderString(method, bizContent, top = {}) {
      // biz_content keys are already snake_case: sent exactly as written.
      return shared.sdkExecute(method, params(bizContent, top), {
        bizContentAutoSnakeCase: false,
      });
    },
  };
}
