import "server-only";
import { claimForReprocess, findAdminInboxRow } from "@/db/queries/admin-inbox";
import { insertAudit } from "@/db/queries/audit";
import type { WebhookInboxRow } from "@/db/schema";
import { replayRow, INBOX_CLAIM_LEASE_MS } from "@/lib/webhooks/replay";
import type { WebhookDeps } from "@/lib/webhooks/types";
import { isReprocessable } from "./inbox";

export type ReprocessResult =
  | {
      ok: true;
      before: { status: string; outcome: string | null; attempts: number };
      after: { status: string; outcome: string | null; attempts: number };
    }
  | { ok: false; reason: "not_found" | "not_reprocessable" | "busy" };

const snapshot = (row: WebhookInboxRow) => ({
  status: row.status,
  outcome: row.outcome,
  attempts: row.attempts,
});

/**
 * "Process again" for a failed or dead delivery: one more attempt through the inbox's one replay
 * path (lib/webhooks/replay.ts — the reconcile job's path; there is no second way of settling),
 * under the same lease a reconcile run takes, so the two never apply a row at once. Audited as
 * `webhook.reprocess` with the status before and after. The attempt calls the provider and
 * settles in its own transactions, so the audit row is written right after it is recorded (not
 * in one transaction with it).
 */
export async function reprocessInboxRow(
  deps: WebhookDeps,
  actorUserId: string,
  id: string,
): Promise<ReprocessResult> {
  const found = await findAdminInboxRow(deps.db, id);
  if (!found) return { ok: false, reason: "not_found" };
  if (!isReprocessable(found)) return { ok: false, reason: "not_reprocessable" };
  const claimed = await claimForReprocess(deps.db, id, {
    now: await deps.now(),
    leaseMs: INBOX_CLAIM_LEASE_MS,
  });
  // Taken by a reconcile run right now, or finished between the two reads.
  if (!claimed) return { ok: false, reason: "busy" };
  const before = snapshot(claimed);
  await replayRow(deps, claimed);
  const row = await findAdminInboxRow(deps.db, id);
  const after = row ? snapshot(row) : before;
  await insertAudit(deps.db, {
    actorKind: "user",
    actorUserId,
    action: "webhook.reprocess",
    targetType: "webhook_inbox",
    targetId: id,
    details: { provider: claimed.provider, eventType: claimed.eventType, before, after },
  });
  return { ok: true, before, after };
}
