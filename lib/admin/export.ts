import "server-only";
import type { Db } from "@/db/client";
import {
  deductionExportBatch,
  orderExportBatch,
  type DeductionExportRow,
  type ExportRange,
  type ExportCursor,
  type OrderExportRow,
} from "@/db/queries/exports";
import type { Order } from "@/db/schema";
import { addDays, shanghaiDate, startOfShanghaiDate } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { moduleLogger } from "@/lib/logger";
import { csvAmount, csvInteger, csvLine, csvText, csvTime, CSV_BOM } from "./csv";

/*
 * The admin's CSV exports of orders and of deduction logs for a range of Asia/Shanghai dates,
 * streamed: each batch is read when the download wants more (a ReadableStream's `pull`), so a
 * range of any size holds one batch in memory. scripts/bench-export.ts measures it.
 */

const log = moduleLogger("admin-export");

export const EXPORT_KINDS = ["orders", "deductions"] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** Rows per database read. */
export const EXPORT_BATCH = 1_000;
/** The longest range one export may cover (a year and a day: a leap year's whole year). */
export const MAX_EXPORT_DAYS = 366;
/** Without a range: the last 30 days, today included. */
export const DEFAULT_EXPORT_DAYS = 30;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface ExportDates {
  /** Asia/Shanghai calendar dates, both included. */
  from: string;
  to: string;
  range: ExportRange;
}

function calendarDate(name: string, value: string): string {
  const [y, m, d] = value.split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  // A real date: 2026-02-30 passes the pattern, and Date would roll it over to March.
  const real = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
  if (!DATE.test(value) || !real) {
    throw new AppError("bad_request", `${name} must be a date as YYYY-MM-DD, got "${value}".`);
  }
  return value;
}

/**
 * `from` and `to` (Asia/Shanghai dates, both included) from the query string; the last 30 days
 * without them. A 400 with the reason for a malformed date, a reversed range or one longer than
 * a year.
 */
export function exportDates(params: URLSearchParams, now: Date): ExportDates {
  const today = shanghaiDate(now);
  const to = calendarDate("to", params.get("to") ?? today);
  const from = calendarDate("from", params.get("from") ?? addDays(to, 1 - DEFAULT_EXPORT_DAYS));
  if (from > to) throw new AppError("bad_request", `from (${from}) is after to (${to}).`);
  if (addDays(from, MAX_EXPORT_DAYS - 1) < to) {
    throw new AppError("bad_request", `A range covers at most ${MAX_EXPORT_DAYS} days.`);
  }
  return {
    from,
    to,
    range: { from: startOfShanghaiDate(from), to: startOfShanghaiDate(addDays(to, 1)) },
  };
}

/** The texts of an export: column headers and the labels of codes (the admin's language). */
export interface OrderExportLabels {
  headers: {
    orderNo: string;
    createdAt: string;
    paidAt: string;
    channel: string;
    status: string;
    statusCode: string;
    product: string;
    buyer: string;
    amount: string;
    providerTradeNo: string;
    period: string;
    note: string;
  };
  channel(order: Pick<Order, "provider" | "kind">): string;
  status(status: Order["status"]): string;
  productName(row: OrderExportRow): string;
}

export interface DeductionExportLabels {
  headers: {
    time: string;
    method: string;
    outcome: string;
    code: string;
    subCode: string;
    subMessage: string;
    httpStatus: string;
    durationMs: string;
    agreement: string;
    alipayAgreement: string;
    orderNo: string;
    attempt: string;
    amount: string;
  };
}

const orderHeader = (l: OrderExportLabels) =>
  csvLine(
    [
      l.headers.orderNo,
      l.headers.createdAt,
      l.headers.paidAt,
      l.headers.channel,
      l.headers.status,
      l.headers.statusCode,
      l.headers.product,
      l.headers.buyer,
      l.headers.amount,
      l.headers.providerTradeNo,
      l.headers.period,
      l.headers.note,
    ].map(csvText),
  );

const orderLine = (l: OrderExportLabels, row: OrderExportRow) =>
  csvLine([
    csvText(row.order.orderNo),
    csvTime(row.order.createdAt),
    csvTime(row.order.paidAt),
    csvText(l.channel(row.order)),
    csvText(l.status(row.order.status)),
    csvText(row.order.status),
    csvText(l.productName(row)),
    csvText(row.buyerEmail),
    csvAmount(row.order.amountFen),
    csvText(row.providerTradeNo),
    csvInteger(row.order.periodIndex),
    csvText(row.order.reviewReason),
  ]);

const deductionHeader = (l: DeductionExportLabels) =>
  csvLine(
    [
      l.headers.time,
      l.headers.method,
      l.headers.outcome,
      l.headers.code,
      l.headers.subCode,
      l.headers.subMessage,
      l.headers.httpStatus,
      l.headers.durationMs,
      l.headers.agreement,
      l.headers.alipayAgreement,
      l.headers.orderNo,
      l.headers.attempt,
      l.headers.amount,
    ].map(csvText),
  );

const deductionLine = (row: DeductionExportRow) =>
  csvLine([
    csvTime(row.createdAt),
    csvText(row.apiMethod),
    csvText(row.outcome),
    csvText(row.code),
    csvText(row.subCode),
    csvText(row.subMessage),
    csvInteger(row.httpStatus),
    csvInteger(row.durationMs),
    csvText(row.externalAgreementNo),
    csvText(row.agreementNo),
    csvText(row.orderNo),
    csvInteger(row.attemptNo),
    csvAmount(row.amountFen),
  ]);

/**
 * A byte stream of one CSV file, read from the database a batch at a time as it is consumed.
 * A database failure mid-way errors the stream (the download fails rather than ending short).
 */
function batchedCsv<Row>(
  header: string,
  next: (last: Row | null) => Promise<Row[]>,
  line: (row: Row) => string,
  batchSize: number,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let last: Row | null = null;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(CSV_BOM + header));
          return;
        }
        try {
          const rows = await next(last);
          if (rows.length > 0) {
            let text = "";
            for (const row of rows) text += line(row);
            controller.enqueue(encoder.encode(text));
            last = rows.at(-1)!;
          }
          if (rows.length < batchSize) controller.close();
        } catch (error) {
          log.error({ err: error }, "export failed mid-way");
          controller.error(error);
        }
      },
    },
    // One chunk waits at most: the next batch is read when the reader has taken it.
    { highWaterMark: 1 },
  );
}

export function orderCsv(
  db: Db,
  range: ExportRange,
  labels: OrderExportLabels,
  batchSize = EXPORT_BATCH,
): ReadableStream<Uint8Array> {
  const cursorOf = (row: OrderExportRow | null): ExportCursor<string> | null =>
    row && { createdAt: row.cursor, id: row.order.id };
  return batchedCsv<OrderExportRow>(
    orderHeader(labels),
    (last) => orderExportBatch(db, range, cursorOf(last), batchSize),
    (row) => orderLine(labels, row),
    batchSize,
  );
}

export function deductionCsv(
  db: Db,
  range: ExportRange,
  labels: DeductionExportLabels,
  batchSize = EXPORT_BATCH,
): ReadableStream<Uint8Array> {
  return batchedCsv<DeductionExportRow>(
    deductionHeader(labels),
    (last) =>
      deductionExportBatch(db, range, last && { createdAt: last.cursor, id: last.id }, batchSize),
    deductionLine,
    batchSize,
  );
}

/** `orders-2026-11-01_2026-11-30.csv` */
export function exportFileName(kind: ExportKind, dates: Pick<ExportDates, "from" | "to">): string {
  return `${kind}-${dates.from}_${dates.to}.csv`;
}
