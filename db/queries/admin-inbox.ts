import "server-only";
import { and, desc, eq, inArray, isNull, like, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { webhookInbox, type WebhookInboxRow } from "../schema";
import type { InboxStatus } from "./webhook-inbox";

/*
 * The admin's webhook inbox (/admin/webhooks, GET /api/admin/webhook-events): every delivery,
 * newest first, by keyset pages on (received_at, id); never the body in a list.
 */

export interface AdminInboxFilter {
  provider?: "youzan" | "alipay";
  status?: InboxStatus;
  /** An event kind: Youzan's `type`, or Alipay's `notify_type` (stored as `<endpoint>:<type>`). */
  kind?: string;
  /** The last row of the previous page. */
  /** The last row of the previous page: its exact time (microseconds, `sortKey`) and id. */
  after?: { at: string; id: string };
  limit: number;
}

export type AdminInboxListRow = Pick<
  WebhookInboxRow,
  | "id"
  | "provider"
  | "eventType"
  | "signatureValid"
  | "status"
  | "outcome"
  | "attempts"
  | "deliveries"
  | "lastError"
  | "receivedAt"
  | "processedAt"
  | "bodyBytes"
> & {
  /** `received_at` to the microsecond (the next page's cursor; a JS Date keeps milliseconds). */
  sortKey: string;
};

/** A timestamptz as UTC ISO text with microseconds: an exact keyset cursor. */
function exactTime(column: typeof webhookInbox.receivedAt): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** One page (`limit` rows, plus one to tell whether another page follows). */
export async function listAdminInbox(
  db: Db,
  filter: AdminInboxFilter,
): Promise<{ rows: AdminInboxListRow[]; hasMore: boolean }> {
  const conditions: (SQL | undefined)[] = [
    filter.provider ? eq(webhookInbox.provider, filter.provider) : undefined,
    filter.status ? eq(webhookInbox.status, filter.status) : undefined,
    filter.kind
      ? or(
          eq(webhookInbox.eventType, filter.kind),
          like(webhookInbox.eventType, `%:${escapeLike(filter.kind)}`),
        )
      : undefined,
    filter.after
      ? or(
          lt(webhookInbox.receivedAt, sql`${filter.after.at}::timestamptz`),
          and(
            eq(webhookInbox.receivedAt, sql`${filter.after.at}::timestamptz`),
            lt(webhookInbox.id, filter.after.id),
          ),
        )
      : undefined,
  ];
  const rows = await db
    .select({
      id: webhookInbox.id,
      provider: webhookInbox.provider,
      eventType: webhookInbox.eventType,
      signatureValid: webhookInbox.signatureValid,
      status: webhookInbox.status,
      outcome: webhookInbox.outcome,
      attempts: webhookInbox.attempts,
      deliveries: webhookInbox.deliveries,
      // The list shows the start of the error; the detail page all of it.
      lastError: sql<string | null>`left(${webhookInbox.lastError}, 300)`,
      receivedAt: webhookInbox.receivedAt,
      processedAt: webhookInbox.processedAt,
      bodyBytes: webhookInbox.bodyBytes,
      sortKey: exactTime(webhookInbox.receivedAt),
    })
    .from(webhookInbox)
    .where(and(...conditions))
    .orderBy(desc(webhookInbox.receivedAt), desc(webhookInbox.id))
    .limit(filter.limit + 1);
  return { rows: rows.slice(0, filter.limit), hasMore: rows.length > filter.limit };
}

export async function findAdminInboxRow(db: Db, id: string): Promise<WebhookInboxRow | undefined> {
  const [row] = await db.select().from(webhookInbox).where(eq(webhookInbox.id, id));
  return row;
}

/** The statuses an admin may process again: the ones the shop gave up on or has not yet cured. */
export const REPROCESSABLE: readonly InboxStatus[] = ["failed", "dead"];

/**
 * Takes a failed or dead row for one manual attempt: leased like a reconcile run's claim, so the
 * job does not apply it at the same moment (recording the attempt ends the lease). Undefined
 * when the row is not there, not failed/dead, or leased by a run right now.
 */
export async function claimForReprocess(
  db: Db,
  id: string,
  options: { now: Date; leaseMs: number },
): Promise<WebhookInboxRow | undefined> {
  const [row] = await db
    .update(webhookInbox)
    .set({ claimedUntil: new Date(options.now.getTime() + options.leaseMs) })
    .where(
      and(
        eq(webhookInbox.id, id),
        inArray(webhookInbox.status, [...REPROCESSABLE]),
        eq(webhookInbox.signatureValid, true),
        or(isNull(webhookInbox.claimedUntil), lt(webhookInbox.claimedUntil, options.now)),
      ),
    )
    .returning();
  return row;
}
