import "server-only";
import type { Db } from "@/db/client";
import { dashboardOverview, type Overview } from "@/db/queries/dashboard";
import { shanghaiDate, startOfShanghaiDate } from "@/lib/clock";
import {
  churnRate,
  dashboardWindow,
  monthlyRecurringFen,
  revenueSeries,
  revenueTotals,
  type DashboardWindow,
  type RevenueDay,
  type RevenueTotals,
} from "./dashboard";

/** A `received` inbox row older than this was never applied (the webhook's budget is 3 s). */
export const INBOX_STUCK_MINUTES = 5;

export interface DashboardData extends Omit<
  Overview,
  "revenue" | "activeByPeriod" | "churned" | "churnBase"
> {
  now: Date;
  window: DashboardWindow;
  series: RevenueDay[];
  totals: RevenueTotals;
  /** Monthly recurring revenue of the active agreements, in fen. */
  mrrFen: number;
  activeAgreements: number;
  churn: { churned: number; base: number; rate: number | null; from: string };
}

/**
 * Everything /admin shows, at the shop's `now` (the sandbox's virtual clock in sandbox mode):
 * one round of aggregate queries, folded here.
 */
export async function loadDashboard(db: Db, now: Date): Promise<DashboardData> {
  const window = dashboardWindow(shanghaiDate(now));
  const from30Start = startOfShanghaiDate(window.from30);
  const overview = await dashboardOverview(db, {
    now,
    from30: window.from30,
    from30Start,
    // Churn counts over the same 30 Shanghai days as the chart (the list's `closedFrom`).
    churnSince: from30Start,
    stuckBefore: new Date(now.getTime() - INBOX_STUCK_MINUTES * 60_000),
  });
  const { revenue, activeByPeriod, churned, churnBase, ...rest } = overview;
  const series = revenueSeries(window, revenue);
  return {
    ...rest,
    now,
    window,
    series,
    totals: revenueTotals(window, series),
    mrrFen: monthlyRecurringFen(activeByPeriod),
    activeAgreements: activeByPeriod.reduce((n, group) => n + group.agreements, 0),
    churn: {
      churned,
      base: churnBase,
      rate: churnRate(churned, churnBase),
      from: window.from30,
    },
  };
}
