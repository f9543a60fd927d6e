import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * Our agreement number (`external_agreement_no`): letters and digits only, ≤ 32 characters
 * (Alipay's rule) — `XA` + the Asia/Shanghai date + 12 random characters, 22 in all.
 */
export function newExternalAgreementNo(shanghaiDate: string): string {
  const bytes = randomBytes(12);
  let random = "";
  for (const byte of bytes) random += ALPHABET[byte & 31];
  return `XA${shanghaiDate.replaceAll("-", "")}${random}`;
}

/**
 * The `out_trade_no` of one charge attempt, deterministic per (order, attempt): the first
 * attempt uses the order number, so a repeated request can never charge twice, and Alipay's
 * `ACQ.TRADE_HAS_SUCCESS` answers a replay; later attempts (after a decline) add `R<n>`.
 */
export function chargeOutTradeNo(orderNo: string, attemptNo: number): string {
  return attemptNo === 1 ? orderNo : `${orderNo}R${attemptNo}`;
}
