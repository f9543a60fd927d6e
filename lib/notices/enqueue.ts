import "server-only";
import type { Db } from "@/db/client";
import { insertNotices, type NewNotice } from "@/db/queries/notices";
import type { NoticeChannel } from "@/db/schema/notices";
import { getEnv } from "@/lib/env";
import { newId } from "@/lib/ids";
import type { NoticeKind } from "./kinds";

/*
 * Writing notices into the outbox, inside the caller's transaction (pass the transaction as
 * `db`): the notice commits with the change it tells about, or not at all. Each is unique per
 * (event, recipient, kind), so calling these again for the same event writes nothing. Nothing
 * here sends; lib/notices/send.ts does, later (right after the request, or by the cron job).
 */

type BuyerNotice = { kind: NoticeKind; eventKey: string; userId: string; data?: object };
type OwnerNotice = { kind: NoticeKind; eventKey: string; data?: object; userId?: string | null };

/** The rows of a buyer's notice: one, by email, in their language, to their address. */
function buyerRows(notice: BuyerNotice): NewNotice[] {
  return [{ id: newId("ntc"), data: {}, ...notice, to: "buyer" }];
}

/**
 * The rows of a notice to the owner: by email to the admin's address, and to the DingTalk robot
 * when one is configured (`ALERT_DINGTALK_WEBHOOK`), sent and retried independently.
 */
function ownerRows(notice: OwnerNotice): NewNotice[] {
  const data = notice.data ?? {};
  const channels: NoticeChannel[] = getEnv().alerts.dingTalkWebhook
    ? ["email", "dingtalk"]
    : ["email"];
  return channels.map((channel) => ({ id: newId("ntc"), ...notice, data, to: "owner", channel }));
}

/** A notice to the buyer `userId`, in their language, to their address; true when written. */
export async function enqueueBuyerNotice(db: Db, notice: BuyerNotice): Promise<boolean> {
  return (await insertNotices(db, buyerRows(notice))).length > 0;
}

/** A notice to the owner, on each of the owner's channels (ownerRows). */
export async function enqueueOwnerNotice(db: Db, notice: OwnerNotice): Promise<void> {
  await insertNotices(db, ownerRows(notice));
}

/** A notice to the buyer and one to the owner about the same event, in one statement. */
export async function enqueueBuyerAndOwnerNotices(
  db: Db,
  buyer: BuyerNotice,
  owner: OwnerNotice,
): Promise<void> {
  await insertNotices(db, [...buyerRows(buyer), ...ownerRows(owner)]);
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
