import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { idOrNull } from "./transform";
import type { ParsedPush } from "./types";

/**
 * Youzan push messages (spec §4): verify, decode and name them. Nothing here is trusted before
 * `signatureValid`; the webhook pipeline records invalid ones and changes nothing.
 */

export interface PushCredentials {
  clientId: string;
  clientSecret: string;
}

/** The exact reply Youzan expects from a push endpoint (HTTP 200). */
export function encodePushReply(): string {
  return '{"code":0,"msg":"success"}';
}

function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

/** Constant-time equality of two hex digests; a length difference is simply unequal. */
function sameDigest(expected: string, received: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(received.trim().toLowerCase(), "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Hex digit values by byte; -1 for a byte that is not one. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  HEX_VALUE[digit.toString(16).charCodeAt(0)] = digit;
  HEX_VALUE[digit.toString(16).toUpperCase().charCodeAt(0)] = digit;
}

/** Replaces malformed UTF-8 with U+FFFD (never throws); built once, it holds no state. */
const UTF8 = new TextDecoder("utf-8");

/**
 * Decodes a push `msg` the way PHP `urldecode` does: percent escapes become bytes, the bytes are
 * read as UTF-8, and a malformed escape stays as typed (never throws).
 *
 * `+` is a space in the 2021 form style (where `:` and `,` are always escaped as `%3A`/`%2C`), but
 * a literal plus in the 2018 encodeURI-like style (where `:` and `,` stay literal and spaces are
 * `%20`). A literal `:` or `,` therefore marks the 2018 style, whose pluses are kept.
 *
 * On whole buffers: the text is encoded to UTF-8 once (natively; a lone surrogate becomes
 * U+FFFD's bytes), the escapes are decoded in place over those bytes (the output never outgrows
 * the input), and the bytes are decoded once. A push may be 256 KiB: nothing is allocated per
 * character or per escape.
 */
export function decodePushMsg(msg: string): string {
  const formStyle = !/[:,]/.test(msg);
  const bytes = Buffer.from(msg, "utf8");
  const length = bytes.length;
  let n = 0;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i] as number;
    if (byte === 0x25 && i + 2 < length) {
      const high = HEX_VALUE[bytes[i + 1] as number] as number;
      const low = HEX_VALUE[bytes[i + 2] as number] as number;
      if (high >= 0 && low >= 0) {
        bytes[n++] = (high << 4) | low;
        i += 2;
        continue;
      }
    }
    bytes[n++] = byte === 0x2b && formStyle ? 0x20 : byte;
  }
  return UTF8.decode(bytes.subarray(0, n));
}

const bodySchema = z.looseObject({
  test: z.unknown().optional(),
  client_id: z.unknown().optional(),
  id: z.unknown().optional(),
  kdt_id: z.unknown().optional(),
  type: z.unknown().optional(),
  status: z.unknown().optional(),
  msg: z.unknown().optional(),
  msg_id: z.unknown().optional(),
  sign: z.unknown().optional(),
  version: z.unknown().optional(),
});

function text(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return null;
  const t = value.trim();
  return t === "" ? null : t;
}

function versionOf(value: unknown): number | null {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) ? n : null;
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

type PushMessage = Extract<ParsedPush, { kind: "message" }>;
type Malformed = Extract<ParsedPush, { kind: "malformed" }>;

/**
 * A push whose signature verified but whose content we cannot read (body or `msg` not JSON, no
 * `type`): Youzan did send it, so refusing it would only make Youzan retry it. The pipeline
 * records it as ignored and acknowledges it. An unsigned or badly signed unreadable body stays
 * `malformed`.
 */
export interface UnreadablePush {
  kind: "unreadable";
  signatureValid: true;
  reason: string;
  /** Dedupe key: `msg_id` when the body has one, else `sha256:` + the hash of the raw body. */
  eventKey: string;
  type: string | null;
}

/** Everything `parseYouzanPush` can return. */
export type YouzanPush = ParsedPush | UnreadablePush;

/** A push body that is a JSON object; nothing in it is trusted yet. */
interface PushBody {
  kind: "body";
  fields: z.infer<typeof bodySchema>;
  type: string | null;
}

