import "server-only";
import type { Db } from "../client";
import { auditLog } from "../schema";

export type NewAuditEntry = Pick<
  typeof auditLog.$inferInsert,
  "actorKind" | "actorUserId" | "action" | "targetType" | "targetId" | "details" | "createdAt"
>;

export async function insertAudit(tx: Db, entry: NewAuditEntry): Promise<void> {
  await tx.insert(auditLog).values(entry);
}
