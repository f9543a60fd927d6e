import "server-only";
import { createHmac } from "node:crypto";
import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { BUSINESS_TIME_ZONE } from "@/lib/clock";
import { moduleLogger } from "@/lib/logger";

/**
 * Owner alerts for billing runs, sent to a DingTalk group by a custom robot ("自定义机器人"):
 * one markdown message per run, POSTed to the robot's webhook, signed ("加签") when a secret is
 * configured. An alert is a side channel: `send` never throws and gives up after `timeoutMs`, so
 * a DingTalk outage, a revoked robot or a rate limit (20 messages a minute) never holds up or
 * fails a billing run. It reports `{ delivered: false, reason }` and logs a warning instead.
 *
 * The webhook URL carries the robot's access token and the secret signs every message: neither
 * is ever logged (the URL's query is redacted) nor put in a message.
 */

export type AlertKind =
  "not_retryable" | "retries_exhausted" | "reconcile_mismatch" | "run_failed" | "agreement_closed";

export interface AlertItem {
  // `string & {}` keeps the known kinds suggested by the editor while accepting any other.
  kind: AlertKind | (string & {});
  agreementId?: string;
  orderNo?: string;
  code?: string;
  message: string;
}

export interface RunAlert {
  job: string;
  runId: string;
  startedAt: Date;
  dryRun: boolean;
  items: AlertItem[];
  totals?: Record<string, number>;
  error?: string;
}

export interface AlertDelivery {
  delivered: boolean;
  reason?: string;
}

export interface AlertSink {
  /** Never throws, never waits longer than the sink's timeout. */
  send(alert: RunAlert): Promise<AlertDelivery>;
}

export interface DingTalkSinkOptions {
  webhookUrl: string;
  /** The robot's signing secret (`SEC…`); without one the webhook is called unsigned. */
  secret?: string | null;
  fetch?: typeof fetch;
  /** Default 3000. */
  timeoutMs?: number;
  /** Epoch milliseconds, for the signature's timestamp. */
  now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_MAX_ITEMS = 20;
/** Why `send` sent nothing: the run had nothing for the owner to act on. */
export const NOTHING_TO_REPORT = "nothing_to_report";
/**
 * DingTalk refuses long messages (its documented cap is 20,000 bytes for a text message); the
 * formatted text is kept under this, dropping listed items first, so a long run still arrives.
 */
export const MAX_TEXT_BYTES = 16_000;
const MAX_MESSAGE_CHARS = 200;
const MAX_ERROR_CHARS = 500;
const MAX_REASON_CHARS = 200;

const log = moduleLogger("alerts");

/** Nothing to tell the owner: no item to act on and the run did not fail. */
export function isEmptyAlert(alert: RunAlert): boolean {
  return alert.items.length === 0 && !alert.error;
}

// ---------------------------------------------------------------------------------------------
// The webhook URL
// ---------------------------------------------------------------------------------------------

/**
 * The parsed URL, or a TypeError that does not repeat the URL: Node's own "Invalid URL" error
 * carries its input, which here holds the access token.
 */
export function parseWebhookUrl(webhookUrl: string): URL {
  let url: URL;
  try {
    url = new URL(webhookUrl.trim());
  } catch {
    throw new TypeError("the DingTalk webhook URL is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError("the DingTalk webhook URL must be an http(s) URL");
  }
  return url;
}

/** The URL without its query (the access token) or credentials, for logs. */
export function redactWebhookUrl(webhookUrl: string): string {
  try {
    const url = new URL(webhookUrl);
    return `${url.origin}${url.pathname}${url.search ? "?[redacted]" : ""}`;
  } catch {
    return "[unparseable URL]";
  }
}

/** `base64(HMAC-SHA256(key = secret, message = "<timestamp>\n<secret>"))`, DingTalk's "加签". */
function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac("sha256", secret).update(`${timestampMs}\n${secret}`).digest("base64");
}

/**
 * The webhook URL with `timestamp` (epoch ms) and `sign` appended, as the robot's "加签" security
 * setting requires. DingTalk refuses a timestamp more than an hour away from its clock, so a URL
 * is signed just before each send. A `timestamp`/`sign` already in the URL is replaced.
 */
export function signDingTalkUrl(webhookUrl: string, secret: string, timestampMs: number): string {
  if (!Number.isFinite(timestampMs)) throw new RangeError("the timestamp must be a finite number");
  if (secret === "") throw new TypeError("the DingTalk secret is empty");
  const url = parseWebhookUrl(webhookUrl);
  const timestamp = Math.trunc(timestampMs);
  url.searchParams.delete("timestamp");
  url.searchParams.delete("sign");
  // URLSearchParams percent-encodes `+`, `/` and `=` of the base64 signature, as DingTalk expects.
  url.searchParams.append("timestamp", String(timestamp));
  url.searchParams.append("sign", dingTalkSign(secret, timestamp));
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// The message
// ---------------------------------------------------------------------------------------------

const KIND_LABELS: Record<AlertKind, string> = {
  not_retryable: "扣款失败（不可重试）",
  retries_exhausted: "重试次数已用尽",
  reconcile_mismatch: "对账不一致",
  run_failed: "任务运行失败",
  agreement_closed: "代扣协议已关闭",
};

const TOTAL_LABELS: Record<string, string> = {
  claimed: "处理",
  succeeded: "成功",
  failed: "失败",
  unknown: "结果未知",
  postponed: "推迟",
};

function kindLabel(kind: string): string {
  return Object.hasOwn(KIND_LABELS, kind)
    ? KIND_LABELS[kind as AlertKind]
    : escapeMarkdown(oneLine(kind, 40));
}

/**
 * Credentials that a vendor message or an error string might carry (a URL with its token, a
 * DingTalk secret): masked before anything reaches the group.
 */
const SECRET_PATTERNS: [RegExp, string][] = [
  [
    /([?&](?:access_token|token|secret|sign|key|password|app_secret|client_secret|appkey)=)[^&#\s]+/gi,
    "$1[redacted]",
  ],
  [/\bSEC[0-9a-f]{32,}\b/gi, "[redacted]"],
  [/\b(Bearer|Basic)\s+[\w\-.~+/=]{8,}/gi, "$1 [redacted]"],
];

export function maskSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, mask]) => out.replace(pattern, mask), text);
}

