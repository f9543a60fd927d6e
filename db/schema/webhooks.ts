import "server-only";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { inboxStatus, paymentProvider } from "./enums";
import { insertedAt, tstz } from "./shop-time";

/**
 * Provider notifications, recorded before they are acknowledged. `event_key` is the provider's
 * event identity (Youzan msg_id, Alipay notify_id); deliveries that fail verification have none
 * and are kept for the record only.
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
    body: text("body").notNull(),
    status: inboxStatus("status").notNull().default("received"),
    outcome: text("outcome"),
    attempts: integer("attempts").notNull().default(0),
    deliveries: integer("deliveries").notNull().default(1),
    lastError: text("last_error"),
    receivedAt: insertedAt("received_at"),
    processedAt: tstz("processed_at"),
  },
  (t) => [
    uniqueIndex("webhook_inbox_event_uq").on(t.provider, t.eventKey),
    index("webhook_inbox_status_idx").on(t.status, t.receivedAt),
  ],
);

export type WebhookInboxRow = typeof webhookInbox.$inferSelect;
