import "server-only";
import { and, desc, eq, getTableColumns, like, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { billingRuns, type BillingRun } from "../schema";

/*
 * The admin's job runs (/admin/runs, GET /api/admin/billing-runs): every `billing_runs` row,
 * newest first, by keyset pages on (started_at, id).
 */

export interface AdminRunsFilter {
  status?: BillingRun["status"];
  /** A job family: `billing` (every `billing:<phase>`) or `orders` (`orders.reconcile`). */
  family?: "billing" | "orders";
  /** The last row of the previous page: its exact time (microseconds, `sortKey`) and id. */
  after?: { at: string; id: string };
  limit: number;
}

const FAMILY_PATTERN = { billing: "billing:%", orders: "orders.%" } as const;

export async function listAdminRuns(
  db: Db,
  filter: AdminRunsFilter,
): Promise<{ rows: (BillingRun & { sortKey: string })[]; hasMore: boolean }> {
  const conditions: (SQL | undefined)[] = [
    filter.status ? eq(billingRuns.status, filter.status) : undefined,
    filter.family ? like(billingRuns.job, FAMILY_PATTERN[filter.family]) : undefined,
    filter.after
      ? or(
          lt(billingRuns.startedAt, sql`${filter.after.at}::timestamptz`),
          and(
            eq(billingRuns.startedAt, sql`${filter.after.at}::timestamptz`),
            lt(billingRuns.id, filter.after.id),
          ),
        )
      : undefined,
  ];
  const rows = await db
    .select({
      ...getTableColumns(billingRuns),
      // started_at to the microsecond: the next page's exact cursor.
      sortKey: sql<string>`to_char(${billingRuns.startedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(billingRuns)
    .where(and(...conditions))
    .orderBy(desc(billingRuns.startedAt), desc(billingRuns.id))
    .limit(filter.limit + 1);
  return { rows: rows.slice(0, filter.limit), hasMore: rows.length > filter.limit };
}

export async function findAdminRun(db: Db, id: string): Promise<BillingRun | undefined> {
  const [row] = await db.select().from(billingRuns).where(eq(billingRuns.id, id));
  return row;
}
