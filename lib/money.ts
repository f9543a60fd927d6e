/**
 * Money is integer fen everywhere inside the shop. Yuan strings ("9.90") exist only at the
 * provider edge and in display; conversions are done on strings and integers, never floats.
 */

export type Fen = number;

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MoneyError";
  }
}

export function assertFen(value: number): asserts value is Fen {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new MoneyError(`not an amount in fen: ${value}`);
  }
}

/** `"9.9"`, `"9.90"`, `"10"` → 990, 990, 1000. Rejects signs, exponents and a third decimal. */
export function yuanToFen(yuan: string): Fen {
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(yuan.trim());
  if (!match) throw new MoneyError(`not a yuan amount: ${JSON.stringify(yuan)}`);
  const whole = Number(match[1]);
  const cents = Number((match[2] ?? "").padEnd(2, "0"));
  const fen = whole * 100 + cents;
  assertFen(fen);
  return fen;
}

/** 990 → `"9.90"`: the exact string providers expect (two decimals, no grouping). */
export function fenToYuan(fen: Fen): string {
  assertFen(fen);
  const whole = Math.floor(fen / 100);
  const cents = fen % 100;
  return `${whole}.${cents.toString().padStart(2, "0")}`;
}

/** 990 → `"¥9.90"`, 123456 → `"¥1,234.56"`; the same in every UI language. */
export function formatFen(fen: Fen): string {
  const [whole = "0", cents = "00"] = fenToYuan(fen).split(".");
  return `¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${cents}`;
}
