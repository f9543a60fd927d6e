import { createSign, createVerify } from "node:crypto";

/*
 * A small, independent Alipay v2 client for the sandbox's tests, written from spec §2.4–2.5
 * with node:crypto only (never the sandbox's helpers, never lib/payments/alipay). It copies the
 * alipay-sdk 4.x wire shape, including its quirks: empty values are signed, protocol params go
 * in the URL query and biz_content in the form body, results are camel-cased, `validateSign`
 * on an unsigned answer throws a TypeError. (alipay-sdk itself may only be imported by
 * lib/payments/alipay: .dependency-cruiser.cjs.)
 */

type R = Record<string, unknown>;

export interface ClientConfig {
  appId: string;
  privateKey: string;
  alipayPublicKey?: string;
  gateway: string;
}

interface RequestParams {
  bizContent?: R;
  notifyUrl?: string;
  returnUrl?: string;
}

const QUERY_KEYS = [
  "app_id",
  "method",
  "charset",
  "sign_type",
  "sign",
  "timestamp",
  "version",
  "notify_url",
  "return_url",
];

/** `yyyy-MM-dd HH:mm:ss` in GMT+8 (what the SDK sends with TZ=Asia/Shanghai). */
function timestamp(): string {
  const s = new Date(Date.now() + 8 * 3_600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function camelDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelDeep);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), camelDeep(v)]));
}

export class TestAlipayClient {
  constructor(readonly config: ClientConfig) {}

  /** The SDK's sign(): every param, empty ones too, sorted; sign over `k=v&…`. */
  sign(method: string, params: RequestParams): Record<string, string> {
    const out: Record<string, string> = {
      method,
      app_id: this.config.appId,
      charset: "utf-8",
      version: "1.0",
      sign_type: "RSA2",
      timestamp: timestamp(),
    };
    for (const [key, value] of Object.entries(params)) {
      if (key !== "bizContent" && value !== undefined) out[snake(key)] = String(value);
    }
    if (params.bizContent) out.biz_content = JSON.stringify(params.bizContent);
    const content = Object.keys(out)
      .sort()
      .map((key) => `${key}=${out[key]}`)
      .join("&");
    out.sign = createSign("RSA-SHA256")
      .update(content, "utf8")
      .sign(this.config.privateKey, "base64");
    return out;
  }

  async exec(
    method: string,
    params: RequestParams = {},
    options: { validateSign?: boolean } = {},
  ): Promise<R> {
    const signed = this.sign(method, params);
    const url = new URL(this.config.gateway);
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(signed)) {
      if (QUERY_KEYS.includes(key)) url.searchParams.set(key, value);
      else body.set(key, value);
    }
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" },
      body,
    });
    const raw = await response.text();
    if (response.status !== 200) throw new Error(`HTTP 请求错误, status: ${response.status}`);
    let parsed: R;
    try {
      parsed = JSON.parse(raw) as R;
    } catch {
      throw new Error("Response 格式错误");
    }
    const key = `${method.replaceAll(".", "_")}_response`;
    const data = (parsed[key] ?? parsed.error_response) as R | undefined;
    if (!data) throw new Error(`Response 格式错误，返回值 ${key} 找不到`);
    if (options.validateSign) {
      const inner = this.innerText(raw, parsed[key] ? key : "error_response");
      const sign = parsed.sign as string; // undefined → TypeError in verify, like the SDK
      if (!this.rsaCheck(inner, sign)) throw new Error("验签失败");
    }
    return { ...(camelDeep(data) as R), traceId: response.headers.get("trace_id") };
  }

  /** The raw text of `"<key>":{…}` up to `,"sign"` (sign is the last key). */
  innerText(raw: string, key: string): string {
    const start = raw.indexOf(`"${key}":`) + key.length + 3;
    const end = raw.lastIndexOf(',"sign"');
    return raw.slice(start, end === -1 ? raw.length - 1 : end);
  }

  /** `pageExecute(method, 'GET', …)`: the gateway URL with every signed param. */
  pageExecute(method: string, _http: "GET", params: RequestParams): string {
    const signed = this.sign(method, params);
    return `${this.config.gateway}?${new URLSearchParams(signed).toString()}`;
  }

  /** `sdkExecute`: `k=encodeURIComponent(v)` joined with `&`. */
  sdkExecute(method: string, params: RequestParams): string {
    return Object.entries(this.sign(method, params))
      .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
      .join("&");
  }

  rsaCheck(content: string, sign: string): boolean {
    return createVerify("RSA-SHA256")
      .update(content, "utf8")
      .verify(this.config.alipayPublicKey ?? "", sign, "base64");
  }

  /** `checkNotifySignV2`: all fields but sign and sign_type (empty ones included), raw values. */
  checkNotifySignV2(form: Record<string, string>): boolean {
    const { sign, ...rest } = form;
    delete rest.sign_type;
    const content = Object.keys(rest)
      .sort()
      .map((key) => `${key}=${rest[key]}`)
      .join("&");
    return this.rsaCheck(content, sign ?? "");
  }
}
