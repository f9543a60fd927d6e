import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import {
  findAdminInboxRow,
  listAdminInbox,
  REPROCESSABLE,
  type AdminInboxListRow,
} from "@/db/queries/admin-inbox";
import { inboxStatus, type WebhookInboxRow } from "@/db/schema";
import { decodeCursor, encodeCursor, limitParam, type AdminPage } from "./query";
import type { InboxDetail, InboxItem } from "./inbox-types";
import { redactPayload, redactValue } from "./redact";

export type { InboxDetail, InboxItem };

/*
 * The webhook inbox as the admin reads it: the list's query (filters + keyset cursor), its
 * items, and one delivery's detail with every secret redacted. Shared by /admin/webhooks and
 * `GET /api/admin/webhook-events[/{id}]`.
 */

export const INBOX_PROVIDERS = ["youzan", "alipay"] as const;

export const inboxQuery = z.object({
  provider: z.enum(INBOX_PROVIDERS).optional(),
  status: z.enum(inboxStatus.enumValues).optional(),
  kind: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/, "kind.invalid")
    .optional(),
  cursor: z.string().max(400).optional(),
  limit: limitParam,
});
export type InboxQuery = z.infer<typeof inboxQuery>;

const cursorKey = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  z.string().min(1).max(100),
]);

function maskedText(text: string | null): string | null {
  if (text === null) return null;
  const masked = redactPayload(text);
  return masked.format === "text" ? masked.value : JSON.stringify(masked.value);
}

function toItem(row: AdminInboxListRow | WebhookInboxRow): InboxItem {
  return {
    id: row.id,
    provider: row.provider,
    eventType: row.eventType,
    signatureValid: row.signatureValid,
    status: row.status,
    outcome: row.outcome,
    attempts: row.attempts,
    deliveries: row.deliveries,
    lastError: maskedText(row.lastError),
    receivedAt: row.receivedAt.toISOString(),
    processedAt: row.processedAt?.toISOString() ?? null,
    bodyBytes: row.bodyBytes,
  };
}

/** A page of the inbox; a forged cursor is a 400 (AppError). */
export async function inboxPage(db: Db, query: InboxQuery): Promise<AdminPage<InboxItem>> {
  const after = query.cursor ? decodeCursor(query.cursor, cursorKey) : undefined;
  const { rows, hasMore } = await listAdminInbox(db, {
    provider: query.provider,
    status: query.status,
    kind: query.kind,
    after: after ? { at: after[0], id: after[1] } : undefined,
    limit: query.limit,
  });
  const last = rows.at(-1);
  return {
    items: rows.map(toItem),
    nextCursor: hasMore && last ? encodeCursor([last.sortKey, last.id]) : null,
  };
}

export function isReprocessable(row: Pick<WebhookInboxRow, "status" | "signatureValid">): boolean {
  return row.signatureValid && REPROCESSABLE.includes(row.status);
}

export async function inboxDetail(db: Db, id: string): Promise<InboxDetail | null> {
  if (id.length > 100) return null;
  const row = await findAdminInboxRow(db, id);
  if (!row) return null;
  return {
    ...toItem(row),
    // The whole error on the detail page, masked like the list's.
    lastError: maskedText(row.lastError),
    eventKey: row.eventKey,
    bodySha256: row.bodySha256,
    clientAddress: row.clientAddress,
    headers: row.headers === null ? null : redactValue(row.headers).value,
    payload: redactPayload(row.body),
    canReprocess: isReprocessable(row),
  };
}
