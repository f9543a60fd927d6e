import { fenToYuan } from "@/lib/money";

/*
 * CSV as Excel opens it cleanly (issue #11, "CSV export"): UTF-8 with a byte-order mark (else
 * Excel on Windows reads Chinese as mojibake), CRLF line ends and RFC 4180 quoting, amounts as
 * plain numbers with two decimals (`9.90`, no ¥ sign: Excel sums them), times in Asia/Shanghai
 * as `YYYY-MM-DD HH:mm:ss` (Excel reads them as date-times). Text that a spreadsheet would take
 * for a formula (`=`, `+`, `-`, `@`, tab, CR at the start: buyer emails and names are the
 * buyer's own input) gets a leading apostrophe, as OWASP advises against CSV injection.
 */

export const CSV_BOM = "\uFEFF";
const LINE_END = "\r\n";
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** A text cell; null and undefined are empty. */
export function csvText(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "";
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** An integer cell (a count, a period, an HTTP status); null is empty. */
export function csvInteger(value: number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  return String(value);
}

/** An amount in fen as yuan with two decimals (`990` → `9.90`); null is empty. */
export function csvAmount(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? "" : fenToYuan(fen);
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/**
 * An instant as its Asia/Shanghai wall-clock time, `YYYY-MM-DD HH:mm:ss`. China has kept UTC+8
 * without daylight saving since 1991, so a fixed offset is exact (and fast over 50,000 rows).
 */
export function csvTime(instant: Date | null | undefined): string {
  if (!instant) return "";
  const iso = new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** One line of already-encoded cells. */
export function csvLine(cells: readonly string[]): string {
  return cells.join(",") + LINE_END;
}
