import { randomBytes } from "node:crypto";

// Crockford base32 without I, L, O, U: readable in support conversations and safe in URLs.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

export type IdPrefix =
  | "usr"
  | "prd"
  | "ord"
  | "pay"
  | "agr"
  | "chg"
  | "ent"
  | "evt"
  | "run"
  | "rfd"
  | "fil"
  | "les"
  | "pst"
  | "cre"
  | "ntc"
  | "prt";

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! & 31];
  return out;
}

/** Prefixed public id, e.g. `ord_5x2k…`: the prefix says what it is wherever it shows up. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase32(20)}`;
}

/**
 * Order numbers go to the providers (Youzan `qr_source`, Alipay `out_trade_no`: ≤ 64 chars,
 * letters, digits, underscore) and appear on receipts: `XP` + Shanghai date + 10 random chars.
 */
export function newOrderNo(shanghaiDate: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(shanghaiDate)) {
    throw new Error(`newOrderNo expects a YYYY-MM-DD date, got ${shanghaiDate}`);
  }
  return `XP${shanghaiDate.replaceAll("-", "")}${randomBase32(10).toUpperCase()}`;
}
