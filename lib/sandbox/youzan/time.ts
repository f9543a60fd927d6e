import "server-only";
import { randomInt } from "node:crypto";

/** Youzan business times are China time (UTC+8, no daylight saving). */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

const pad = (value: number, width = 2) => value.toString().padStart(width, "0");

function chinaParts(instant: Date) {
  const shifted = new Date(instant.getTime() + CHINA_OFFSET_MS);
  return {
    y: pad(shifted.getUTCFullYear(), 4),
    M: pad(shifted.getUTCMonth() + 1),
    d: pad(shifted.getUTCDate()),
    h: pad(shifted.getUTCHours()),
    m: pad(shifted.getUTCMinutes()),
    s: pad(shifted.getUTCSeconds()),
  };
}

/** `yyyy-MM-dd HH:mm:ss` in UTC+8, the format of every Youzan time field. */
export function formatYouzanTime(instant: Date): string {
  const p = chinaParts(instant);
  return `${p.y}-${p.M}-${p.d} ${p.h}:${p.m}:${p.s}`;
}

/** Same as {@link formatYouzanTime}, but `""` for a missing instant (unpaid pay fields). */
export function formatYouzanTimeOrEmpty(instant: Date | null | undefined): string {
  return instant ? formatYouzanTime(instant) : "";
}

/** Parses `yyyy-MM-dd HH:mm:ss` (UTC+8); null when the text is not exactly that. */
export function parseYouzanTime(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [, y, M, d, h, m, s] = match.map(Number) as [number, ...number[]];
  const utc = Date.UTC(y!, M! - 1, d!, h!, m!, s!) - CHINA_OFFSET_MS;
  const parsed = new Date(utc);
  // Reject rolled-over values such as 2026-02-30.
  return formatYouzanTime(parsed) === text ? parsed : null;
}

/** `tid` = `E` + yyyyMMddHHmmss (UTC+8) + 9 digits, e.g. `E20260301100000123456789`. */
export function newTid(instant: Date, random: () => number = () => randomInt(0, 1_000_000_000)) {
  const p = chinaParts(instant);
  return `E${p.y}${p.M}${p.d}${p.h}${p.m}${p.s}${pad(random(), 9)}`;
}

export const TID_PATTERN = /^E\d{23}$/;

/** Push `version`: epoch seconds of the event. */
export function epochSeconds(instant: Date): number {
  return Math.floor(instant.getTime() / 1000);
}
