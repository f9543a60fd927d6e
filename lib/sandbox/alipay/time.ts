import "server-only";
import { randomInt } from "node:crypto";
import { addMonths, format, parseISO } from "date-fns";
import { addDays, shanghaiDate } from "@/lib/clock";

/** Every Alipay time is GMT+8 without daylight saving. */
const GMT8_MS = 8 * 60 * 60 * 1000;

const pad = (value: number, width = 2) => value.toString().padStart(width, "0");

function parts(instant: Date) {
  const s = new Date(instant.getTime() + GMT8_MS);
  return {
    y: pad(s.getUTCFullYear(), 4),
    M: pad(s.getUTCMonth() + 1),
    d: pad(s.getUTCDate()),
    h: pad(s.getUTCHours()),
    m: pad(s.getUTCMinutes()),
    s: pad(s.getUTCSeconds()),
  };
}

/** `yyyy-MM-dd HH:mm:ss` in GMT+8. */
export function formatAlipayTime(instant: Date): string {
  const p = parts(instant);
  return `${p.y}-${p.M}-${p.d} ${p.h}:${p.m}:${p.s}`;
}

/** Parses `yyyy-MM-dd HH:mm:ss` (GMT+8); null unless exactly that and a real date. */
export function parseAlipayTime(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [y, M, d, h, m, s] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const parsed = new Date(Date.UTC(y, M - 1, d, h, m, s) - GMT8_MS);
  return formatAlipayTime(parsed) === text ? parsed : null;
}

/** A real `yyyy-MM-dd` calendar date. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = parseISO(text);
  return !Number.isNaN(date.getTime()) && format(date, "yyyy-MM-dd") === text;
}

/** Today's date in GMT+8. */
export const alipayToday = (now: Date) => shanghaiDate(now);

/**
 * The deduction window (§6, §9.8): a charge is allowed on `[next − windowDays, next]`, compared
 * as GMT+8 calendar dates of the moment the charge happens.
 */
export function inDeductWindow(now: Date, nextDeductDate: string, windowDays: number): boolean {
  const today = alipayToday(now);
  return today >= addDays(nextDeductDate, -windowDays) && today <= nextDeductDate;
}

/** The scheduled date one period later (MONTH: same day next month; the day is ≤ 28). */
export function nextPeriodDate(date: string, periodType: "DAY" | "MONTH", period: number): string {
  if (periodType === "DAY") return addDays(date, period);
  return format(addMonths(parseISO(date), period), "yyyy-MM-dd");
}

const digits = (count: number) => {
  let out = "";
  while (out.length < count) out += pad(randomInt(0, 1_000_000), 6);
  return out.slice(0, count);
};

/** 28 digits: GMT+8 `yyyyMMdd` + `22001` + 15 digits, like `2024010122001…`. */
export function newTradeNo(now: Date): string {
  const p = parts(now);
  return `${p.y}${p.M}${p.d}22001${digits(15)}`;
}

/** 20 digits: GMT+8 `yyyyMMdd` + 12 digits. */
export function newAgreementNo(now: Date): string {
  const p = parts(now);
  return `${p.y}${p.M}${p.d}${digits(12)}`;
}

/** Yuan text with two decimals from fen. */
export function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

/** Fen from a yuan amount text (`0.01`, `12`, `12.5`); null if malformed. */
export function parseYuan(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,9}(\.\d{1,2})?$/.test(text)) return null;
  const [whole, fraction = ""] = text.split(".") as [string, string?];
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}
