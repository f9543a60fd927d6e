import "server-only";
import { and, asc, count, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { inboxStatus, webhookInbox, type WebhookInboxRow } from "../schema";

export type InboxStatus = (typeof inboxStatus.enumValues)[number];
type Provider = WebhookInboxRow["provider"];

export function toInboxStatus(value: unknown): InboxStatus | undefined {
  return inboxStatus.enumValues.find((s) => s === value);
}

export type NewInboxRow = Pick<
  typeof webhookInbox.$inferInsert,
  | "id"
  | "provider"
  | "eventKey"
  | "eventType"
  | "signatureValid"
  | "headers"
  | "body"
  | "receivedAt"
>;

/**
 * Inserts a verified delivery under its event key; a redelivery of a recorded event only bumps
 * `deliveries` and returns the first record.
 */
export async function insertOrCountDelivery(
  db: Db,
  values: NewInboxRow & { eventKey: string },
): Promise<{ row: WebhookInboxRow; isNew: boolean }> {
  const [inserted] = await db
    .insert(webhookInbox)
    .values(values)
    .onConflictDoNothing({ target: [webhookInbox.provider, webhookInbox.eventKey] })
    .returning();
  if (inserted) return { row: inserted, isNew: true };
  const [existing] = await db
    .update(webhookInbox)
    .set({ deliveries: sql`${webhookInbox.deliveries} + 1` })
    .where(
      and(eq(webhookInbox.provider, values.provider), eq(webhookInbox.eventKey, values.eventKey)),
    )
    .returning();
  if (!existing) throw new Error("insertOrCountDelivery: conflicting row vanished");
  return { row: existing, isNew: false };
}

/** A delivery that will never be applied (bad signature, malformed), kept for the record. */
export async function insertRejected(
  db: Db,
  values: NewInboxRow & { outcome: string; processedAt: Date },
): Promise<WebhookInboxRow> {
  const [row] = await db
    .insert(webhookInbox)
    .values({ ...values, eventKey: null, status: "rejected" })
    .returning();
  if (!row) throw new Error("insertRejected: no row returned");
  return row;
}

/** Settled outcomes of one attempt to apply a recorded event. */
export type AttemptStatus = "processed" | "ignored" | "failed" | "dead";

export async function recordAttempt(
  db: Db,
  id: string,
  attempt: { status: AttemptStatus; outcome: string; error: string | null; at: Date },
): Promise<void> {
  await db
    .update(webhookInbox)
    .set({
      status: attempt.status,
      outcome: attempt.outcome,
      lastError: attempt.error,
      attempts: sql`${webhookInbox.attempts} + 1`,
      // A failed row is still open: it has been attempted but not finished with.
      processedAt: attempt.status === "failed" ? null : attempt.at,
    })
    .where(eq(webhookInbox.id, id));
}

export async function findInboxRow(db: Db, id: string): Promise<WebhookInboxRow | undefined> {
  const [row] = await db.select().from(webhookInbox).where(eq(webhookInbox.id, id));
  return row;
}

/** Rows to (re)apply: never applied, or failed fewer than `maxAttempts` times; oldest first. */
export async function listUnapplied(
  db: Db,
  provider: Provider,
  options: { limit: number; maxAttempts: number },
): Promise<WebhookInboxRow[]> {
  return db
    .select()
    .from(webhookInbox)
    .where(
      and(
        eq(webhookInbox.provider, provider),
        inArray(webhookInbox.status, ["received", "failed"]),
        lt(webhookInbox.attempts, options.maxAttempts),
      ),
    )
    .orderBy(asc(webhookInbox.receivedAt))
    .limit(options.limit);
}

export async function listInbox(
  db: Db,
  filter: { status?: InboxStatus; limit?: number } = {},
): Promise<WebhookInboxRow[]> {
  return db
    .select()
    .from(webhookInbox)
    .where(filter.status ? eq(webhookInbox.status, filter.status) : undefined)
    .orderBy(desc(webhookInbox.receivedAt))
    .limit(filter.limit ?? 100);
}

/** Rows per status, every status present (zero when none): the inbox's health at a glance. */
export async function countInboxByStatus(db: Db): Promise<Record<InboxStatus, number>> {
  const rows = await db
    .select({ status: webhookInbox.status, n: count() })
    .from(webhookInbox)
    .groupBy(webhookInbox.status);
  const counts = Object.fromEntries(inboxStatus.enumValues.map((s) => [s, 0])) as Record<
    InboxStatus,
    number
  >;
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}
