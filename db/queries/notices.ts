import "server-only";
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import {
  notices,
  noticeUnsubscribes,
  type Notice,
  type NoticeChannel,
  type NoticeKind,
} from "@/db/schema/notices";
import { shopNow } from "@/db/schema/shop-time";

/*
 * The outbox's SQL. Writers insert with `ON CONFLICT DO NOTHING` on
 * `notices_event_recipient_kind_uq`: a replayed event (a settlement repeated, a run retried)
 * writes nothing. Raw SQL sets the shop-time columns itself (shop-time.ts).
 */

/**
 * A notice to write: to a buyer (`to: "buyer"`: address and language read from the user row in
 * the same statement; nothing is written if the user is gone) or to the owner (`to: "owner"`:
 * the admin's address, resolved when sent, or the DingTalk robot).
 */
export type NewNotice = { id: string; kind: NoticeKind; eventKey: string; data: object } & (
  { to: "buyer"; userId: string } | { to: "owner"; channel: NoticeChannel; userId?: string | null }
);

/**
 * Writes the notices of one event in one statement (a payment's receipt and the owner's alert:
 * one round trip and one statement for the database, not one each). A notice already written for
 * the same (event, recipient, kind) is left as it is. Returns the ids written.
 */
export async function insertNotices(db: Db, list: readonly NewNotice[]): Promise<string[]> {
  if (list.length === 0) return [];
  const rows = list.map((n) => ({
    id: n.id,
    kind: n.kind,
    channel: n.to === "buyer" ? "email" : n.channel,
    event_key: n.eventKey,
    // null: the buyer's own address, read below.
    recipient: n.to === "buyer" ? null : n.channel === "dingtalk" ? "dingtalk" : "owner",
    user_id: n.userId ?? null,
    data: n.data,
  }));
  // The buyer's row by a lateral lookup kept apart (`offset 0`), so that it is an index lookup
  // row by row: as a join it was planned for the 100 rows PostgreSQL guesses a function
  // returns, and scanned every user (explain in docs/PERFORMANCE.md, pushes).
  const result = await db.execute(sql`
    with t as materialized (select ${shopNow()} as now)
    insert into notices (id, kind, channel, event_key, recipient, user_id, locale, data,
                         next_attempt_at, created_at, updated_at)
    select v.id, v.kind, v.channel, v.event_key, coalesce(v.recipient, b.email), v.user_id,
           coalesce(b.locale, 'zh-CN'), v.data, t.now, t.now, t.now
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
             as v(id text, kind text, channel text, event_key text, recipient text,
                  user_id text, data jsonb)
      cross join t
      left join lateral (
        select u.email,
               case when u.locale in ('zh-CN', 'en') then u.locale else 'zh-CN' end as locale
          from users u
         where v.recipient is null and u.id = v.user_id
        offset 0) b on true
     where v.recipient is not null or b.email is not null
    on conflict (event_key, recipient, kind) do nothing
    returning id`);
  return rowsOf<{ id: string }>(result).map((row) => row.id);
}

/**
 * "Auto-renewal cancelled" for an agreement that just ended, if it ever paid a period (an
 * agreement that never became a membership ends silently). Written in the transaction that
 * ended it; the buyer's address and language come from the user row.
 */
export async function insertAgreementEndedNotice(
  db: Db,
  n: { id: string; agreementId: string; eventKey: string; via: string },
): Promise<boolean> {
  const now = shopNow();
  const rows = await db.execute(sql`
    insert into notices (id, kind, channel, event_key, recipient, user_id, locale, data,
                         next_attempt_at, created_at, updated_at)
    select ${n.id}, 'auto_renew_cancelled', 'email', ${n.eventKey}, u.email, u.id,
           case when u.locale in ('zh-CN', 'en') then u.locale else 'zh-CN' end,
           jsonb_build_object('agreementId', a.id, 'via', ${n.via}::text), ${now}, ${now}, ${now}
      from agreements a
      join users u on u.id = a.user_id
     where a.id = ${n.agreementId}
       and a.paid_periods > 0
       and a.status in ('closed', 'unsigned')
    on conflict (event_key, recipient, kind) do nothing
    returning id`);
  return rowsOf(rows).length > 0;
}

// ---------------------------------------------------------------------------------------------
// The sender
// ---------------------------------------------------------------------------------------------

/**
 * Claims up to `limit` due notices for `leaseMs` (others skip them meanwhile): pending, due on
 * the shop's clock, not held by another sender. `channels` limits the claim (a shop without SMTP
 * claims no email). `FOR UPDATE SKIP LOCKED`: parallel senders take disjoint rows.
 */
