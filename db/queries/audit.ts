import "server-only";
import type { Db } from "../client";
import { statement, type Slots } from "../statement";
import { auditLog } from "../schema";

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
