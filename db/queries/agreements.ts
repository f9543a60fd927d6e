import "server-only";
import { and, desc, eq, getTableColumns, inArray, is, Param, SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { bind, statement, type Slots } from "../statement";
import {
  agreements,
  chargeAttempts,
  deductionLogs,
  orders,
  type Agreement,
  type Order,
} from "../schema";
import { agreementOrderInsert, type NewAgreementOrder } from "./orders";

export type NewAgreement = Pick<
  typeof agreements.$inferInsert,
  | "id"
  | "userId"
  | "productId"
  | "externalAgreementNo"
  | "singleAmountFen"
  | "periodDays"
  | "nextChargeDate"
  | "currentPeriod"
  | "signFlow"
>;

/** Inserts a pending agreement; null when the buyer already has one waiting for this plan. */
export async function insertPendingAgreement(
  db: Db,
  values: NewAgreement,
): Promise<Agreement | null> {
  const [row] = await db
    .insert(agreements)
    .values({ ...values, status: "pending_sign" })
    .onConflictDoNothing({
      target: [agreements.userId, agreements.productId],
      where: sql`${agreements.status} = 'pending_sign'`,
    })
    .returning();
  return row ?? null;
}

export async function findPendingAgreement(
  db: Db,
  userId: string,
  productId: string,
): Promise<Agreement | undefined> {
  const [row] = await db
    .select()
    .from(agreements)
    .where(
      and(
        eq(agreements.userId, userId),
        eq(agreements.productId, productId),
        eq(agreements.status, "pending_sign"),
      ),
    );
  return row;
}

/** The buyer's active agreement, if any (one membership renews at a time). */
export async function findActiveAgreementOf(
  db: Db,
  userId: string,
): Promise<Agreement | undefined> {
  const [row] = await db
    .select()
    .from(agreements)
    .where(and(eq(agreements.userId, userId), eq(agreements.status, "active")))
    .limit(1);
  return row;
}

export async function findAgreementById(db: Db, id: string): Promise<Agreement | undefined> {
  const [row] = await db.select().from(agreements).where(eq(agreements.id, id));
  return row;
}

/** By ours (`external_agreement_no`) or Alipay's (`agreement_no`) number. */
export async function findAgreementByNumbers(
  db: Db,
  numbers: { externalAgreementNo?: string | null; agreementNo?: string | null },
): Promise<Agreement | undefined> {
  if (numbers.externalAgreementNo) {
    const [row] = await db
      .select()
      .from(agreements)
      .where(eq(agreements.externalAgreementNo, numbers.externalAgreementNo));
    if (row) return row;
  }
  if (numbers.agreementNo) {
    const [row] = await db
      .select()
      .from(agreements)
      .where(eq(agreements.agreementNo, numbers.agreementNo));
    return row;
  }
  return undefined;
}

export async function lockAgreement(tx: Db, id: string): Promise<Agreement | undefined> {
  const [row] = await tx.select().from(agreements).where(eq(agreements.id, id)).for("update");
  return row;
}

/** pending_sign → active, once: false when it was not waiting for a signature. */
export async function activateAgreement(
  db: Db,
  id: string,
  signed: { agreementNo: string; alipayUserId: string | null; signedAt: Date },
): Promise<boolean> {
  const rows = await db
    .update(agreements)
    .set({ status: "active", ...signed })
    .where(and(eq(agreements.id, id), eq(agreements.status, "pending_sign")))
    .returning({ id: agreements.id });
  return rows.length > 0;
}

/**
 * Ends an agreement (`unsigned`: by the buyer in the wallet; `closed`: by the shop). Paid time
 * is untouched. False when it had already ended.
 */
export async function endAgreement(
  db: Db,
  id: string,
  to: "unsigned" | "closed",
  at: Date,
): Promise<boolean> {
  const rows = await db
    .update(agreements)
    .set({ status: to, unsignedAt: at, autoRenew: false })
    .where(and(eq(agreements.id, id), inArray(agreements.status, ["pending_sign", "active"])))
    .returning({ id: agreements.id });
  return rows.length > 0;
}

/**
 * Moves the first deduction of an agreement nothing has been paid on yet to a later date (the
 * buyer signs or pays on a later day than the agreement was opened). Returns whether it moved.
 */
export async function moveFirstChargeDate(db: Db, id: string, to: string): Promise<boolean> {
  const rows = await db
    .update(agreements)
    .set({ nextChargeDate: to })
    .where(
      and(
        eq(agreements.id, id),
        inArray(agreements.status, ["pending_sign", "active"]),
        eq(agreements.paidPeriods, 0),
        sql`${agreements.nextChargeDate} < ${to}::date`,
      ),
    )
    .returning({ id: agreements.id });
  return rows.length > 0;
}

/**
 * Brings the agreement's counters up to its paid orders: `paid_periods`, and — when periods up to
 * the one the next deduction was for are paid — `current_period` and the next charge date, moved
 * one period per paid period from the scheduled date (never from the day it was charged).
 * Derived from the orders and only ever moving forward, so it is safe to repeat, to run twice at
 * once, and to run after a crash between settling an order and updating its agreement.
 */
export async function syncPaidPeriods(db: Db, id: string): Promise<void> {
  await syncPaidPeriodsStatement.run(db, { id });
}

const syncPaidPeriodsStatement = statement((db, slot: Slots<{ id: string }>) => {
  const paid = db
    .select({
      count: sql<number>`count(*)::int`.as("paid_count"),
      last: sql<number>`coalesce(max(${orders.periodIndex}), 0)::int`.as("paid_last"),
    })
    .from(orders)
    .where(and(eq(orders.agreementId, slot.id), eq(orders.status, "paid")))
    .as("paid");
  const nextPeriod = sql`greatest(${agreements.currentPeriod}, ${paid.last} + 1)`;
  return db
    .update(agreements)
    .set({
      paidPeriods: sql`greatest(${agreements.paidPeriods}, ${paid.count})`,
      nextChargeDate: sql`(${agreements.nextChargeDate} + (${nextPeriod} - ${agreements.currentPeriod}) * ${agreements.periodDays})::date`,
      currentPeriod: nextPeriod,
    })
    .from(paid)
    .where(eq(agreements.id, slot.id));
});

export async function listAgreementsOfUser(db: Db, userId: string): Promise<Agreement[]> {
  return db
    .select()
    .from(agreements)
    .where(eq(agreements.userId, userId))
    .orderBy(desc(agreements.createdAt));
}

/** The orders of an agreement, newest period first. */
export async function listAgreementOrders(db: Db, agreementId: string) {
  return db
    .select()
    .from(orders)
    .where(eq(orders.agreementId, agreementId))
    .orderBy(desc(orders.periodIndex));
}

export type NewChargeAttempt = Pick<
  typeof chargeAttempts.$inferInsert,
  | "id"
  | "agreementId"
  | "orderId"
  | "periodIndex"
  | "attemptNo"
  | "outTradeNo"
  | "amountFen"
  | "billingRunId"
>;

/** One attempt per (agreement, period, number): null when another request took this number. */
export async function insertChargeAttempt(
  db: Db,
  values: NewChargeAttempt,
): Promise<typeof chargeAttempts.$inferSelect | null> {
  const [row] = await insertChargeAttemptStatement.run(db, {
    ...values,
    billingRunId: values.billingRunId ?? null,
  });
  return row ?? null;
}

const insertChargeAttemptStatement = statement(
  (db, slot: Slots<Required<NewChargeAttempt> & { billingRunId: string | null }>) =>
    db
      .insert(chargeAttempts)
      .values({
        id: slot.id,
        agreementId: slot.agreementId,
        orderId: slot.orderId,
        periodIndex: slot.periodIndex,
        attemptNo: slot.attemptNo,
        outTradeNo: slot.outTradeNo,
        amountFen: slot.amountFen,
        billingRunId: slot.billingRunId,
      })
      .onConflictDoNothing()
      .returning(),
);

const agreementWithAttempts = statement((db, slot: Slots<{ id: string }>) =>
  db
    .select({ agreement: agreements, attempt: chargeAttempts })
    .from(agreements)
    .leftJoin(
      chargeAttempts,
      and(
        eq(chargeAttempts.agreementId, agreements.id),
        eq(chargeAttempts.periodIndex, agreements.currentPeriod),
      ),
    )
    .where(eq(agreements.id, slot.id))
    .orderBy(chargeAttempts.attemptNo),
);

export type ChargeAttempt = typeof chargeAttempts.$inferSelect;

/** The first attempt of a period whose order is made with it. */
export type FirstAttempt = Pick<NewChargeAttempt, "id" | "outTradeNo"> & {
  billingRunId: string | null;
};

/**
 * The order of a period never tried and its first attempt, in one statement: both are written
 * or neither (the attempt's row refers to the order's). Null when the period has its order
 * already (another caller made it, or a notification paid it): the caller then reads it and
 * goes the usual way. One round trip and one commit instead of two of each, per renewal.
 */
export async function insertPeriodOrderWithAttempt(
  db: Db,
  order: NewAgreementOrder,
  attempt: FirstAttempt,
): Promise<{ order: Order; attempt: ChargeAttempt } | null> {
  const [row] = await orderWithAttemptStatement.run(db, {
    ...order,
    agreementId: order.agreementId!,
    periodIndex: order.periodIndex!,
    attemptId: attempt.id,
    outTradeNo: attempt.outTradeNo,
    billingRunId: attempt.billingRunId,
  });
  return row ?? null;
}

type OrderWithAttemptValues = Required<Omit<NewAgreementOrder, "agreementId" | "periodIndex">> & {
  agreementId: string;
  periodIndex: number;
  attemptId: string;
  outTradeNo: string;
  billingRunId: string | null;
};

const orderWithAttemptStatement = statement((db, slot: Slots<OrderWithAttemptValues>) => {
  const newOrder = db.$with("new_order").as(agreementOrderInsert(db, slot).returning());
  const newAttempt = db.$with("new_attempt").as(
    db
      .insert(chargeAttempts)
      .select(
        db
          .select(
            insertSelection(chargeAttempts, {
              id: bind(slot.attemptId, chargeAttempts.id),
              agreementId: sql`${newOrder.agreementId}`,
              orderId: sql`${newOrder.id}`,
              periodIndex: sql`${newOrder.periodIndex}`,
              attemptNo: sql`1`,
              outTradeNo: bind(slot.outTradeNo, chargeAttempts.outTradeNo),
              amountFen: sql`${newOrder.amountFen}`,
              billingRunId: bind(slot.billingRunId, chargeAttempts.billingRunId),
            }),
          )
          .from(newOrder),
      )
      .returning(),
  );
  return db
    .with(newOrder, newAttempt)
    .select({ order: fieldsOf(newOrder, orders), attempt: fieldsOf(newAttempt, chargeAttempts) })
    .from(newOrder)
    .innerJoin(newAttempt, sql`true`);
});

type Columns<T extends typeof orders | typeof chargeAttempts> = ReturnType<
  typeof getTableColumns<T>
>;

/** A CTE's fields named as the table's columns (drizzle decodes them as the table's). */
function fieldsOf<T extends typeof orders | typeof chargeAttempts>(
  cte: object,
  table: T,
): Columns<T> {
  return Object.fromEntries(
    Object.keys(getTableColumns(table)).map((key) => [key, (cte as Record<string, unknown>)[key]]),
  ) as Columns<T>;
}

/**
 * Every column of `table` in its order, for INSERT … SELECT (drizzle checks the order): the given
 * expressions, else the column's default (SQL such as the shop's time, or a constant) or null.
 */
function insertSelection<T extends typeof chargeAttempts>(
  table: T,
  given: Partial<Record<keyof Columns<T>, SQL>>,
): Record<keyof Columns<T>, SQL.Aliased> {
  return Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => {
      const chosen = given[key as keyof Columns<T>];
      const fallback = column.defaultFn?.();
      const value =
        chosen ??
        (is(fallback, SQL)
          ? fallback
          : column.default !== undefined
            ? sql`${new Param(column.default, column)}`
            : sql`null`);
      return [key, sql`${value}`.as(column.name)];
    }),
  ) as Record<keyof Columns<T>, SQL.Aliased>;
}