export async function claimDueNotices(
  db: Db,
  options: { limit: number; leaseMs: number; channels: readonly NoticeChannel[] },
): Promise<Notice[]> {
  if (options.channels.length === 0) return [];
  const now = shopNow();
  const due = and(
    eq(notices.status, "pending"),
    lte(notices.nextAttemptAt, now),
    inArray(notices.channel, [...options.channels]),
    or(isNull(notices.claimedUntil), lt(notices.claimedUntil, now)),
  );
  // One statement (one round trip, no transaction of its own): the subquery locks the rows it
  // picks, skipping those another sender holds; the update re-checks them after the lock.
  const picked = db
    .select({ id: notices.id })
    .from(notices)
    .where(due)
    .orderBy(asc(notices.nextAttemptAt), asc(notices.id))
    .limit(options.limit)
    .for("update", { skipLocked: true });
  const claimed = await db
    .update(notices)
    .set({ claimedUntil: sql`${now} + ${options.leaseMs} * interval '1 millisecond'` })
    .where(and(inArray(notices.id, picked), due))
    .returning();
  // UPDATE … RETURNING keeps no order: the oldest due first, as picked.
  return claimed.sort(
    (a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || (a.id < b.id ? -1 : 1),
  );
}

/** Claimed and not tried (the sender's time ran out): free for the next sender at once. */
export async function releaseNotices(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(notices)
    .set({ claimedUntil: null })
    .where(and(inArray(notices.id, [...ids]), eq(notices.status, "pending")));
}

/** Sent: final. Conditional on the row still pending, so a resend in between is not undone. */
export async function markNoticeSent(
  db: Db,
  id: string,
  sent: { subject: string; messageId: string | null; data?: Record<string, unknown> },
): Promise<void> {
  await db
    .update(notices)
    .set({
      status: "sent",
      sentAt: shopNow(),
      subject: sent.subject,
      messageId: sent.messageId,
      claimedUntil: null,
      lastError: null,
      ...(sent.data ? { data: sent.data } : {}),
    })
    .where(and(eq(notices.id, id), eq(notices.status, "pending")));
}

/** Not sent and never will be (switched off, unsubscribed, no longer true…). */
export async function markNoticeSkipped(
  db: Db,
  id: string,
  reason: string,
  data?: Record<string, unknown>,
): Promise<void> {
  await db
    .update(notices)
    .set({ status: "skipped", skipReason: reason, claimedUntil: null, ...(data ? { data } : {}) })
    .where(and(eq(notices.id, id), eq(notices.status, "pending")));
}

/** A failed attempt: counted, retried after `retryInMs`, or `dead` (given up) when null. */
export async function markNoticeFailed(
  db: Db,
  id: string,
  failure: { error: string; retryInMs: number | null; subject?: string },
): Promise<void> {
  await db
    .update(notices)
    .set({
      status: failure.retryInMs === null ? "dead" : "pending",
      attempts: sql`${notices.attempts} + 1`,
      lastError: failure.error.slice(0, 1000),
      nextAttemptAt:
        failure.retryInMs === null
          ? sql`${notices.nextAttemptAt}`
          : sql`${shopNow()} + ${failure.retryInMs} * interval '1 millisecond'`,
      claimedUntil: null,
      ...(failure.subject ? { subject: failure.subject } : {}),
    })
    .where(and(eq(notices.id, id), eq(notices.status, "pending")));
}

/** Counts for the job's report and the start-up line: pending (due or not), dead. */
export async function noticeCounts(db: Db): Promise<{ pending: number; dead: number }> {
  const [row] = await db
    .select({
      pending: sql<number>`count(*) filter (where ${notices.status} = 'pending')::int`,
      dead: sql<number>`count(*) filter (where ${notices.status} = 'dead')::int`,
    })
    .from(notices);
  return { pending: row?.pending ?? 0, dead: row?.dead ?? 0 };
}

/** Buyers (of `userIds`) who left `category` by the one-click link. */
export async function unsubscribedUsers(
  db: Db,
  userIds: readonly string[],
  category: string,
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .select({ userId: noticeUnsubscribes.userId })
    .from(noticeUnsubscribes)
    .where(
      and(
        inArray(noticeUnsubscribes.userId, [...userIds]),
        eq(noticeUnsubscribes.category, category),
      ),
    );
  return new Set(rows.map((row) => row.userId));
}

/** Whether a notice of `kind` was written for `eventKey` (to anyone). */
export async function noticeWritten(db: Db, eventKey: string, kind: NoticeKind): Promise<boolean> {
  const [row] = await db
    .select({ id: notices.id })
    .from(notices)
    .where(and(eq(notices.eventKey, eventKey), eq(notices.kind, kind)))
    .limit(1);
  return row !== undefined;
}