/** Newlines and runs of whitespace become one space, so a value cannot start a new block. */
function oneLine(text: string, maxChars: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars - 1)}…` : flat;
}

/**
 * Backslash-escapes the characters that open inline markdown: emphasis (`*`, `_` — ids such as
 * `agr_…` carry underscores), code, links and images (`[`), HTML such as DingTalk's `<font>`,
 * strikethrough. Values are put on one line first, so block syntax (`#`, `>`, `-`, `1.`) only
 * ever appears mid-line, where it is plain text; `(` and `!` mean nothing without a `[`.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>~]/g, "\\$&");
}

/** A vendor- or job-supplied value: secrets masked, one line, capped, escaped. */
function safe(text: string, maxChars: number): string {
  return escapeMarkdown(oneLine(maskSecrets(text), maxChars));
}

function shanghaiDateTime(instant: Date): string {
  if (Number.isNaN(instant.getTime())) return "未知";
  return format(new TZDate(instant.getTime(), BUSINESS_TIME_ZONE), "yyyy-MM-dd HH:mm:ss");
}

function itemLine(item: AlertItem, index: number): string {
  const parts = [`**${kindLabel(item.kind)}**`];
  if (item.agreementId) parts.push(`协议 ${safe(item.agreementId, 64)}`);
  if (item.orderNo) parts.push(`订单 ${safe(item.orderNo, 64)}`);
  if (item.code) parts.push(`代码 ${safe(item.code, 64)}`);
  const message = safe(item.message, MAX_MESSAGE_CHARS);
  return `${index + 1}. ${parts.join(" · ")}${message ? `：${message}` : ""}`;
}

function totalsLine(totals: Record<string, number> | undefined): string | undefined {
  const entries = Object.entries(totals ?? {});
  if (entries.length === 0) return undefined;
  const shown = entries.map(([key, value]) => {
    const label = Object.hasOwn(TOTAL_LABELS, key) ? TOTAL_LABELS[key] : safe(key, 40);
    return `${label} ${Number.isFinite(value) ? value : "?"}`;
  });
  return `- 统计：${shown.join("，")}`;
}

