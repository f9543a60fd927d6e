import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../rows";
import {
  NOTICE_KINDS,
  noticeSettings,
  noticeUnsubscribes,
  users,
  type NoticeKind,
} from "../schema";
import { shopNow } from "../schema/shop-time";
import { insertAudit } from "./audit";

/*
 * The owner's switches (one per kind; a kind without a row is on) and the buyers' one-click
 * unsubscribes (only `reminders`). The sender (lib/notices/send.ts) reads both before it sends;
 * the admin's settings page and the unsubscribe link write them.
 */

/** Kinds the owner cannot switch off (lib/notices/kinds.ts `switchable: false`). */
const ALWAYS_ON: readonly NoticeKind[] = ["password_reset"];

/** Whether each kind is on: a kind without a row is on; a kind that cannot be switched is on. */
export async function noticeSwitches(db: Db): Promise<Record<NoticeKind, boolean>> {
  const rows = await db
    .select({ kind: noticeSettings.kind, enabled: noticeSettings.enabled })
    .from(noticeSettings);
  const switches = Object.fromEntries(NOTICE_KINDS.map((kind) => [kind, true])) as Record<
    NoticeKind,
    boolean
  >;
  for (const row of rows) {
    if ((NOTICE_KINDS as readonly string[]).includes(row.kind) && !ALWAYS_ON.includes(row.kind)) {
      switches[row.kind] = row.enabled;
    }
  }
  return switches;
}

export type SetSwitchResult =
  { ok: true; before: boolean; after: boolean } | { ok: false; reason: "not_switchable" };

/**
 * Turns one kind on or off for every notice not yet sent, audited `notice.switch` (before and
 * after) in the same transaction; the settings row is locked so two owners' saves queue up.
 */
export async function setNoticeSwitch(
  db: Db,
  kind: NoticeKind,
  enabled: boolean,
  adminId: string,
): Promise<SetSwitchResult> {
  if (ALWAYS_ON.includes(kind)) return { ok: false, reason: "not_switchable" };
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ enabled: noticeSettings.enabled })
      .from(noticeSettings)
      .where(eq(noticeSettings.kind, kind))
      .for("update");
    const before = current?.enabled ?? true;
    await tx
      .insert(noticeSettings)
      .values({ kind, enabled, updatedBy: adminId })
      .onConflictDoUpdate({
        target: noticeSettings.kind,
        set: { enabled, updatedBy: adminId, updatedAt: shopNow() },
      });
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId: adminId,
      action: "notice.switch",
      targetType: "notice_kind",
      targetId: kind,
      details: { kind, before: { enabled: before }, after: { enabled } },
    });
    return { ok: true as const, before, after: enabled };
  });
}

export type UnsubscribeCategory = "reminders";

/**
 * The buyer leaves a category. Idempotent: true when this call unsubscribed them, false when
 * they already were; null when there is no such user (a token for an account that is gone).
 */
export async function unsubscribe(
  db: Db,
  userId: string,
  category: UnsubscribeCategory,
): Promise<boolean | null> {
  // Through the users row, so an unknown id is a null, never a foreign-key error. Raw SQL sets
  // the shop-time column itself (shop-time.ts).
  const inserted = await db.execute(sql`
    insert into notice_unsubscribes (user_id, category, created_at)
    select u.id, ${category}, ${shopNow()} from users u where u.id = ${userId}
    on conflict do nothing
    returning user_id`);
  if (rowsOf(inserted).length > 0) return true;
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  return user ? false : null;
}

/** The buyer comes back to a category; true when they had left it. */
export async function resubscribe(
  db: Db,
  userId: string,
  category: UnsubscribeCategory,
): Promise<boolean> {
  const deleted = await db
    .delete(noticeUnsubscribes)
    .where(and(eq(noticeUnsubscribes.userId, userId), eq(noticeUnsubscribes.category, category)))
    .returning({ userId: noticeUnsubscribes.userId });
  return deleted.length > 0;
}

export async function isUnsubscribed(
  db: Db,
  userId: string,
  category: UnsubscribeCategory,
): Promise<boolean> {
  const [row] = await db
    .select({ userId: noticeUnsubscribes.userId })
    .from(noticeUnsubscribes)
    .where(and(eq(noticeUnsubscribes.userId, userId), eq(noticeUnsubscribes.category, category)))
    .limit(1);
  return row !== undefined;
}
