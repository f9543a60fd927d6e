import "server-only";
import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { agreements, chargeAttempts, deductionLogs, orders, payments } from "../schema";
import { deductionCodes } from "./deduction-codes";
import { selectAdminOrders } from "./orders";

/*
 * The admin's CSV exports read a date range in batches, each after the last row of the one
 * before (keyset pagination on (created_at, id), served by the `*_created_idx` indexes): a
 * batch costs the same at any depth, and nothing holds the whole range. The cursor's time is
 * PostgreSQL's own text of it (microseconds: a JS Date would round them, and rows created in
 * the same millisecond could be skipped or repeated).
 */

/** Half-open: from ≤ created_at < to. */
export interface ExportRange {
  from: Date;
  to: Date;
}

/** Where the last batch ended: its last row's creation time (PostgreSQL's text) and id. */
export interface ExportCursor<Id extends string | number> {
  createdAt: string;
  id: Id;
}

/** Rows created in the range and after the cursor (the caller orders by created_at, id). */
function inRangeAfter(
  createdAt: typeof orders.createdAt | typeof deductionLogs.createdAt,
  id: typeof orders.id | typeof deductionLogs.id,
  range: ExportRange,
  after: ExportCursor<string | number> | null,
) {
  return and(
    gte(createdAt, range.from),
    lt(createdAt, range.to),
    after ? sql`(${createdAt}, ${id}) > (${after.createdAt}::timestamptz, ${after.id})` : undefined,
  );
}

export async function orderExportBatch(
  db: Db,
  range: ExportRange,
  after: ExportCursor<string> | null,
  limit: number,
) {
  return (
    selectAdminOrders(db, {
      cursor: sql<string>`${orders.createdAt}::text`,
      providerTradeNo: payments.providerTradeNo,
    })
      // The paying trade (at most one: payments_order_paid_uq).
      .leftJoin(payments, and(eq(payments.orderId, orders.id), eq(payments.status, "paid")))
      .where(inRangeAfter(orders.createdAt, orders.id, range, after))
      .orderBy(asc(orders.createdAt), asc(orders.id))
      .limit(limit)
  );
}

export type OrderExportRow = Awaited<ReturnType<typeof orderExportBatch>>[number];

export async function deductionExportBatch(
  db: Db,
  range: ExportRange,
  after: ExportCursor<number> | null,
  limit: number,
) {
  return db
    .select({
      id: deductionLogs.id,
      cursor: sql<string>`${deductionLogs.createdAt}::text`,
      createdAt: deductionLogs.createdAt,
      apiMethod: deductionLogs.apiMethod,
      outcome: deductionLogs.outcome,
      httpStatus: deductionLogs.httpStatus,
      durationMs: deductionLogs.durationMs,
      ...deductionCodes,
      externalAgreementNo: agreements.externalAgreementNo,
      agreementNo: agreements.agreementNo,
      orderNo: orders.orderNo,
      attemptNo: chargeAttempts.attemptNo,
      amountFen: chargeAttempts.amountFen,
    })
    .from(deductionLogs)
    .leftJoin(agreements, eq(agreements.id, deductionLogs.agreementId))
    .leftJoin(orders, eq(orders.id, deductionLogs.orderId))
    .leftJoin(chargeAttempts, eq(chargeAttempts.id, deductionLogs.chargeAttemptId))
    .where(inRangeAfter(deductionLogs.createdAt, deductionLogs.id, range, after))
    .orderBy(asc(deductionLogs.createdAt), asc(deductionLogs.id))
    .limit(limit);
}

export type DeductionExportRow = Awaited<ReturnType<typeof deductionExportBatch>>[number];
