import "server-only";
import type { Db } from "@/db/client";
import { insertOrCountDelivery, insertRejected } from "@/db/queries/webhook-inbox";
import type { WebhookInboxRow } from "@/db/schema";
import { newId } from "@/lib/ids";

type Provider = WebhookInboxRow["provider"];

export interface Delivery {
  provider: Provider;
  eventType: string | null;
  signatureValid: boolean;
  headers: Record<string, string>;
  body: string;
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

function storableDelivery(delivery: Delivery) {
  return { ...delivery, eventType: storable(delivery.eventType), body: storable(delivery.body) };
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
    eventKey: storable(delivery.eventKey),
    receivedAt,
  });
}

/** Records a delivery that will never be applied (bad signature, malformed), with why. */
export async function recordRejected(
  db: Db,
  delivery: Delivery,
  outcome: string,
  receivedAt: Date,
): Promise<WebhookInboxRow> {
  return insertRejected(db, {
    id: newId("evt"),
    ...storableDelivery(delivery),
    outcome: storable(outcome),
    receivedAt,
    processedAt: receivedAt,
  });
}
