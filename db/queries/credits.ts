import "server-only";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { errorChain } from "../errors";
import { creditBalances, creditEntries, orders, users, type CreditEntry } from "../schema";

/*
 * The credit ledger's SQL (issue #12). The balance row is the ledger's lock: every change takes
 * it with one `UPDATE … SET balance = balance ± n` (or the grant's upsert) and writes its entry
 * in the same transaction with the balance the statement returned, so `balance_after` of the
 * entries of one buyer, read in order, is the running sum. The CHECK
 * `credit_balances_nonnegative` refuses a negative balance whatever the code above does.
 * Callers that also lock an order lock it first (settlement, refunds): the balance comes last.
 */

export const CREDIT_BALANCE_NONNEGATIVE = "credit_balances_nonnegative";

/** Whether a database error is the CHECK that keeps a balance at zero or above. */
export function isNegativeBalanceViolation(error: unknown): boolean {
  const violation = errorChain(error).find((e) => (e as { code?: unknown }).code === "23514") as
    { constraint_name?: unknown; constraint?: unknown; message?: unknown } | undefined;
  if (!violation) return false;
  const name = violation.constraint_name ?? violation.constraint;
  return (
    name === CREDIT_BALANCE_NONNEGATIVE ||
    (typeof violation.message === "string" &&
      violation.message.includes(CREDIT_BALANCE_NONNEGATIVE))
  );
}

/** Adds `credits` to the buyer's balance (creating the row at 0 first); the balance after. */
export async function addToBalance(tx: Db, userId: string, credits: number): Promise<number> {
  const [row] = await tx
    .insert(creditBalances)
    .values({ userId, balance: credits })
    .onConflictDoUpdate({
      target: creditBalances.userId,
      set: { balance: sql`${creditBalances.balance} + excluded.balance` },
    })
    .returning({ balance: creditBalances.balance });
  if (!row) throw new Error(`addToBalance: no balance row for ${userId}`);
  return row.balance;
}

/**
 * Takes `credits` off the buyer's balance; the balance after, or null when the buyer has no
 * balance row. Below zero the database refuses (`isNegativeBalanceViolation`), aborting the
 * transaction: the caller maps that to a refusal.
 */
export async function takeFromBalance(
  tx: Db,
  userId: string,
  credits: number,
): Promise<number | null> {
  const [row] = await tx
    .update(creditBalances)
    .set({ balance: sql`${creditBalances.balance} - ${credits}` })
    .where(eq(creditBalances.userId, userId))
    .returning({ balance: creditBalances.balance });
  return row?.balance ?? null;
}

/** The buyer's balance row locked (a refund decides how much is left to take), or null. */
export async function lockBalance(tx: Db, userId: string): Promise<number | null> {
  const [row] = await tx
    .select({ balance: creditBalances.balance })
    .from(creditBalances)
    .where(eq(creditBalances.userId, userId))
    .for("update");
  return row?.balance ?? null;
}

/**
 * The buyer's balance; null when they never had credits (the row is created by their first
 * grant and never deleted, so it exists exactly when the buyer has ledger entries).
 */
export async function balanceOf(db: Db, userId: string): Promise<number | null> {
  const [row] = await db
    .select({ balance: creditBalances.balance })
    .from(creditBalances)
    .where(eq(creditBalances.userId, userId));
  return row?.balance ?? null;
}

export type NewCreditEntry = Pick<
  typeof creditEntries.$inferInsert,
  | "id"
  | "userId"
  | "kind"
  | "delta"
  | "balanceAfter"
  | "orderId"
  | "note"
  | "actorId"
  | "requestKey"
>;

/**
 * Writes one entry. A second grant or refund of an order (`credit_entries_order_kind_uq`) or a
 * second use under one request key (`credit_entries_request_key_uq`) is a unique violation that
 * aborts the caller's transaction — the balance change made before it goes with it.
 */
export async function insertCreditEntry(tx: Db, entry: NewCreditEntry): Promise<CreditEntry> {
  const [row] = await tx.insert(creditEntries).values(entry).returning();
  if (!row) throw new Error("insertCreditEntry: nothing inserted");
  return row;
}

/** The use recorded under a form's one-time key, if any. */
export async function findUseByRequestKey(
  db: Db,
  requestKey: string,
): Promise<CreditEntry | undefined> {
  const [row] = await db
    .select()
    .from(creditEntries)
    .where(and(eq(creditEntries.requestKey, requestKey), eq(creditEntries.kind, "use")));
  return row;
}

/** The grant entry of a credit-pack order, if its credits went to the ledger. */
export async function grantEntryOfOrder(tx: Db, orderId: string): Promise<CreditEntry | undefined> {
  const [row] = await tx
    .select()
    .from(creditEntries)
    .where(and(eq(creditEntries.orderId, orderId), eq(creditEntries.kind, "grant")));
  return row;
}

export interface CreditEntryRow {
  id: string;
  kind: CreditEntry["kind"];
  delta: number;
  balanceAfter: number;
  note: string | null;
  createdAt: Date;
  /** Grants and refunds: the credit pack's order number. */
  orderNo: string | null;
  /** Uses: who recorded it (shown to the owner only). */
  actorEmail: string | null;
}

/** The buyer's latest `limit` entries, newest first. */
export async function listCreditEntries(
  db: Db,
  userId: string,
  limit: number,
): Promise<CreditEntryRow[]> {
  return db
    .select({
      id: creditEntries.id,
      kind: creditEntries.kind,
      delta: creditEntries.delta,
      balanceAfter: creditEntries.balanceAfter,
      note: creditEntries.note,
      createdAt: creditEntries.createdAt,
      orderNo: orders.orderNo,
      actorEmail: users.email,
    })
    .from(creditEntries)
    .leftJoin(orders, eq(orders.id, creditEntries.orderId))
    .leftJoin(users, eq(users.id, creditEntries.actorId))
    .where(eq(creditEntries.userId, userId))
    .orderBy(desc(creditEntries.createdAt), desc(creditEntries.id))
    .limit(limit);
}