/**
 * An agreement and the attempts of its current period (by number), in one statement: the
 * billing run looks at every agreement it claims this way.
 */
export async function findAgreementWithAttempts(db: Db, id: string) {
  const rows = await agreementWithAttempts.run(db, { id });
  const first = rows[0];
  if (!first) return undefined;
  return {
    agreement: first.agreement,
    attempts: rows.flatMap((row) => (row.attempt ? [row.attempt] : [])),
  };
}

export async function listChargeAttempts(db: Db, agreementId: string, periodIndex: number) {
  return db
    .select()
    .from(chargeAttempts)
    .where(
      and(eq(chargeAttempts.agreementId, agreementId), eq(chargeAttempts.periodIndex, periodIndex)),
    )
    .orderBy(chargeAttempts.attemptNo);
}

export async function findChargeAttemptByOutTradeNo(db: Db, outTradeNo: string) {
  const [row] = await db
    .select()
    .from(chargeAttempts)
    .where(eq(chargeAttempts.outTradeNo, outTradeNo));
  return row;
}

export interface AttemptOutcome {
  status: "succeeded" | "failed" | "unknown";
  tradeNo?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  /** A retryable decline: not again before this instant. Null: no retry. */
  nextRetryAt?: Date | null;
  at: Date;
}

export async function finishChargeAttempt(
  db: Db,
  id: string,
  result: AttemptOutcome,
): Promise<void> {
  await finishAttemptStatement.run(db, { attemptId: id, ...attemptOutcomeValues(result) });
}

