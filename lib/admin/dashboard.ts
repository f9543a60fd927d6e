/**
 * The admin dashboard's arithmetic, pure: the 30-day window on Shanghai calendar days, the
 * revenue channels, monthly recurring revenue from per-period amounts, churn rate, and the URL of
 * the filtered list behind every figure. The figures themselves are SQL aggregates
 * (db/queries/dashboard.ts); this only folds a few dozen aggregate rows.
 */

/** Where a paid order's money came from (the chart's stacks, the orders list's `channel`). */
export const REVENUE_CHANNELS = ["youzan", "alipay_first", "alipay_renewal"] as const;
export type RevenueChannel = (typeof REVENUE_CHANNELS)[number];

/** Days in the revenue chart (today included). */
export const DASHBOARD_DAYS = 30;

export const AGREEMENT_STATUSES = ["active", "pending_sign", "unsigned", "closed"] as const;
export type AgreementStatusCode = (typeof AGREEMENT_STATUSES)[number];

/** The window of the dashboard: the last 30 Shanghai days, today last. */
export interface DashboardWindow {
  today: string;
  /** The first day of the 7-day total (today − 6). */
  from7: string;
  /** The first day of the chart and of the 30-day total (today − 29). */
  from30: string;
}

export function dashboardWindow(today: string): DashboardWindow {
  return {
    today,
    from7: addDays(today, -6),
    from30: addDays(today, -(DASHBOARD_DAYS - 1)),
  };
}

/** One day of the chart: fen per channel (0 when nothing was paid). */
export type RevenueDay = { day: string; total: number } & Record<RevenueChannel, number>;

export interface RevenueCell {
  day: string;
  channel: RevenueChannel;
  amountFen: number;
  orders: number;
}

/** The aggregate rows as one entry per day of the window, oldest first, missing days as zero. */
export function revenueSeries(
  window: DashboardWindow,
  cells: readonly RevenueCell[],
): RevenueDay[] {
  const days: RevenueDay[] = [];
  for (let day = window.from30; day <= window.today; day = addDays(day, 1)) {
    days.push({ day, total: 0, youzan: 0, alipay_first: 0, alipay_renewal: 0 });
  }
  const byDay = new Map(days.map((entry) => [entry.day, entry]));
  for (const cell of cells) {
    const entry = byDay.get(cell.day);
    // Outside the window (cannot happen with the query's bounds): not this chart's business.
    if (!entry) continue;
    entry[cell.channel] += cell.amountFen;
    entry.total += cell.amountFen;
  }
  return days;
}

export interface RevenueTotals {
  todayFen: number;
  last7Fen: number;
  last30Fen: number;
}

export function revenueTotals(
  window: DashboardWindow,
  series: readonly RevenueDay[],
): RevenueTotals {
  let todayFen = 0;
  let last7Fen = 0;
  let last30Fen = 0;
  for (const entry of series) {
    last30Fen += entry.total;
    if (entry.day >= window.from7) last7Fen += entry.total;
    if (entry.day === window.today) todayFen += entry.total;
  }
  return { todayFen, last7Fen, last30Fen };
}

/** Days in the average month (365.25 / 12): the month a daily rate is scaled to. */
export const DAYS_PER_MONTH = 365.25 / 12;

/**
 * How many months one period of `periodDays` is. The shop signs DAY periods only (Alipay's
 * `period_type` DAY, lib/payments/alipay/gateway.ts), so a "monthly" plan is 30 or 31 days, a
 * quarter 90–92, a year 365–366: those count as whole calendar months — an owner who sells a
 * ¥30 monthly plan expects ¥30 of MRR from it, not ¥30.44. Any other period (a week, 10 days)
 * is scaled by the average month.
 */
export function monthsPerPeriod(periodDays: number): number {
  if (!Number.isInteger(periodDays) || periodDays <= 0) {
    throw new RangeError(`not a period length: ${periodDays}`);
  }
  const months = Math.round(periodDays / DAYS_PER_MONTH);
  // Within a day or so (more for longer spans) of n average months: 30–31, 90–93, 181–185,
  // 361–369 days. 28 days is four weeks (13 periods a year), not a month.
  if (months >= 1 && Math.abs(periodDays - months * DAYS_PER_MONTH) <= 1 + months * 0.25) {
    return months;
  }
  return periodDays / DAYS_PER_MONTH;
}

export interface ActiveAgreementGroup {
  periodDays: number;
  /** The sum of the per-period amounts of the active agreements with this period. */
  amountFen: number;
  agreements: number;
}

/** Monthly recurring revenue in fen: each period's amount per month, rounded once at the end. */
export function monthlyRecurringFen(groups: readonly ActiveAgreementGroup[]): number {
  let total = 0;
  for (const group of groups) total += group.amountFen / monthsPerPeriod(group.periodDays);
  return Math.round(total);
}

/**
 * Churn over the window: agreements that ended (closed or unsigned in the wallet) among those
 * that were live at some time in it (live at its start, or signed during it). Null when none
 * were: a rate of nothing is not 0 %.
 */
export function churnRate(churned: number, base: number): number | null {
  if (base <= 0) return null;
  return Math.min(1, churned / base);
}

/**
 * Calendar arithmetic on `YYYY-MM-DD` (as lib/clock.ts addDays, which this pure module cannot
 * import: lib/clock.ts reaches the database, and the chart is a client component).
 */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The filtered lists behind the figures (the URL contracts of the orders, subscriptions, … pages). */
export const dashboardLinks = {
  ordersInReview: () => "/admin/orders?status=review",
  paidOrders: (channel: RevenueChannel | null, from: string, to: string) => {
    const query = new URLSearchParams();
    if (channel) query.set("channel", channel);
    query.set("status", "paid");
    query.set("from", from);
    query.set("to", to);
    return `/admin/orders?${query.toString()}`;
  },
  agreements: (status: AgreementStatusCode) => `/admin/subscriptions?status=${status}`,
  failing: () => "/admin/subscriptions?failing=1",
  churn: (from: string) => `/admin/subscriptions?closedFrom=${from}`,
  webhooks: (status: "failed" | "dead" | "received") => `/admin/webhooks?status=${status}`,
  runs: () => "/admin/runs",
  run: (id: string) => `/admin/runs/${encodeURIComponent(id)}`,
} as const;