function kindCounts(items: AlertItem[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
  const shown = [...counts].slice(0, 8).map(([kind, n]) => `${kindLabel(kind)} ${n}`);
  return counts.size > shown.length ? `${shown.join("，")}，…` : shown.join("，");
}

function render(alert: RunAlert, shownItems: number): string {
  const job = safe(alert.job, 40);
  const lines: string[] = [
    `#### 小铺：计费任务${alert.error ? "失败" : "需要处理"}（${job}）`,
    "",
    `- 任务：${job}`,
    `- 运行编号：${safe(alert.runId, 64)}`,
    `- 开始时间：${shanghaiDateTime(alert.startedAt)}（北京时间）`,
  ];
  if (alert.dryRun) lines.push("- 模式：演练（dry run，未实际扣款）");
  const totals = totalsLine(alert.totals);
  if (totals) lines.push(totals);
  if (alert.error) lines.push(`- 错误：${safe(alert.error, MAX_ERROR_CHARS)}`);
  if (alert.items.length > 0) {
    lines.push("", `**需要处理的事项：共 ${alert.items.length} 项**（${kindCounts(alert.items)}）`);
    lines.push("", ...alert.items.slice(0, shownItems).map(itemLine));
    const rest = alert.items.length - shownItems;
    if (rest > 0) lines.push("", `以及另外 ${rest} 项，详见运行记录 ${safe(alert.runId, 64)}。`);
  }
  return lines.join("\n");
}

/**
 * The owner-facing message for a run, in Simplified Chinese: a title for the notification and a
 * markdown text listing at most `maxItems` items (default 20), then "以及另外 N 项". Every value
 * that comes from a job, a vendor or an error is put on one line, capped, masked for credentials
 * and markdown-escaped. Pure: the caller decides whether an empty alert is worth sending.
 */
export function formatRunAlert(
  alert: RunAlert,
  options: { maxItems?: number } = {},
): { title: string; text: string } {
  const maxItems = Math.max(0, Math.trunc(options.maxItems ?? DEFAULT_MAX_ITEMS));
  // The title is plain text (the notification and the chat list), not markdown: not escaped.
  const title =
    `小铺：计费任务${alert.error ? "失败" : "需要处理"}` +
    `（${oneLine(maskSecrets(alert.job), 40)}${alert.dryRun ? "，演练" : ""}）`;
  let shown = Math.min(maxItems, alert.items.length);
  let text = render(alert, shown);
  // Under DingTalk's size cap: drop listed items (they stay counted in "以及另外 N 项").
  while (shown > 0 && Buffer.byteLength(text, "utf8") > MAX_TEXT_BYTES) {
    shown--;
    text = render(alert, shown);
  }
  return { title, text };
}

// ---------------------------------------------------------------------------------------------
// The sink
// ---------------------------------------------------------------------------------------------

type Outcome = { ok: true } | { ok: false; reason: string };

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

/** A short, credential-free reason for a failed fetch: the system error code, never the message. */
function networkReason(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  return code ? `network error (${code})` : "network error";
}

/**
 * Reads DingTalk's reply: HTTP 200 and `{"errcode":0}` is a delivery; anything else is a
 * failure named by its errcode (310000 bad signature, keyword or IP; 130101 too many messages;
 * 300001 bad token…), so the log says what to fix.
 */
function readReply(status: number, text: string): Outcome {
  if (status !== 200) return { ok: false, reason: `HTTP ${status}` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: "reply is not JSON" };
  }
  if (typeof body !== "object" || body === null || !("errcode" in body)) {
    return { ok: false, reason: "reply without errcode" };
  }
  const { errcode, errmsg } = body as { errcode: unknown; errmsg?: unknown };
  if (errcode === 0 || errcode === "0") return { ok: true };
  const message = typeof errmsg === "string" ? `: ${oneLine(errmsg, MAX_REASON_CHARS)}` : "";
  return { ok: false, reason: `errcode ${String(errcode).slice(0, 20)}${message}` };
}

