import "server-only";
import { createHash } from "node:crypto";
import type { Db } from "@/db/client";
import {
  countRecentRejected,
  insertOrCountDelivery,
  insertRejected,
  pruneRejected,
  recordAttempt,
} from "@/db/queries/webhook-inbox";
import type { WebhookInboxRow } from "@/db/schema";
import { newId } from "@/lib/ids";

type Provider = WebhookInboxRow["provider"];

export interface Delivery {
  provider: Provider;
  eventType: string | null;
  signatureValid: boolean;
  headers: Record<string, string>;
  body: string;
  /** Where it came from (lib/http/client-ip.ts): rejected deliveries are limited per address. */
  clientAddress?: string;
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
    if (value !== null) kept[name] = storable(value.slice(0, 256));
  }
  return kept;
}

/** How much of a rejected delivery's body is kept: enough to see what it was, no more. */
export const REJECTED_BODY_BYTES = 1024;
/** Rejected deliveries stored per client address and minute; beyond it they are not stored. */
export const REJECTED_PER_CLIENT_PER_MINUTE = 20;

function storableDelivery(delivery: Delivery, keepBytes?: number) {
  const bytes = Buffer.from(delivery.body, "utf8");
  const kept =
    keepBytes === undefined || bytes.length <= keepBytes
      ? delivery.body
      : // A character cut in half becomes U+FFFD: the excerpt is for reading, the hash is exact.
        bytes.subarray(0, keepBytes).toString("utf8");
  return {
    ...delivery,
    eventType: storable(delivery.eventType),
    body: storable(kept),
    bodyBytes: bytes.length,
    bodySha256: createHash("sha256").update(bytes).digest("hex"),
  };
}

/**
 * Records a verified delivery durably before anything is acknowledged. One row per provider
 * event: a redelivery only bumps `deliveries` and returns the original row.
 */
export async function recordDelivery(
  db: Db,
  delivery: Delivery & { eventKey: string },
  receivedAt: Date,
): Promise<Recorded> {
  return insertOrCountDelivery(db, {
    id: newId("evt"),
    ...storableDelivery(delivery),
    clientAddress: storable(delivery.clientAddress ?? null),
    eventKey: storable(delivery.eventKey),
    receivedAt,
  });
}

/**
 * Records a verified delivery the shop cannot read (the provider signed it, so refusing it would
 * only bring it back): kept whole, finished with as `ignored` with the reason, never applied.
 * A redelivery only bumps `deliveries`.
 */
export async function recordUnreadable(
  db: Db,
  delivery: Delivery & { eventKey: string },
  reason: string,
  receivedAt: Date,
): Promise<Recorded> {
  const recorded = await recordDelivery(db, delivery, receivedAt);
  if (recorded.isNew) {
    await recordAttempt(db, recorded.row.id, {
      status: "ignored",
      outcome: storable(`unreadable: ${reason}`),
      error: null,
      at: receivedAt,
    });
  }
  return recorded;
}

/**
 * Records a delivery that will never be applied (bad signature, malformed), with why — in part:
 * its size, hash, kept headers and first KiB. Past {@link REJECTED_PER_CLIENT_PER_MINUTE} from
 * one client address in the last minute nothing is stored (returns null): a flood of forgeries
 * costs the database a bounded number of small rows. The count and the insert are two
 * statements, so parallel floods may overshoot the limit by their concurrency, no more.
 */
export async function recordRejected(
  db: Db,
  delivery: Delivery & { clientAddress: string },
  outcome: string,
  receivedAt: Date,
): Promise<WebhookInboxRow | null> {
  const since = new Date(receivedAt.getTime() - 60_000);
  const recent = await countRecentRejected(
    db,
    storable(delivery.clientAddress),
    since,
    REJECTED_PER_CLIENT_PER_MINUTE,
  );
  if (recent >= REJECTED_PER_CLIENT_PER_MINUTE) return null;
  return insertRejected(db, {
    id: newId("evt"),
    ...storableDelivery(delivery, REJECTED_BODY_BYTES),
    clientAddress: storable(delivery.clientAddress),
    outcome: storable(outcome),
    receivedAt,
    processedAt: receivedAt,
  });
}

/** How long rejected deliveries are kept for the owner to look at (issue #11: 30 days). */
export const REJECTED_RETENTION_DAYS = 30;
/** Rejected rows deleted per reconcile run at most (runs every 5 minutes: ample). */
export const REJECTED_PRUNE_BATCH = 1_000;

/** Deletes rejected deliveries older than the retention, one bounded batch; returns how many. */
export async function pruneRejectedDeliveries(db: Db, now: Date): Promise<number> {
  return pruneRejected(db, {
    before: new Date(now.getTime() - REJECTED_RETENTION_DAYS * 86_400_000),
    limit: REJECTED_PRUNE_BATCH,
  });
}
