import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { findAdminRun, listAdminRuns } from "@/db/queries/admin-runs";
import { billingRunStatus, type BillingRun } from "@/db/schema";
import { decodeCursor, encodeCursor, limitParam, type AdminPage } from "./query";
import { RUN_JOB_FAMILIES } from "./runs";
import type { RunItem } from "./runs-types";

export type { RunItem };

/*
 * The job runs as the admin reads them (/admin/runs, `GET /api/admin/billing-runs`): filters,
 * keyset cursor, plain items.
 */

export const runsQuery = z.object({
  status: z.enum(billingRunStatus.enumValues).optional(),
  job: z.enum(RUN_JOB_FAMILIES).optional(),
  cursor: z.string().max(400).optional(),
  limit: limitParam,
});
export type RunsQuery = z.infer<typeof runsQuery>;

const cursorKey = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  z.string().min(1).max(100),
]);

export function toRunItem(run: BillingRun): RunItem {
  return {
    id: run.id,
    job: run.job,
    status: run.status,
    dryRun: run.dryRun,
    claimed: run.claimed,
    succeeded: run.succeeded,
    failed: run.failed,
    unknown: run.unknown,
    postponed: run.postponed,
    summary: run.summary,
    error: run.error,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

export async function runsPage(db: Db, query: RunsQuery): Promise<AdminPage<RunItem>> {
  const after = query.cursor ? decodeCursor(query.cursor, cursorKey) : undefined;
  const { rows, hasMore } = await listAdminRuns(db, {
    status: query.status,
    family: query.job,
    after: after ? { at: after[0], id: after[1] } : undefined,
    limit: query.limit,
  });
  const last = rows.at(-1);
  return {
    items: rows.map(toRunItem),
    nextCursor: hasMore && last ? encodeCursor([last.sortKey, last.id]) : null,
  };
}

export async function runDetail(db: Db, id: string): Promise<RunItem | null> {
  if (id.length > 100) return null;
  const run = await findAdminRun(db, id);
  return run ? toRunItem(run) : null;
}