type FinishAttemptValues = AttemptOutcomeValues & { attemptId: string };

const finishAttemptUpdate = (db: Db, slot: Slots<FinishAttemptValues>) =>
  db
    .update(chargeAttempts)
    .set({
      status: bind(slot.status, chargeAttempts.status),
      tradeNo: bind(slot.tradeNo, chargeAttempts.tradeNo),
      errorCode: bind(slot.errorCode, chargeAttempts.errorCode),
      errorMessage: bind(slot.errorMessage, chargeAttempts.errorMessage),
      nextRetryAt: bind(slot.nextRetryAt, chargeAttempts.nextRetryAt),
      finishedAt: bind(slot.finishedAt, chargeAttempts.finishedAt),
    })
    .where(eq(chargeAttempts.id, slot.attemptId));

const finishAttemptStatement = statement(finishAttemptUpdate);

/**
 * An Alipay exchange's log row and the attempt's outcome, in one statement (a data-modifying
 * CTE): both are written or neither, in one round trip — the billing run makes one per charge.
 */
export async function logAndFinishChargeAttempt(
  db: Db,
  log: NewDeductionLog,
  id: string,
  result: AttemptOutcome,
): Promise<void> {
  await logAndFinishStatement.run(db, {
    ...deductionLogValues(log),
    attemptId: id,
    ...attemptOutcomeValues(result),
  });
}

