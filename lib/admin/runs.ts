/**
 * The job runs' codes (`billing_runs`): jobs are `orders.reconcile`, `billing:<phase>` and
 * `files.sweep` (stamped PDF copies, lib/jobs/sweep-files.ts);
 * their labels live under `admin.codes.runJob.<key>` (lib/admin/inbox-codes.ts labelKey).
 */
export const RUN_JOBS = [
  "orders.reconcile",
  "billing:charge",
  "billing:retry",
  "billing:postpone",
  "billing:reconcile",
  "files.sweep",
] as const;

export const RUN_STATUSES = ["running", "completed", "failed", "aborted"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The run's filters: a job family (`billing`, `orders`) or all. */
export const RUN_JOB_FAMILIES = ["billing", "orders"] as const;
export type RunJobFamily = (typeof RUN_JOB_FAMILIES)[number];

/** The counters of a billing run's report (lib/billing/run.ts RunReport) worth a column. */
export const BILLING_REPORT_COUNTS = [
  "processed",
  "charged",
  "declined",
  "closed",
  "postponed",
  "unknown",
  "untouched",
] as const;

/** The counters of a reconcile run's summary (lib/jobs/reconcile-orders.ts). */
export const RECONCILE_SUMMARY_COUNTS = [
  "inboxApplied",
  "inboxFailed",
  "inboxDead",
  "inboxPruned",
  "checked",
  "settled",
  "expired",
  "providerErrors",
  "errors",
] as const;

/** The numeric fields of a run's summary, in a stable order: known counters first, then others. */
/** The counters of a stamped-copy sweep's summary (lib/delivery/sweep-stamps.ts). */
export const SWEEP_SUMMARY_COUNTS = [
  "removed",
  "bytesFreed",
  "unused",
  "fileGone",
  "fileReplaced",
  "servedMeanwhile",
  "failed",
] as const;

export function summaryCounts(summary: unknown): { key: string; value: number }[] {
  if (summary === null || typeof summary !== "object" || Array.isArray(summary)) return [];
  const entries = Object.entries(summary as Record<string, unknown>).filter(
    (entry): entry is [string, number] => typeof entry[1] === "number" && Number.isFinite(entry[1]),
  );
  const known: readonly string[] = [
    ...BILLING_REPORT_COUNTS,
    ...RECONCILE_SUMMARY_COUNTS,
    ...SWEEP_SUMMARY_COUNTS,
  ];
  const rank = (key: string) => {
    const at = known.indexOf(key);
    return at < 0 ? known.length : at;
  };
  return entries
    .filter(([key]) => key !== "batches")
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))
    .map(([key, value]) => ({ key, value }));
}
