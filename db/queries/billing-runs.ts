import "server-only";
import { and, desc, eq, like, lt } from "drizzle-orm";
import type { Db } from "../client";
import { billingRuns, type BillingRun } from "../schema";

export async function insertRun(
  db: Db,
  run: { id: string; job: string; dryRun?: boolean; startedAt: Date },
): Promise<void> {
  await db.insert(billingRuns).values(run);
}

export interface RunTotals {
  claimed: number;
  succeeded: number;
  failed: number;
  unknown?: number;
  postponed?: number;
}

export async function finishRun(
  db: Db,
  id: string,
  result:
    | { status: "completed"; totals: RunTotals; summary: unknown; finishedAt: Date }
    | { status: "failed"; error: string; summary: unknown; finishedAt: Date },
): Promise<void> {
  const values =
    result.status === "completed"
      ? { status: result.status, ...result.totals, summary: result.summary }
      : { status: result.status, error: result.error, summary: result.summary };
  await db
    .update(billingRuns)
    .set({ ...values, finishedAt: result.finishedAt })
    .where(eq(billingRuns.id, id));
}

export async function findRun(db: Db, id: string): Promise<BillingRun | undefined> {
  const [row] = await db.select().from(billingRuns).where(eq(billingRuns.id, id));
  return row;
}

export async function listRuns(db: Db, limit = 50): Promise<BillingRun[]> {
  return db.select().from(billingRuns).orderBy(desc(billingRuns.startedAt)).limit(limit);
}

/** The latest runs whose job starts with `prefix` (e.g. `billing:`), newest first. */
export async function listRunsByJobPrefix(
  db: Db,
  prefix: string,
  limit = 50,
): Promise<BillingRun[]> {
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db
    .select()
    .from(billingRuns)
    .where(like(billingRuns.job, pattern))
    .orderBy(desc(billingRuns.startedAt))
    .limit(limit);
}

/**
 * Runs still `running` that started before `startedBefore` died without a receipt (the process
 * was killed): marked `aborted`, so the owner sees them as such. Returns how many.
 */
export async function abortStaleRuns(
  db: Db,
  input: { jobPrefix: string; startedBefore: Date; at: Date },
): Promise<number> {
  const rows = await db
    .update(billingRuns)
    .set({ status: "aborted", error: "the run stopped without finishing", finishedAt: input.at })
    .where(
      and(
        eq(billingRuns.status, "running"),
        like(billingRuns.job, `${input.jobPrefix}%`),
        lt(billingRuns.startedAt, input.startedBefore),
      ),
    )
    .returning({ id: billingRuns.id });
  return rows.length;
}
