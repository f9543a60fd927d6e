import "server-only";
import { eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../rows";
import { agreements, orders } from "../schema";
import { insertAudit, type NewAuditEntry } from "./audit";

/*
 * The work of a billing run, claimed in batches: `FOR UPDATE SKIP LOCKED` lets concurrent runs
 * (any number of schedulers and instances) take disjoint rows, and a lease on the agreement
 * (`billing_lease_until`) keeps them out of other runs while the Alipay call is made outside the
 * transaction. A run that dies lets its leases lapse; the attempt's unique number is the last
 * guard against a double charge. On PGlite (one connection) the same statements run serially.
 *
 * The SQL narrows the candidates; `lib/billing/schedule.ts` decides for each (one rule, tested
 * with fixed dates), so a candidate the SQL lets through too eagerly is merely skipped.
 */

export type ClaimPhase = "charge" | "retry" | "postpone" | "reconcile";

export interface ClaimInput {
  phase: ClaimPhase;
  /** Asia/Shanghai date of the run. */
  today: string;
  now: Date;
  earlyDays: number;
  /** Days a buyer is reminded ahead (`firstAttemptDate`). */
  remindDays: number;
  maxAttempts: number;
  stalePendingMs: number;
  limit: number;
  leaseUntil: Date;
  /** Agreements this run has already looked at: never claimed twice by one run. */
  seen: readonly string[];
}

/**
 * An instant as a parameter of raw SQL. Drizzle's postgres.js driver passes timestamp parameters
 * through untouched (it expects strings), so a `Date` in a raw `sql` template fails on PostgreSQL
 * ("Received an instance of Date") while PGlite accepts it: always an ISO string, cast.
 */
const at = (instant: Date): SQL => sql`${instant.toISOString()}::timestamptz`;

/**
 * The day agreement `a`'s current period is first tried, as SQL: `firstAttemptDate` of
 * lib/billing/schedule.ts (the window's first day, or `remindDays` after the period began when
 * that is later, never after the scheduled date). Shared with the renewal reminders' sweep.
 */
export const firstAttemptSql = (input: { earlyDays: number; remindDays: number }): SQL =>
  sql`greatest(a.next_charge_date - ${input.earlyDays}::int,
               least(a.next_charge_date,
                     a.next_charge_date - a.period_days + ${input.remindDays}::int))`;

/** The current period's attempts of agreement `a`, for the phase conditions. */
const attemptsOfPeriod = (extra: SQL) => sql`exists (
  select 1 from charge_attempts c
  where c.agreement_id = a.id and c.period_index = a.current_period and ${extra})`;

function phaseCondition(input: ClaimInput): SQL {
  const windowOpen = sql`a.next_charge_date between ${input.today}::date and (${input.today}::date + ${input.earlyDays}::int)`;
  const open = attemptsOfPeriod(sql`c.status in ('pending', 'unknown', 'succeeded')`);
  // Renewals only: an agreement whose first period was never paid is not charged by the runs
  // (the buyer retries it at the checkout; reconcile unsigns it after two days).
  const renewing = sql`a.paid_periods > 0`;
  switch (input.phase) {
    case "charge":
      return sql`${renewing} and ${windowOpen} and ${firstAttemptSql(input)} <= ${input.today}::date
        and not ${attemptsOfPeriod(sql`true`)}`;
    case "retry":
      return sql`${renewing} and ${windowOpen} and not ${open}
        and ${attemptsOfPeriod(sql`c.status = 'failed' and c.next_retry_at <= ${at(input.now)}`)}
        and (select count(*) from charge_attempts c
             where c.agreement_id = a.id and c.period_index = a.current_period) < ${input.maxAttempts}`;
    case "postpone":
      return sql`${renewing} and a.next_charge_date <= (${input.today}::date + ${input.earlyDays}::int)
        and not ${open}
        and (a.next_charge_date < ${input.today}::date
             or ${attemptsOfPeriod(sql`c.status = 'failed'`)})`;
    case "reconcile": {
      const staleBefore = new Date(input.now.getTime() - input.stalePendingMs);
      return attemptsOfPeriod(
        sql`(c.status = 'unknown' or (c.status = 'pending' and c.created_at < ${at(staleBefore)}))`,
      );
    }
  }
}

/**
 * Claims up to `limit` active agreements with work of the phase, oldest date first, and leases
 * them to this run. Returns their ids.
 */
export async function claimAgreements(db: Db, input: ClaimInput): Promise<string[]> {
  return db.transaction(async (tx) => {
    const rows = await tx.execute<{ id: string }>(sql`
      select a.id from agreements a
      where a.status = 'active' and a.auto_renew
        and (a.billing_lease_until is null or a.billing_lease_until < ${at(input.now)})
        and ${notSeen(input.seen)}
        and ${phaseCondition(input)}
      order by a.next_charge_date, a.id
      limit ${input.limit}
      for update of a skip locked`);
    const ids = rowsOf<{ id: string }>(rows).map((row) => row.id);
    if (ids.length > 0) {
      await tx
        .update(agreements)
        .set({ billingLeaseUntil: input.leaseUntil })
        .where(inArray(agreements.id, ids));
    }
    return ids;
  });
}

/** The candidates a dry run would claim: the same query, nothing locked or leased. */
export async function previewAgreements(db: Db, input: ClaimInput): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    select a.id from agreements a
    where a.status = 'active' and a.auto_renew
      and ${notSeen(input.seen)}
      and ${phaseCondition(input)}
    order by a.next_charge_date, a.id
    limit ${input.limit}`);
  return rowsOf<{ id: string }>(rows).map((row) => row.id);
}

/** Gives claimed agreements back (processed, or left when the run's time ran out). */
export async function releaseAgreements(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(agreements)
    .set({ billingLeaseUntil: null })
    .where(inArray(agreements.id, [...ids]));
}

/** Excludes what the run looked at already (each id one bound parameter). */
function notSeen(seen: readonly string[]): SQL {
  return seen.length === 0 ? sql`true` : sql`not (a.id in ${[...seen]})`;
}

/**
 * Moves an agreement past a period it could not charge, in one transaction: the period's unpaid
 * order is closed (`postponed`), the agreement's next charge is the new date for the period
 * `periods` on, and the postponed period is recorded. Only if the agreement is still on that
 * period (a concurrent success or postponement wins); returns whether it moved. The audit row is
 * written in the same transaction: it exists exactly when the agreement moved.
 */
export async function applyPostponement(
  db: Db,
  input: {
    agreementId: string;
    period: number;
    periods: number;
    date: string;
    orderId?: string;
    audit: Pick<NewAuditEntry, "actorKind" | "actorUserId" | "action" | "details">;
  },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    // The order first, as a settlement locks it (order, buyer, then agreement): taking the
    // agreement first could deadlock with a late notification paying this very period.
    if (input.orderId) {
      await tx
        .select({ id: orders.id })
        .from(orders)
        .where(eq(orders.id, input.orderId))
        .for("update");
    }
    const moved = await tx
      .update(agreements)
      .set({
        currentPeriod: input.period + input.periods,
        nextChargeDate: input.date,
        postponedPeriod: input.period,
      })
      .where(
        sql`${agreements.id} = ${input.agreementId} and ${agreements.currentPeriod} = ${input.period}`,
      )
      .returning({ id: agreements.id });
    if (moved.length === 0) return false;
    if (input.orderId) {
      await tx
        .update(orders)
        .set({ status: "closed", reviewReason: "postponed: the period could not be charged" })
        .where(sql`${orders.id} = ${input.orderId} and ${orders.status} = 'pending'`);
    }
    await insertAudit(tx, {
      ...input.audit,
      targetType: "agreement",
      targetId: input.agreementId,
    });
    return true;
  });
}

/** Agreements waiting for a signature that may have been missed: young enough to still matter. */
export async function listWaitingSigns(
  db: Db,
  input: { createdAfter: Date; createdBefore: Date; limit: number },
): Promise<string[]> {
  const rows = await db
    .select({ id: agreements.id })
    .from(agreements)
    .where(
      sql`${agreements.status} = 'pending_sign'
        and ${agreements.createdAt} > ${at(input.createdAfter)}
        and ${agreements.createdAt} < ${at(input.createdBefore)}`,
    )
    .orderBy(agreements.createdAt)
    .limit(input.limit);
  return rows.map((row) => row.id);
}

/** Active agreements whose first period was never paid, signed before `signedBefore`. */
export async function listUnpaidActive(
  db: Db,
  input: { signedBefore: Date; limit: number },
): Promise<string[]> {
  const rows = await db
    .select({ id: agreements.id })
    .from(agreements)
    .where(
      sql`${agreements.status} = 'active' and ${agreements.paidPeriods} = 0
        and ${agreements.signedAt} < ${at(input.signedBefore)}`,
    )
    .orderBy(agreements.signedAt)
    .limit(input.limit);
  return rows.map((row) => row.id);
}
