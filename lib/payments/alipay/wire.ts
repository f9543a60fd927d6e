import "server-only";
import { fenToYuan, yuanToFen } from "@/lib/money";

/**
 * Vendor ↔ domain conversions of single values: amounts (fen integers inside, yuan strings with
 * two decimals on the wire, converted on strings and integers: never floats) and times (every
 * Alipay date and time is GMT+8, whatever the machine's time zone).
 */

/** China Standard Time has had no daylight saving since 1991: a fixed offset is exact. */
const GMT8_MS = 8 * 60 * 60 * 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `yyyy-MM-dd HH:mm:ss` in GMT+8: the `timestamp` Alipay expects, from any process `TZ`. */
export function shanghaiTimestamp(instant: Date): string {
  const d = new Date(instant.getTime() + GMT8_MS);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/;

/**
 * An Alipay time (`yyyy-MM-dd HH:mm:ss`, or a bare date meaning its midnight) in GMT+8 → the
 * instant; null for anything else, including impossible dates (`2025-02-30`).
 */
export function parseAlipayTime(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const m = DATE_TIME.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1).map((part) => Number(part ?? 0)) as number[];
  const utc = Date.UTC(y!, mo! - 1, d!, h, mi, s);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo! - 1 ||
    check.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return null;
  }
  return new Date(utc - GMT8_MS);
}

/** The calendar date part (`YYYY-MM-DD`) of an Alipay date or time, or null. */
export function parseAlipayDate(value: unknown): string | null {
  if (typeof value !== "string") return null;
  return parseAlipayTime(value) ? value.trim().slice(0, 10) : null;
}

export const isCalendarDate = (value: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) && parseAlipayTime(value) !== null;

/** 990 → `"9.90"` (exact for every safe integer). */
export function yuan(fen: number): string {
  return fenToYuan(fen);
}

/** `"9.90"` → 990; null for anything that is not a plain yuan amount (never throws). */
export function fenOf(value: unknown): number | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  try {
    return yuanToFen(String(value));
  } catch {
    return null;
  }
}

/** A non-empty string field of a vendor object, else null. */
export function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * A copy without `undefined`, `null` or empty-string values, at every depth. The SDK signs an
 * empty value (`return_url=`) while Alipay skips it, which breaks the signature (spec §2.5 trap
 * 7); `undefined` would even be signed as the text `undefined`. Empty objects go too.
 */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.filter((v) => v !== undefined && v !== null && v !== "").map(compact) as T;
  }
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined || v === null || v === "") continue;
      const inner = compact(v);
      if (typeof inner === "object" && inner !== null && !Array.isArray(inner)) {
        if (Object.keys(inner).length === 0) continue;
      }
      out[key] = inner;
    }
    return out as T;
  }
  return value;
}
