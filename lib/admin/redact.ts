/**
 * Secrets and buyers' personal numbers out of a stored webhook payload before an admin sees it
 * (the inbox's payload viewer and its JSON API). Pure; never throws on any input.
 *
 * - JSON bodies (Youzan pushes) are walked; Youzan's `msg` — URL-encoded JSON inside the JSON —
 *   is decoded and walked too, so a buyer's phone in a trade's detail is masked as well.
 * - Form-encoded bodies (Alipay notifications) become their fields, walked the same way.
 * - Anything else (the first KiB of a rejected delivery, cut mid-way) is text: `key=value` and
 *   `"key": "value"` pairs of secret keys and anything shaped like a mainland mobile number are
 *   masked in place.
 *
 * Secrets (signatures, tokens, keys, passwords) become `[redacted]`; phone numbers keep their
 * last four digits (`*******5678`), enough to recognise a buyer on the phone, no more.
 */

export const REDACTED = "[redacted]";

export type RedactedPayload =
  | { format: "json" | "form"; value: unknown; redacted: number }
  | { format: "text"; value: string; redacted: number };

const SECRET_KEY =
  /^(sign|signature|event[-_]?sign|authorization|cookie|set[-_]?cookie|key|password|passwd|pwd)$|(token|secret|password|private[-_]?key|public[-_]?key|api[-_]?key|app[-_]?key|sign[-_]?key|access[-_]?key)$/i;
const PHONE_KEY = /(phone|mobile|^tel$|[-_]tel$|telephone|logon[-_]?id|id[-_]?card|idcard)/i;
/** A mainland mobile number standing alone (not inside a longer number such as a trade number). */
const MOBILE = /(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])/g;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function isPersonalKey(key: string): boolean {
  return PHONE_KEY.test(key);
}

/** Keeps the last four characters: `13812345678` → `*******5678`. */
export function maskTail(value: string): string {
  if (value.length <= 4) return "*".repeat(value.length);
  return `${"*".repeat(value.length - 4)}${value.slice(-4)}`;
}

interface Counter {
  n: number;
}

function maskMobiles(text: string, counter: Counter): string {
  return text.replace(MOBILE, (match) => {
    counter.n++;
    return maskTail(match);
  });
}

/** Youzan's `msg`: URL-encoded JSON (either of its two encodings), else null. */
function decodeEmbeddedJson(text: string): unknown {
  const candidates = [text];
  try {
    candidates.push(decodeURIComponent(text.replace(/\+/g, " ")));
  } catch {
    // Not URL-encoded: the text itself may still be JSON.
  }
  for (const candidate of candidates) {
    const trimmed = candidate.trim();
    if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) continue;
    try {
      return JSON.parse(trimmed);
    } catch {
      // Try the next reading.
    }
  }
  return null;
}

const MAX_DEPTH = 20;

function walk(value: unknown, key: string | null, counter: Counter, depth: number): unknown {
  if (key !== null && isSecretKey(key) && value !== null && value !== "") {
    counter.n++;
    return REDACTED;
  }
  if (depth > MAX_DEPTH) return REDACTED;
  if (typeof value === "string") {
    if (key !== null && isPersonalKey(key) && value !== "") {
      counter.n++;
      return maskTail(value);
    }
    const embedded = value.length > 1 ? decodeEmbeddedJson(value) : null;
    if (embedded !== null && typeof embedded === "object") {
      return walk(embedded, null, counter, depth + 1);
    }
    return maskMobiles(value, counter);
  }
  if (typeof value === "number" && key !== null && isPersonalKey(key)) {
    counter.n++;
    return maskTail(String(value));
  }
  if (Array.isArray(value)) return value.map((item) => walk(item, null, counter, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k, counter, depth + 1);
    return out;
  }
  return value;
}

/** Any JSON value (stored headers, a parsed body) with its secrets redacted. */
export function redactValue(value: unknown): { value: unknown; redacted: number } {
  const counter = { n: 0 };
  return { value: walk(value, null, counter, 0), redacted: counter.n };
}

const FORM = /^[A-Za-z0-9_.\-[\]%]+=[^&]*(&[A-Za-z0-9_.\-[\]%]+=[^&]*)*&?$/;

function redactText(text: string): RedactedPayload {
  const counter = { n: 0 };
  let out = text
    // "sign": "…" and sign=… of a body cut short (a rejected delivery's first KiB).
    .replace(/("([^"\\]{1,64})"\s*:\s*")((?:[^"\\]|\\.)*)(")/g, (all, head, key, _v, tail) => {
      if (isSecretKey(key)) {
        counter.n++;
        return `${head}${REDACTED}${tail}`;
      }
      return all;
    })
    .replace(/(^|[&?\s])([A-Za-z0-9_.-]{1,64})=([^&\s]*)/g, (all, lead, key, value) => {
      if (value !== "" && isSecretKey(key)) {
        counter.n++;
        return `${lead}${key}=${REDACTED}`;
      }
      return all;
    });
  out = maskMobiles(out, counter);
  return { format: "text", value: out, redacted: counter.n };
}

/** A stored body as the admin may see it. */
export function redactPayload(body: string): RedactedPayload {
  const trimmed = body.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      const { value, redacted } = redactValue(JSON.parse(trimmed));
      return { format: "json", value, redacted };
    } catch {
      return redactText(body);
    }
  }
  if (trimmed !== "" && FORM.test(trimmed)) {
    const fields: Record<string, string> = {};
    try {
      for (const [k, v] of new URLSearchParams(trimmed)) fields[k] = v;
    } catch {
      return redactText(body);
    }
    const { value, redacted } = redactValue(fields);
    return { format: "form", value, redacted };
  }
  return redactText(body);
}