type AttemptOutcomeValues = ReturnType<typeof attemptOutcomeValues>;

function attemptOutcomeValues(result: AttemptOutcome) {
  return {
    status: result.status,
    tradeNo: result.tradeNo ?? null,
    errorCode: result.errorCode ?? null,
    errorMessage: result.errorMessage ?? null,
    nextRetryAt: result.nextRetryAt ?? null,
    finishedAt: result.status === "unknown" ? null : result.at,
  };
}

type DeductionLogValues = ReturnType<typeof deductionLogValues>;

function deductionLogValues(log: NewDeductionLog) {
  return {
    apiMethod: log.apiMethod,
    agreementId: log.agreementId ?? null,
    chargeAttemptId: log.chargeAttemptId ?? null,
    orderId: log.orderId ?? null,
    request: log.request ?? null,
    response: log.response ?? null,
    httpStatus: log.httpStatus ?? null,
    outcome: log.outcome,
    durationMs: log.durationMs ?? null,
  };
}

const logAndFinishStatement = statement(
  (db, slot: Slots<DeductionLogValues & FinishAttemptValues>) => {
    const finished = db
      .$with("finished")
      .as(finishAttemptUpdate(db, slot).returning({ id: chargeAttempts.id }));
    return db.with(finished).insert(deductionLogs).values(deductionLogSlots(slot));
  },
);

const deductionLogSlots = (slot: Slots<DeductionLogValues>) => ({
  provider: "alipay" as const,
  apiMethod: slot.apiMethod,
  agreementId: slot.agreementId,
  chargeAttemptId: slot.chargeAttemptId,
  orderId: slot.orderId,
  request: slot.request,
  response: slot.response,
  httpStatus: slot.httpStatus,
  outcome: slot.outcome,
  durationMs: slot.durationMs,
});

export type NewDeductionLog = Pick<
  typeof deductionLogs.$inferInsert,
  | "apiMethod"
  | "agreementId"
  | "chargeAttemptId"
  | "orderId"
  | "request"
  | "response"
  | "httpStatus"
  | "outcome"
  | "durationMs"
>;

export async function insertDeductionLog(db: Db, values: NewDeductionLog): Promise<void> {
  await insertDeductionLogStatement.run(db, deductionLogValues(values));
}

const insertDeductionLogStatement = statement((db, slot: Slots<DeductionLogValues>) =>
  db.insert(deductionLogs).values(deductionLogSlots(slot)),
);
