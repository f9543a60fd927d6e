import "server-only";
import { and, desc, eq, like, lt } from "drizzle-orm";
import type { Db } from "../client";
import { statement, type Slots } from "../statement";
import { prefixPattern } from "./like";
import { auditLog, users, type AuditLogRow } from "../schema";

export type NewAuditEntry = Pick<
  typeof auditLog.$inferInsert,
  "actorKind" | "actorUserId" | "action" | "targetType" | "targetId" | "details" | "createdAt"
>;

export async function insertAudit(tx: Db, entry: NewAuditEntry): Promise<void> {
  const values = {
    actorKind: entry.actorKind,
    actorUserId: entry.actorUserId ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    details: entry.details ?? null,
  };
  // The time is the shop's (the column's default) unless the entry names one.
  if (entry.createdAt)
    await insertAuditAtStatement.run(tx, { ...values, createdAt: entry.createdAt });
  else await insertAuditStatement.run(tx, values);
}

type AuditValues = Required<Omit<NewAuditEntry, "createdAt">>;

const auditSlots = (slot: Slots<AuditValues>) => ({
  actorKind: slot.actorKind,
  actorUserId: slot.actorUserId,
  action: slot.action,
  targetType: slot.targetType,
  targetId: slot.targetId,
  details: slot.details,
});

const insertAuditStatement = statement((db, slot: Slots<AuditValues>) =>
  db.insert(auditLog).values(auditSlots(slot)),
);

const insertAuditAtStatement = statement((db, slot: Slots<AuditValues & { createdAt: Date }>) =>
  db.insert(auditLog).values({ ...auditSlots(slot), createdAt: slot.createdAt }),
);

export type AuditListRow = AuditLogRow & { actorEmail: string | null };

/**
 * The audit log newest first, a page at a time: `before` is the id the last page ended at (ids
 * grow with time: keyset paging). Optionally one action only (`export.orders`) or every action
 * under a prefix (`export.`).
 */
export async function listAudit(
  db: Db,
  page: { before?: number; action?: string; limit: number },
): Promise<AuditListRow[]> {
  const action = page.action
    ? page.action.endsWith(".")
      ? like(auditLog.action, prefixPattern(page.action))
      : eq(auditLog.action, page.action)
    : undefined;
  const rows = await db
    .select({ entry: auditLog, actorEmail: users.email })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(and(action, page.before === undefined ? undefined : lt(auditLog.id, page.before)))
    .orderBy(desc(auditLog.id))
    .limit(page.limit);
  return rows.map(({ entry, actorEmail }) => ({ ...entry, actorEmail }));
}
