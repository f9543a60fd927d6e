import "server-only";
import type { Db } from "@/db/client";
import { insertBuyerNotice, insertOwnerNotice } from "@/db/queries/notices";
import { getEnv } from "@/lib/env";
import { newId } from "@/lib/ids";
import type { NoticeKind } from "./kinds";

/*
 * Writing notices into the outbox, inside the caller's transaction (pass the transaction as
 * `db`): the notice commits with the change it tells about, or not at all. Each is unique per
 * (event, recipient, kind), so calling these again for the same event writes nothing. Nothing
 * here sends; lib/notices/send.ts does, later (right after the request, or by the cron job).
 */

/** A notice to the buyer `userId`, in their language, to their address. */
export async function enqueueBuyerNotice(
  db: Db,
  notice: { kind: NoticeKind; eventKey: string; userId: string; data?: object },
): Promise<boolean> {
  return insertBuyerNotice(db, { id: newId("ntc"), data: {}, ...notice });
}

/**
 * A notice to the owner: by email to the admin's address, and to the DingTalk robot when one is
 * configured (`ALERT_DINGTALK_WEBHOOK`), as two rows sent and retried independently.
 */
export async function enqueueOwnerNotice(
  db: Db,
  notice: { kind: NoticeKind; eventKey: string; data?: object; userId?: string | null },
): Promise<void> {
  const data = notice.data ?? {};
  const writes = [insertOwnerNotice(db, { id: newId("ntc"), channel: "email", ...notice, data })];
  if (getEnv().alerts.dingTalkWebhook) {
    writes.push(insertOwnerNotice(db, { id: newId("ntc"), channel: "dingtalk", ...notice, data }));
  }
  await Promise.all(writes);
}

/** Event keys: what happened, so that the same event always gets the same key. */
export const eventKeys = {
  order: (orderId: string) => `order:${orderId}`,
  period: (agreementId: string, periodIndex: number) =>
    `agreement:${agreementId}:period:${periodIndex}`,
  agreementClosed: (agreementId: string) => `agreement:${agreementId}:closed`,
  lapse: (entitlementId: string) => `lapse:${entitlementId}`,
  refund: (refundId: string) => `refund:${refundId}`,
  reset: (tokenId: string) => `reset:${tokenId}`,
  digest: (date: string) => `digest:${date}`,
} as const;
