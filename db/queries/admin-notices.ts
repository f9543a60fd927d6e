import "server-only";
import {
  and,
  count,
  desc,
  eq,
  getTableColumns,
  gte,
  inArray,
  like,
  lt,
  ne,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import type { Db } from "../client";
import {
  NOTICE_STATUSES,
  notices,
  type Notice,
  type NoticeChannel,
  type NoticeKind,
  type NoticeStatus,
} from "../schema";
import { shopNow } from "../schema/shop-time";
import { prefixPattern } from "./like";

/*
 * The owner's outbox (/admin/notices, GET /api/admin/notices): every notice, newest first, by
 * keyset pages on (created_at, id) — `notices_created_idx` — and the one thing the owner does to
 * a notice: send it again.
 */

export interface AdminNoticeFilter {
  status?: NoticeStatus;
  kind?: NoticeKind;
  channel?: NoticeChannel;
  /** The beginning of the recipient (addresses are stored lower-cased; `owner`, `dingtalk`). */
  recipient?: string;
  /** Created at or after this instant. */
  from?: Date;
  /** Created before this instant. */
  to?: Date;
  /** The last row of the previous page: its exact time (microseconds, `sortKey`) and id. */
  after?: { at: string; id: string };
  limit: number;
}

export type AdminNoticeListRow = Omit<Notice, "data" | "lastError"> & {
  /** The start of the error (the detail page shows all of it). */
  lastError: string | null;
  /** `created_at` to the microsecond (the next page's cursor; a JS Date keeps milliseconds). */
  sortKey: string;
};

/** One page (`limit` rows, plus one to tell whether another page follows). */
export async function listAdminNotices(
  db: Db,
  filter: AdminNoticeFilter,
): Promise<{ rows: AdminNoticeListRow[]; hasMore: boolean }> {
  const conditions: (SQL | undefined)[] = [
    filter.status ? eq(notices.status, filter.status) : undefined,
    filter.kind ? eq(notices.kind, filter.kind) : undefined,
    filter.channel ? eq(notices.channel, filter.channel) : undefined,
    filter.recipient
      ? like(notices.recipient, prefixPattern(filter.recipient.toLowerCase()))
      : undefined,
    filter.from ? gte(notices.createdAt, filter.from) : undefined,
    filter.to ? lt(notices.createdAt, filter.to) : undefined,
    filter.after
      ? or(
          lt(notices.createdAt, sql`${filter.after.at}::timestamptz`),
          and(
            eq(notices.createdAt, sql`${filter.after.at}::timestamptz`),
            lt(notices.id, filter.after.id),
          ),
        )
      : undefined,
  ];
  const { data: _data, lastError: _lastError, ...columns } = getTableColumns(notices);
  const rows = await db
    .select({
      ...columns,
      lastError: sql<string | null>`left(${notices.lastError}, 300)`,
      sortKey: sql<string>`to_char(${notices.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(notices)
    .where(and(...conditions))
    .orderBy(desc(notices.createdAt), desc(notices.id))
    .limit(filter.limit + 1);
  return { rows: rows.slice(0, filter.limit), hasMore: rows.length > filter.limit };
}

/** How many notices are in each status (every status present, zero when none). */
export async function countNoticesByStatus(db: Db): Promise<Record<NoticeStatus, number>> {
  const rows = await db
    .select({ status: notices.status, n: count() })
    .from(notices)
    .groupBy(notices.status);
  const counts = Object.fromEntries(NOTICE_STATUSES.map((s) => [s, 0])) as Record<
    NoticeStatus,
    number
  >;
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

export async function findNotice(db: Db, id: string): Promise<Notice | undefined> {
  const [row] = await db.select().from(notices).where(eq(notices.id, id));
  return row;
}

/** The statuses an owner may send again: given up on, skipped, or sent (a lost mail). */
export const RESENDABLE: readonly NoticeStatus[] = ["dead", "skipped", "sent"];

/**
 * Kinds never sent again: a password reset's token is gone once its mail was sent (only its
 * hash is kept), and a new one is the buyer's to ask for.
 */
export const NEVER_RESENT: readonly NoticeKind[] = ["password_reset"];

/**
 * Puts a notice back in the queue as if new: pending, due now on the shop's clock, no attempts,
 * no error, no skip, not sent. Conditional on the status it had when read (`fromStatus`): of two
 * clicks (or an owner and the sender) only one changes the row. Undefined when nothing changed.
 */
export async function requeueNotice(
  db: Db,
  id: string,
  fromStatus: NoticeStatus,
): Promise<Notice | undefined> {
  if (!RESENDABLE.includes(fromStatus)) return undefined;
  const [row] = await db
    .update(notices)
    .set({
      status: "pending",
      attempts: 0,
      nextAttemptAt: shopNow(),
      claimedUntil: null,
      lastError: null,
      skipReason: null,
      sentAt: null,
      messageId: null,
    })
    .where(
      and(
        eq(notices.id, id),
        eq(notices.status, fromStatus),
        inArray(notices.status, [...RESENDABLE]),
        ...NEVER_RESENT.map((kind) => ne(notices.kind, kind)),
      ),
    )
    .returning();
  return row;
}