function malformed(reason: string): Malformed {
  return { kind: "malformed", reason };
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Raw body + headers → a parsed push, in steps: read the body (the heartbeat ends here), verify
 * the signature, decode `msg`, classify the event. The signature is checked before the content
 * is judged, so a push Youzan signed is never refused for what it says: unreadable content with a
 * valid signature is `unreadable` (acknowledged), without one `malformed` (refused). A readable
 * push is returned with `signatureValid` for the pipeline to record and refuse.
 */
export function parseYouzanPush(
  rawBody: string,
  headers: Headers,
  creds: PushCredentials,
): YouzanPush {
  const body = readBody(rawBody);
  if (body.kind === "heartbeat") return body;
  const signatureValid = verifySignature(rawBody, body, headers, creds);
  let problem: string | null = body.kind === "malformed" ? body.reason : null;
  let msg: unknown = null;
  if (body.kind === "body") {
    if (body.type === null) problem = "type missing";
    else {
      const decoded = decodeMsg(body.fields.msg);
      if (decoded.kind === "malformed") problem = decoded.reason;
      else msg = decoded.value;
    }
  }
  if (problem !== null || body.kind !== "body" || body.type === null) {
    const reason = problem ?? "type missing";
    if (!signatureValid) return malformed(reason);
    const fields = body.kind === "body" ? body.fields : null;
    return {
      kind: "unreadable",
      signatureValid: true,
      reason,
      eventKey: text(fields?.msg_id) ?? `sha256:${sha256Hex(rawBody)}`,
      type: body.kind === "body" ? body.type : null,
    };
  }
  return {
    kind: "message",
    signatureValid,
    ...classify({ fields: body.fields, type: body.type }, msg),
  };
}

/** Step 1: the raw bytes as a push body (an object whose `type` may still be missing). */
function readBody(rawBody: string): PushBody | Malformed | { kind: "heartbeat" } {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return malformed("body is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return malformed("body is not a JSON object");
  }
  const fields = bodySchema.parse(json);
  if (fields.test === true) return { kind: "heartbeat" };
  return { kind: "body", fields, type: text(fields.type) };
}

/**
 * Step 2: whether Youzan signed these exact bytes for our app. `Event-Sign` = md5(clientId + raw
 * body + clientSecret) when the header is present (no fallback when it is wrong), otherwise the
 * legacy body `sign` = md5(clientId + msg exactly as sent + clientSecret). A push naming another
 * app (body `client_id`, `Client-Id` header) or whose `Event-Type` header disagrees with the body
 * is never valid. A body that is not a JSON object can only carry an Event-Sign.
 */
function verifySignature(
  rawBody: string,
  body: PushBody | Malformed,
  headers: Headers,
  creds: PushCredentials,
): boolean {
  const fields = body.kind === "body" ? body.fields : null;
  const type = body.kind === "body" ? body.type : null;
  const bodyClientId = fields ? text(fields.client_id) : null;
  const headerClientId = text(headers.get("client-id"));
  const headerType = text(headers.get("event-type"));
  const ours =
    (bodyClientId === null || bodyClientId === creds.clientId) &&
    (headerClientId === null || headerClientId === creds.clientId) &&
    // Without a body type there is nothing for the header to contradict.
    (headerType === null || type === null || headerType === type);
  if (!ours) return false;
  const eventSign = headers.get("event-sign");
  if (eventSign !== null) {
    return sameDigest(md5Hex(creds.clientId + rawBody + creds.clientSecret), eventSign);
  }
  return (
    fields !== null &&
    typeof fields.msg === "string" &&
    typeof fields.sign === "string" &&
    sameDigest(md5Hex(creds.clientId + fields.msg + creds.clientSecret), fields.sign)
  );
}

/** Step 3: `msg` as JSON — URL-encoded text (most messages) or an object (some newer ones). */
function decodeMsg(msg: unknown): { kind: "msg"; value: unknown } | Malformed {
  if (msg === undefined || msg === null) return { kind: "msg", value: null };
  if (typeof msg === "object") return { kind: "msg", value: msg };
  if (typeof msg !== "string") return malformed("msg is neither a string nor an object");
  try {
    return { kind: "msg", value: JSON.parse(decodePushMsg(msg)) as unknown };
  } catch {
    return malformed("msg is not URL-encoded JSON");
  }
}

/** Step 4: what the event is and which ids it carries; the dedupe key comes from these. */
function classify(
  { fields, type }: { fields: PushBody["fields"]; type: string },
  msg: unknown,
): Omit<PushMessage, "kind" | "signatureValid"> {
  const tid = text(fields.id);
  const kdtId = idOrNull(fields.kdt_id);
  const version = versionOf(fields.version);
  let status = text(fields.status) ?? text(field(msg, "status"));
  // 2018 captures say "PAID" where 2021 ones and integrators say "TRADE_PAID" (spec §4.4).
  if (type === "trade_TradePaid" && status === "PAID") status = "TRADE_PAID";
  return {
    // Without msg_id (V2): the status is part of the identity, so a WAIT_BUYER_PAY and a
    // TRADE_SUCCESS of one trade in the same second are two events, not a redelivery.
    eventKey:
      text(fields.msg_id) ?? `${type}:${status ?? ""}:${kdtId ?? ""}:${tid ?? ""}:${version ?? ""}`,
    type,
    tid,
    status,
    version,
    clientId: text(fields.client_id),
    kdtId,
    qrId:
      idOrNull(field(msg, "qr_info", "qr_id")) ??
      idOrNull(field(msg, "full_order_info", "qr_info", "qr_id")),
    msg,
  };
}