/** Posts one markdown message to a DingTalk robot; never throws (owner notices and run alerts). */
export interface DingTalkMarkdownSender {
  /** The webhook with its query redacted, for logs. */
  target: string;
  send(title: string, text: string): Promise<AlertDelivery>;
}

/**
 * A sender of markdown messages to a DingTalk custom robot, signed when a secret is set, with the
 * robot's own credentials scrubbed from every message. Throws a TypeError at once for a webhook
 * URL that is not http(s); `send` itself never throws.
 */
export function dingTalkMarkdownSender(options: DingTalkSinkOptions): DingTalkMarkdownSender {
  const webhookUrl = parseWebhookUrl(options.webhookUrl).toString();
  const secret = options.secret?.trim() || undefined;
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const timeoutMs =
    options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs) && options.timeoutMs > 0
      ? options.timeoutMs
      : DEFAULT_TIMEOUT_MS;
  const target = redactWebhookUrl(webhookUrl);
  // Belt and braces: whatever a message says, the robot's own credentials never go out in it.
  const accessToken = new URL(webhookUrl).searchParams.get("access_token") || undefined;
  const credentials = [secret, accessToken].filter((c): c is string => !!c && c.length >= 4);
  const scrub = (text: string) =>
    credentials.reduce((out, credential) => out.replaceAll(credential, "[redacted]"), text);

  async function post(url: string, payload: string): Promise<Outcome> {
    const signal = AbortSignal.timeout(timeoutMs);
    // Racing the abort as well covers a fetch (or a body stream) that ignores its signal.
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => {}); // the race below observes it; this keeps it from being "unhandled"
    try {
      const { status, text } = await Promise.race([
        (async () => {
          const res = await doFetch(url, {
            method: "POST",
            headers: { "Content-Type": "application/json; charset=utf-8" },
            body: payload,
            signal,
          });
          return { status: res.status, text: await res.text() };
        })(),
        aborted,
      ]);
      return readReply(status, text);
    } catch (error) {
      const name = errorName(error);
      return {
        ok: false,
        reason:
          name === "TimeoutError" || name === "AbortError"
            ? `timed out after ${timeoutMs} ms`
            : networkReason(error),
      };
    }
  }

  return {
    target,
    async send(title, text) {
      try {
        const payload = JSON.stringify({
          msgtype: "markdown",
          markdown: { title: scrub(title), text: scrub(text) },
        });
        const url = secret ? signDingTalkUrl(webhookUrl, secret, now()) : webhookUrl;
        const outcome = await post(url, payload);
        return outcome.ok ? { delivered: true } : { delivered: false, reason: outcome.reason };
      } catch (error) {
        return { delivered: false, reason: `internal error (${errorName(error) || typeof error})` };
      }
    },
  };
}

/**
 * A sink that posts each run's alert to a DingTalk custom robot. Throws a TypeError at once for a
 * webhook URL that is not http(s) (a configuration mistake); `send` itself never throws.
 */
export function dingTalkSink(options: DingTalkSinkOptions): AlertSink {
  const sender = dingTalkMarkdownSender(options);
  return {
    async send(alert) {
      const context = { job: alert.job, runId: alert.runId, webhook: sender.target };
      try {
        if (isEmptyAlert(alert)) return { delivered: false, reason: NOTHING_TO_REPORT };
        const { title, text } = formatRunAlert(alert);
        const delivery = await sender.send(title, text);
        if (delivery.delivered) {
          log.info({ ...context, items: alert.items.length }, "owner alert delivered to DingTalk");
          return { delivered: true };
        }
        log.warn({ ...context, reason: delivery.reason }, "owner alert not delivered to DingTalk");
        return delivery;
      } catch (error) {
        // A bug here (a malformed alert, a clock returning NaN) must not fail the billing run.
        const reason = `internal error (${errorName(error) || typeof error})`;
        try {
          log.warn({ ...context, reason }, "owner alert not delivered to DingTalk");
        } catch {
          // Logging itself failed; the result still says why.
        }
        return { delivered: false, reason };
      }
    },
  };
}
