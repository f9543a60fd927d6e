import "server-only";
import { createHash } from "node:crypto";
import { and, asc, count, desc, eq, gte, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { bind, statement, type Slots } from "../statement";
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
  | "bodyBytes"
  | "bodySha256"
  | "clientAddress"
  | "receivedAt"
> & { headers?: Record<string, string> | null };

/**
 * The most any stored text of an inbox row may hold: whatever a sender puts in a push, a row
 * stays small (a forged `type` of 8 MB once made the admin page 8 MB). The body is capped by the
 * caller (whole for verified deliveries, the first KiB for rejected ones).
 */
export const INBOX_TEXT_CAPS = {
  eventType: 100,
  eventKey: 200,
  outcome: 200,
  lastError: 2_000,
  headerValue: 256,
  headers: 16,
  clientAddress: 100,
} as const;

function cap(text: string, max: number): string;
function cap(text: string | null | undefined, max: number): string | null;
function cap(text: string | null | undefined, max: number): string | null {
  if (text == null) return null;
  return text.length <= max ? text : text.slice(0, max);
}

/**
 * An event key longer than its cap is replaced by its hash rather than cut, so two long keys
 * that share a prefix stay two events.
 */
function capKey(key: string): string {
  if (key.length <= INBOX_TEXT_CAPS.eventKey) return key;
  return `sha256:${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

function capHeaders(headers: Record<string, string> | null | undefined) {
  if (headers == null) return headers;
  const entries = Object.entries(headers).slice(0, INBOX_TEXT_CAPS.headers);
  return Object.fromEntries(
    entries.map(([k, v]) => [
      cap(k, INBOX_TEXT_CAPS.headerValue),
      cap(v, INBOX_TEXT_CAPS.headerValue),
    ]),
  );
}

function capped<T extends NewInboxRow>(values: T): T {
  return {
    ...values,
    eventType: cap(values.eventType, INBOX_TEXT_CAPS.eventType),
    eventKey: values.eventKey == null ? values.eventKey : capKey(values.eventKey),
    headers: capHeaders(values.headers),
    clientAddress: cap(values.clientAddress, INBOX_TEXT_CAPS.clientAddress),
  };
}

/**
 * Inserts a verified delivery under its event key; a redelivery of a recorded event only bumps
 * `deliveries` and returns the first record.
 */
export async function insertOrCountDelivery(
  db: Db,
  values: NewInboxRow & { eventKey: string; receivedAt: Date },
): Promise<{ row: WebhookInboxRow; isNew: boolean }> {
  const row = capped(values);
  const [inserted] = await insertDelivery.run(db, {
    id: row.id,
    provider: row.provider,
    eventKey: row.eventKey,
    eventType: row.eventType ?? null,
    signatureValid: row.signatureValid,
    headers: row.headers ?? null,
    body: row.body,
    bodyBytes: row.bodyBytes ?? null,
    bodySha256: row.bodySha256 ?? null,
    clientAddress: row.clientAddress ?? null,
    receivedAt: row.receivedAt,
  });
  if (inserted) return { row: inserted, isNew: true };
  const [existing] = await countRedelivery.run(db, {
    provider: row.provider,
    eventKey: row.eventKey,
  });
  if (!existing) throw new Error("insertOrCountDelivery: conflicting row vanished");
  return { row: existing, isNew: false };
}

// Every verified delivery runs these: built once (db/statement.ts).
const insertDelivery = statement(
  (
    db,
    slot: Slots<{
      id: string;
      provider: Provider;
      eventKey: string;
      eventType: string | null;
      signatureValid: boolean;
      headers: Record<string, string> | null;
      body: string;
      bodyBytes: number | null;
      bodySha256: string | null;
      clientAddress: string | null;
      receivedAt: Date;
    }>,
  ) =>
    db
      .insert(webhookInbox)
      .values({
        id: slot.id,
        provider: slot.provider,
        eventKey: slot.eventKey,
        eventType: slot.eventType,
        signatureValid: slot.signatureValid,
        headers: slot.headers,
        body: slot.body,
        bodyBytes: slot.bodyBytes,
        bodySha256: slot.bodySha256,
        clientAddress: slot.clientAddress,
        receivedAt: slot.receivedAt,
      })
      .onConflictDoNothing({ target: [webhookInbox.provider, webhookInbox.eventKey] })
      .returning(),
);

const countRedelivery = statement((db, slot: Slots<{ provider: Provider; eventKey: string }>) =>
  db
    .update(webhookInbox)
    .set({ deliveries: sql`${webhookInbox.deliveries} + 1` })
    .where(and(eq(webhookInbox.provider, slot.provider), eq(webhookInbox.eventKey, slot.eventKey)))
    .returning(),
);

/**
 * A delivery that will never be applied (bad signature, malformed), kept for the record: the
 * caller passes only the first KiB of its body, its size and its hash.
 */
export async function insertRejected(
  db: Db,
  values: NewInboxRow & { outcome: string; processedAt: Date },
): Promise<WebhookInboxRow> {
  const [row] = await db
    .insert(webhookInbox)
    .values({
      ...capped(values),
      outcome: cap(values.outcome, INBOX_TEXT_CAPS.outcome),
      eventKey: null,
      status: "rejected",
    })
    .returning();
  if (!row) throw new Error("insertRejected: no row returned");
  return row;
}

/**
 * Rejected deliveries recorded from one client address since `since`, counted up to `atMost`
 * (the count stops there: the caller only needs to know whether the limit is reached). Read from
 * the table, so the limit holds across instances.
 */
export async function countRecentRejected(
  db: Db,
  clientAddress: string,
  since: Date,
  atMost: number,
): Promise<number> {
  const recent = db
    .select({ id: webhookInbox.id })
    .from(webhookInbox)
    .where(
      and(
        eq(webhookInbox.status, "rejected"),
        eq(webhookInbox.clientAddress, cap(clientAddress, INBOX_TEXT_CAPS.clientAddress)),
        gte(webhookInbox.receivedAt, since),
      ),
    )
    .limit(atMost)
    .as("recent");
  const [row] = await db.select({ n: count() }).from(recent);
  return row?.n ?? 0;
}

/**
 * Deletes up to `limit` rejected rows received before `before` (oldest first) and returns how
 * many went; the reconcile job calls it every run, so a bounded batch keeps up.
 */
export async function pruneRejected(
  db: Db,
  options: { before: Date; limit: number },
): Promise<number> {
  const oldest = db
    .select({ id: webhookInbox.id })
    .from(webhookInbox)
    .where(and(eq(webhookInbox.status, "rejected"), lt(webhookInbox.receivedAt, options.before)))
    .orderBy(asc(webhookInbox.receivedAt))
    .limit(options.limit);
  const deleted = await db
    .delete(webhookInbox)
    .where(inArray(webhookInbox.id, oldest))
    .returning({ id: webhookInbox.id });
  return deleted.length;
}

/** Settled outcomes of one attempt to apply a recorded event. */
export type AttemptStatus = "processed" | "ignored" | "failed" | "dead";

export async function recordAttempt(
  db: Db,
  id: string,
  attempt: { status: AttemptStatus; outcome: string; error: string | null; at: Date },
): Promise<void> {
  await recordAttemptStatement.run(db, {
    id,
    status: attempt.status,
    outcome: cap(attempt.outcome, INBOX_TEXT_CAPS.outcome),
    lastError: cap(attempt.error, INBOX_TEXT_CAPS.lastError),
    // A failed row is still open: it has been attempted but not finished with.
    processedAt: attempt.status === "failed" ? null : attempt.at,
  });
}

// Run once per applied event, by the webhooks and the reconcile job: built once.
const recordAttemptStatement = statement(
  (
    db,
    slot: Slots<{
      id: string;
      status: AttemptStatus;
      outcome: string;
      lastError: string | null;
      processedAt: Date | null;
    }>,
  ) =>
    db
      .update(webhookInbox)
      .set({
        status: bind(slot.status, webhookInbox.status),
        outcome: bind(slot.outcome, webhookInbox.outcome),
        lastError: bind(slot.lastError, webhookInbox.lastError),
        attempts: sql`${webhookInbox.attempts} + 1`,
        processedAt: bind(slot.processedAt, webhookInbox.processedAt),
        // The attempt is recorded: a reconcile run's lease on the row ends here.
        claimedUntil: null,
      })
      .where(eq(webhookInbox.id, slot.id)),
);

export async function findInboxRow(db: Db, id: string): Promise<WebhookInboxRow | undefined> {
  const [row] = await db.select().from(webhookInbox).where(eq(webhookInbox.id, id));
  return row;
}

/**
 * Claims rows to (re)apply — never applied, or failed fewer than `maxAttempts` times, and not
 * leased by another run — oldest first, leasing them until `now + leaseMs`. The candidates are
 * read first, then taken with a conditional UPDATE that re-checks the lease on each row: under
 * concurrency PostgreSQL re-evaluates that condition on the row's latest version, so a row goes
 * to one run only; a run that lost some candidates to another reads again (a few rounds). (Not
 * `UPDATE … WHERE id IN (SELECT … LIMIT … FOR UPDATE SKIP LOCKED)`: depending on the plan the
 * subquery is re-run per row and the UPDATE takes more rows than the limit.) The lease, not a
 * transaction, covers the apply (which calls the provider over HTTP); it ends when the attempt is
 * recorded (`recordAttempt`) or released (`releaseClaims`), or runs out if the run dies.
 */
export async function claimUnapplied(
  db: Db,
  provider: Provider,
  options: { limit: number; maxAttempts: number; now: Date; leaseMs: number },
): Promise<WebhookInboxRow[]> {
  const open = and(
    eq(webhookInbox.provider, provider),
    inArray(webhookInbox.status, ["received", "failed"]),
    lt(webhookInbox.attempts, options.maxAttempts),
    or(isNull(webhookInbox.claimedUntil), lt(webhookInbox.claimedUntil, options.now)),
  );
  const claimedUntil = new Date(options.now.getTime() + options.leaseMs);
  const claimed: WebhookInboxRow[] = [];
  for (let round = 0; round < 3 && claimed.length < options.limit; round++) {
    const candidates = await db
      .select({ id: webhookInbox.id })
      .from(webhookInbox)
      .where(open)
      .orderBy(asc(webhookInbox.receivedAt), asc(webhookInbox.id))
      .limit(options.limit - claimed.length);
    if (candidates.length === 0) break;
    const won = await db
      .update(webhookInbox)
      .set({ claimedUntil })
      .where(
        and(
          inArray(
            webhookInbox.id,
            candidates.map((c) => c.id),
          ),
          open,
        ),
      )
      .returning();
    claimed.push(...won);
    // Every candidate taken: nobody else was claiming; no need to read again.
    if (won.length === candidates.length) break;
  }
  // RETURNING keeps no order.
  return claimed.sort(
    (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.id.localeCompare(b.id),
  );
}

/** Gives back claimed rows a run did not get to, so the next run need not wait for the lease. */
export async function releaseClaims(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.update(webhookInbox).set({ claimedUntil: null }).where(inArray(webhookInbox.id, ids));
}

/** What the admin list shows of a row: never the body, only capped fields. */
export type InboxListRow = Pick<
  WebhookInboxRow,
  | "id"
  | "provider"
  | "eventType"
  | "status"
  | "outcome"
  | "lastError"
  | "deliveries"
  | "receivedAt"
  | "signatureValid"
  | "bodyBytes"
>;

export const INBOX_PAGE_SIZE = 50;

/**
 * One page of the inbox, newest first (offset pagination: the admin pages through by number,
 * and rejected rows are pruned after 7 days, so offsets stay small). `hasMore` says whether a
 * next page exists.
 */
export async function listInbox(
  db: Db,
  filter: { status?: InboxStatus; page?: number; pageSize?: number } = {},
): Promise<{ rows: InboxListRow[]; hasMore: boolean }> {
  const pageSize = filter.pageSize ?? INBOX_PAGE_SIZE;
  const page = Math.max(1, Math.floor(filter.page ?? 1));
  const rows = await db
    .select({
      id: webhookInbox.id,
      provider: webhookInbox.provider,
      eventType: webhookInbox.eventType,
      status: webhookInbox.status,
      outcome: webhookInbox.outcome,
      lastError: webhookInbox.lastError,
      deliveries: webhookInbox.deliveries,
      receivedAt: webhookInbox.receivedAt,
      signatureValid: webhookInbox.signatureValid,
      bodyBytes: webhookInbox.bodyBytes,
    })
    .from(webhookInbox)
    .where(filter.status ? eq(webhookInbox.status, filter.status) : undefined)
    .orderBy(desc(webhookInbox.receivedAt), desc(webhookInbox.id))
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize);
  return { rows: rows.slice(0, pageSize), hasMore: rows.length > pageSize };
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
