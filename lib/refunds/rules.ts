/**
 * The refund rules, pure (tested as tables in rules.test.ts):
 *
 * - An amount is integer fen, more than 0 and at most what is left of the trade (its amount less
 *   what was refunded before). The database holds the same line (`payments_refund_within_amount`).
 * - Content and credits: a full refund of the paying trade takes the grant back; a partial
 *   refund keeps the grant (a goodwill discount). For a credit pack "taken back" means what is
 *   left of it (`creditsToTakeBack`): the credit ledger records every use, so a full refund takes
 *   min(the pack's credits, the buyer's balance) — a credit already spent on a consultation is
 *   not taken twice, and the balance never goes below zero (lib/credits/ledger.ts).
 * - Memberships: the refunded share of the price comes off the period, proportionally, from
 *   the end of the membership — the grant's end moves back by that share of its period, and
 *   every period stacked after it moves back as much. A full refund takes the whole period off
 *   (the grant is revoked). Earlier partial refunds of the same order count: the total cut is
 *   always round(period × refunded ÷ paid), so two halves take exactly one period.
 */

export type RefundAmountProblem = "refund.amount_invalid" | "refund.amount_exceeds";

/** Parses the owner's amount in yuan ("12.5", "12.50"); null when it is not one. */
export function parseYuanAmount(text: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

/** What is left to refund of a trade. */
export function refundableFen(payment: { amountFen: number; refundedFen: number }): number {
  return Math.max(0, payment.amountFen - payment.refundedFen);
}

export function checkRefundAmount(
  amountFen: number,
  payment: { amountFen: number; refundedFen: number },
): RefundAmountProblem | null {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) return "refund.amount_invalid";
  if (amountFen > refundableFen(payment)) return "refund.amount_exceeds";
  return null;
}

export type GrantChange =
  | { kind: "none" }
  | { kind: "revoke"; moveLaterBySeconds: number; cutSeconds: number | null }
  | { kind: "shorten"; cutSeconds: number };

/**
 * What a succeeded refund does to the order's grant. `paidFen` is what the trade paid,
 * `refundedBeforeFen` what was refunded of it before this refund.
 */
export function grantChange(input: {
  grant: {
    kind: "content" | "membership" | "credits";
    startsAt: Date;
    expiresAt: Date | null;
    revokedAt: Date | null;
  } | null;
  paidFen: number;
  refundedBeforeFen: number;
  amountFen: number;
  /** Seconds earlier refunds of this order took off its membership grant. */
  cutBeforeSeconds: number;
}): GrantChange {
  const { grant, paidFen, refundedBeforeFen, amountFen } = input;
  if (!grant || grant.revokedAt !== null || paidFen <= 0) return { kind: "none" };
  const refundedAfter = refundedBeforeFen + amountFen;
  const full = refundedAfter >= paidFen;
  if (grant.kind !== "membership" || grant.expiresAt === null) {
    return full ? { kind: "revoke", moveLaterBySeconds: 0, cutSeconds: null } : { kind: "none" };
  }
  const remainingSeconds = Math.round(
    (grant.expiresAt.getTime() - grant.startsAt.getTime()) / 1000,
  );
  const periodSeconds = remainingSeconds + input.cutBeforeSeconds;
  const totalCut = full ? periodSeconds : Math.round((periodSeconds * refundedAfter) / paidFen);
  const cutSeconds = Math.max(0, Math.min(remainingSeconds, totalCut - input.cutBeforeSeconds));
  if (full || cutSeconds >= remainingSeconds) {
    return { kind: "revoke", moveLaterBySeconds: remainingSeconds, cutSeconds: remainingSeconds };
  }
  return { kind: "shorten", cutSeconds };
}

/**
 * The credits a full refund of a credit pack takes back: what is left of the pack, never more
 * than the buyer holds (used credits stay used; with several packs the balance left counts
 * toward the refunded one first). 0 writes no ledger entry.
 */
export function creditsToTakeBack(packCredits: number, balance: number): number {
  return Math.max(0, Math.min(packCredits, balance));
}
