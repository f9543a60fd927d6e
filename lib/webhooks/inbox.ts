import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookInbox, type WebhookInboxRow } from "@/db/schema";
import { newId } from "@/lib/ids";

type Provider = WebhookInboxRow["provider"];

export interface Delivery {
  provider: Provider;
  /** Provider event identity; null for deliveries that failed verification or parsing. */
  eventKey: string | null;
  eventType: string | null;
  signatureValid: boolean;
  headers: Record<string, string>;
  body: string;
}

function sanitized(delivery: Delivery): Delivery {
  return {
    ...delivery,
    eventKey: storable(delivery.eventKey),
    eventType: storable(delivery.eventType),
    body: storable(delivery.body),
  };
}

export interface Recorded {
  row: WebhookInboxRow;
  /** False when this event was recorded before (a redelivery): `row` is the first record. */
  isNew: boolean;
}

/**
 * PostgreSQL text cannot hold NUL; a delivery carrying one (raw, or as `\u0000` inside JSON)
 * must still be recorded, not crash the webhook with a 500. U+FFFD marks where it was.
 */
export function storable(text: string): string;
export function storable(text: string | null): string | null;
export function storable(text: string | null): string | null {
  return text === null ? null : text.replaceAll("\u0000", "\uFFFD");
}

/** Headers worth keeping for the record; cookies and authorization never are. */
const KEPT_HEADERS = [
  "content-type",
  "user-agent",
  "event-sign",
  "event-type",
  "client-id",
  "x-forwarded-for",
];

export function keptHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept[name] = storable(value.slice(0, 500));
  }
  return kept;
}

/**
 * Records a delivery durably before anything is acknowledged. One row per provider event: a
 * redelivery only bumps `deliveries` and returns the original row.
 */
export async function recordDelivery(db: Db, raw: Delivery): Promise<Recorded> {
  const delivery = sanitized(raw);
  const [inserted] = await db
    .insert(webhookInbox)
    .values({ id: newId("evt"), ...delivery })
    .onConflictDoNothing({ target: [webhookInbox.provider, webhookInbox.eventKey] })
    .returning();
  if (inserted) return { row: inserted, isNew: true };
  const [existing] = await db
    .update(webhookInbox)
    .set({ deliveries: sql`${webhookInbox.deliveries} + 1` })
    .where(
      and(
        eq(webhookInbox.provider, delivery.provider),
        eq(webhookInbox.eventKey, delivery.eventKey!),
      ),
    )
    .returning();
  if (!existing) throw new Error("recordDelivery: conflicting row vanished");
  return { row: existing, isNew: false };
}

/** Records a delivery that will never be applied (bad signature, malformed), with why. */
export async function recordRejected(
  db: Db,
  delivery: Omit<Delivery, "eventKey">,
  outcome: string,
): Promise<WebhookInboxRow> {
  const [row] = await db
    .insert(webhookInbox)
    .values({
      id: newId("evt"),
      ...sanitized({ ...delivery, eventKey: null }),
      status: "rejected",
      outcome: storable(outcome),
      processedAt: new Date(),
    })
    .returning();
  return row!;
}

export type ApplyStatus = "processed" | "ignored" | "failed";

export async function markApplied(
  db: Db,
  id: string,
  status: ApplyStatus,
  outcome: string,
  error?: string,
): Promise<void> {
  await db
    .update(webhookInbox)
    .set({
      status,
      outcome: storable(outcome),
      lastError: error === undefined ? null : storable(error),
      attempts: sql`${webhookInbox.attempts} + 1`,
      processedAt: status === "failed" ? null : new Date(),
    })
    .where(eq(webhookInbox.id, id));
}

/** Rows the reconcile job should (re)apply: never applied, or failed fewer than `maxAttempts`. */
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
