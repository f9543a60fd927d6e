import "server-only";
import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { inboxStatus, paymentProvider } from "./enums";
import { insertedAt, tstz } from "./shop-time";

/**
 * Provider notifications, recorded before they are acknowledged. `event_key` is the provider's
 * event identity (Youzan msg_id, Alipay notify_id); deliveries that fail verification have none
 * and are kept for the record only — and only in part: their size, hash, kept headers and first
 * KiB (`body`), so that forged pushes cannot fill the database. Every text is capped on write
 * (db/queries/webhook-inbox.ts).
 */
export const webhookInbox = pgTable(
  "webhook_inbox",
  {
    id: text("id").primaryKey(),
    provider: paymentProvider("provider").notNull(),
    eventKey: text("event_key"),
    eventType: text("event_type"),
    signatureValid: boolean("signature_valid").notNull(),
    headers: jsonb("headers"),
    /** Whole for verified deliveries; the first KiB only for rejected ones. */
    body: text("body").notNull(),
    /** Size and sha256 of the body as received (null on rows recorded before they existed). */
    bodyBytes: integer("body_bytes"),
    bodySha256: text("body_sha256"),
    /** The sender's address (lib/http/client-ip.ts); rejected deliveries are limited per address. */
    clientAddress: text("client_address"),
    status: inboxStatus("status").notNull().default("received"),
    outcome: text("outcome"),
    attempts: integer("attempts").notNull().default(0),
    deliveries: integer("deliveries").notNull().default(1),
    lastError: text("last_error"),
    receivedAt: insertedAt("received_at"),
    processedAt: tstz("processed_at"),
    /** A reconcile run's lease on an open row: other runs skip it until then or until recorded. */
    claimedUntil: tstz("claimed_until"),
  },
  (t) => [
    uniqueIndex("webhook_inbox_event_uq").on(t.provider, t.eventKey),
    index("webhook_inbox_status_idx").on(t.status, t.receivedAt),
    // The admin's inbox newest first, all statuses (keyset pages on (received_at, id)).
    index("webhook_inbox_received_idx").on(t.receivedAt, t.id),
    index("webhook_inbox_rejected_client_idx")
      .on(t.clientAddress, t.receivedAt)
      .where(sql`${t.status} = 'rejected'`),
  ],
);

export type WebhookInboxRow = typeof webhookInbox.$inferSelect;
