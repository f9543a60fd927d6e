import "server-only";
import type { Db } from "@/db/client";
import { insertAudit } from "@/db/queries/audit";
import {
  addToBalance,
  balanceOf,
  findUseByRequestKey,
  insertCreditEntry,
  isNegativeBalanceViolation,
  listCreditEntries,
  lockBalance,
  takeFromBalance,
  type CreditEntryRow,
} from "@/db/queries/credits";
import { isUniqueViolation } from "@/db/errors";
import type { CreditEntry } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";
import { creditsToTakeBack } from "@/lib/refunds/rules";
import { checkCreditUse } from "./input";

export type { CreditEntryRow } from "@/db/queries/credits";

const log = moduleLogger("credits");

/*
 * The credit ledger (issue #12). Three kinds of entry change a buyer's balance, each in one
 * transaction with the balance row's `UPDATE … SET balance = balance ± n` and an entry holding
 * the balance that statement returned:
 *
 * - grant: settlement of a credit-pack order, in the settlement's transaction (one per order:
 *   the settlement grants once, `credit_entries_order_kind_uq` is the second fence);
 * - use: the owner records what a credit was spent on (a consultation), with a note the buyer
 *   reads; refused as a value (`insufficient_credits`) when the balance is too low — the CHECK
 *   `credit_balances_nonnegative` decides, so two uses racing on a balance of one cannot both
 *   pass; one use per form key (`credit_entries_request_key_uq`);
 * - refund: a full refund of a pack takes back what is left of it, min(pack, balance), in the
 *   refund's transaction (at most one per order), so a credit already used is not taken twice
 *   and the balance never goes below zero.
 */

/** Grants a paid credit pack's credits; called by settlement in its transaction. */
export async function grantCredits(
  tx: Db,
  grant: { userId: string; orderId: string; credits: number },
): Promise<CreditEntry> {
  if (!Number.isSafeInteger(grant.credits) || grant.credits <= 0) {
    throw new RangeError(`grantCredits: credits must be a positive integer, got ${grant.credits}`);
  }
  const balance = await addToBalance(tx, grant.userId, grant.credits);
  return insertCreditEntry(tx, {
    id: newId("cre"),
    userId: grant.userId,
    kind: "grant",
    delta: grant.credits,
    balanceAfter: balance,
    orderId: grant.orderId,
    note: null,
    actorId: null,
    requestKey: null,
  });
}

export interface CreditUseRequest {
  userId: string;
  /** Credits to take: 1 (one consultation) when not given; 1 to 100. */
  amount?: number | string | null;
  /** What the credits were spent on; shown to the buyer. 1 to 500 characters, trimmed. */
  note: string;
  /** The admin recording it. */
  actorId: string;
  /** The form's one-time key: a second submit with it returns the first result. */
  requestKey: string;
}

export type CreditUseResult =
  | {
      ok: true;
      entry: CreditEntry;
      /** The balance right after this use. */
      balance: number;
      /** True when the key had been used already: nothing new was written. */
      repeated: boolean;
    }
  | { ok: false; reason: "insufficient_credits"; balance: number };

/**
 * Records a use of the buyer's credits: the balance taken down, the entry and the audit row
 * (`credits.use_recorded`, before/after balance) in one transaction. A balance too low (or
 * none) is a refusal with the current balance, and nothing is written. Bad input →
 * `validation_failed` with field codes (input.ts).
 */
export async function recordCreditUse(db: Db, request: CreditUseRequest): Promise<CreditUseResult> {
  const checked = checkCreditUse({
    amount: request.amount,
    note: request.note,
    requestKey: request.requestKey,
  });
  if (!checked.ok) {
    const fields = Object.fromEntries(
      Object.entries(checked.problems).map(([field, code]) => [field, [code]]),
    );
    throw new AppError("validation_failed", "The use of credits is not valid.", fields);
  }
  const { amount, note, requestKey } = checked.value;
  const first = await findUseByRequestKey(db, requestKey);
  if (first) return repeatedUse(first, request.userId);
  try {
    return await db.transaction(async (tx): Promise<CreditUseResult> => {
      const after = await takeFromBalance(tx, request.userId, amount);
      if (after === null) return { ok: false, reason: "insufficient_credits", balance: 0 };
      const entry = await insertCreditEntry(tx, {
        id: newId("cre"),
        userId: request.userId,
        kind: "use",
        delta: -amount,
        balanceAfter: after,
        orderId: null,
        note,
        actorId: request.actorId,
        requestKey,
      });
      await insertAudit(tx, {
        actorKind: "user",
        actorUserId: request.actorId,
        action: "credits.use_recorded",
        targetType: "user",
        targetId: request.userId,
        details: {
          entryId: entry.id,
          amount,
          note,
          before: { balance: after + amount },
          after: { balance: after },
        },
      });
      return { ok: true, entry, balance: after, repeated: false };
    });
  } catch (error) {
    const sameKey = isUniqueViolation(error, "credit_entries_request_key_uq");
    if (!sameKey && !isNegativeBalanceViolation(error)) throw error;
    // Either way the form may have been submitted twice at once: the first submit's result
    // wins (its use may be what left the balance too low for this one).
    const earlier = await findUseByRequestKey(db, requestKey);
    if (earlier) return repeatedUse(earlier, request.userId);
    if (sameKey) throw error;
    const balance = (await balanceOf(db, request.userId)) ?? 0;
    log.info({ userId: request.userId, amount, balance }, "credit use refused: balance too low");
    return { ok: false, reason: "insufficient_credits", balance };
  }
}

function repeatedUse(entry: CreditEntry, userId: string): CreditUseResult {
  if (entry.userId !== userId) {
    throw new AppError("conflict", "This form was already used for another buyer.");
  }
  return { ok: true, entry, balance: entry.balanceAfter, repeated: true };
}

/**
 * A full refund revoked a credit pack's grant (in the refund's transaction, the order row
 * locked): takes back what is left of the pack — min(pack's credits, balance) — as a `refund`
 * entry; none when that is 0. Returns the credits taken back.
 */
export async function takeBackRefundedPack(
  tx: Db,
  pack: { userId: string; orderId: string; credits: number },
): Promise<number> {
  const balance = await lockBalance(tx, pack.userId);
  const take = creditsToTakeBack(pack.credits, balance ?? 0);
  if (take <= 0) return 0;
  const after = await takeFromBalance(tx, pack.userId, take);
  if (after === null) throw new Error(`takeBackRefundedPack: balance of ${pack.userId} vanished`);
  await insertCreditEntry(tx, {
    id: newId("cre"),
    userId: pack.userId,
    kind: "refund",
    delta: -take,
    balanceAfter: after,
    orderId: pack.orderId,
    note: null,
    actorId: null,
    requestKey: null,
  });
  return take;
}

/** How many entries a summary lists unless told. */
export const CREDIT_ENTRIES_SHOWN = 50;

export interface CreditSummary {
  balance: number;
  /** Whether the buyer ever had credits (a balance row: created by the first grant). */
  hasLedger: boolean;
  /** The latest entries, newest first. */
  entries: CreditEntryRow[];
  /** More entries exist than listed. */
  more: boolean;
}

/** The buyer's balance and latest entries (`actorEmail` is for the owner's eyes only). */
export async function creditSummary(
  db: Db,
  userId: string,
  options: { limit?: number } = {},
): Promise<CreditSummary> {
  const limit = options.limit ?? CREDIT_ENTRIES_SHOWN;
  const [balance, rows] = await Promise.all([
    balanceOf(db, userId),
    listCreditEntries(db, userId, limit + 1),
  ]);
  return {
    balance: balance ?? 0,
    hasLedger: balance !== null || rows.length > 0,
    entries: rows.slice(0, limit),
    more: rows.length > limit,
  };
}

/** What the header shows: the balance when the buyer ever had credits, else null. */
export async function headerCredits(db: Db, userId: string): Promise<number | null> {
  return balanceOf(db, userId);
}
