import "server-only";
import {
  claimAgreements,
  previewAgreements,
  releaseAgreements,
  type ClaimInput,
  type ClaimPhase,
} from "@/db/queries/billing";
import { abortStaleRuns, finishRun, insertRun } from "@/db/queries/billing-runs";
import type { AlertItem } from "@/lib/alerts";
import { newId } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";
import type { BillingDeps } from "./deps";
import { limitedGateway, limiter } from "./limit";
import { billingToday } from "./schedule";
import {
  expireUnpaidAgreements,
  PHASE_WORK,
  reconcileWaitingSigns,
  type ItemResult,
} from "./phases";

const log = moduleLogger("billing");

export const PHASES = ["charge", "retry", "postpone", "reconcile"] as const;
export type { BillingDeps, BillingSettings } from "./deps";
export type Phase = (typeof PHASES)[number] & ClaimPhase;

export const isBillingPhase = (value: string): value is Phase =>
  (PHASES as readonly string[]).includes(value);

export interface RunReport {
  phase: Phase;
  runId: string;
  dryRun: boolean;
  processed: number;
  charged: number;
  declined: number;
  closed: number;
  postponed: number;
  unknown: number;
  /** Claimed but left alone (its state was not this phase's, or another run was on it). */
  untouched: number;
  /** Stopped by the time budget with work left: the next run goes on. */
  hasMore: boolean;
  batches: number;
  /** Dry run: what each candidate would get, by state (e.g. `{"due": 12}`). */
  wouldDo?: Record<string, number>;
  /** Reconcile: agreements waiting for a signature that were asked about, and found signed. */
  waitingSigns?: { checked: number; signed: number };
  /** Reconcile: agreements never paid, unsigned after two days. */
  expiredUnpaid?: number;
  alerted?: boolean;
}

export type SkippedReport = { phase: Phase; skipped: "disabled" };

export interface RunOptions {
  dryRun?: boolean;
  /** Progress after every batch (the CLI prints it). */
  onBatch?: (report: RunReport) => void;
  /** Elapsed milliseconds since the run started; injectable so tests need not wait. */
  elapsed?: () => number;
}

function stopwatch(): () => number {
  const started = performance.now();
  return () => performance.now() - started;
}

/**
 * One billing phase over every agreement it applies to, batch after batch, until the work or
 * the time budget ends. Claims are disjoint across concurrent runs (`claimAgreements`); within
 * a batch, Alipay calls run with bounded concurrency; each item is decided by the schedule
 * (`periodState`) on fresh rows and acted on by the phase. Leaves a `billing_runs` row (totals,
 * summary; failed with the error if the run throws) and sends one alert per run with what needs
 * the owner — never failing the run for it. A dry run claims, changes and calls nothing.
 */
export async function runBillingPhase(
  deps: BillingDeps,
  phase: Phase,
  options: RunOptions = {},
): Promise<RunReport | SkippedReport> {
  if (!deps.billing.enabled) return { phase, skipped: "disabled" };
  const dryRun = options.dryRun ?? false;
  const elapsed = options.elapsed ?? stopwatch();
  const runId = newId("run");
  const startedAt = await deps.now();
  // Receipts of runs that died (killed mid-run) are closed as aborted once they cannot be alive.
  await abortStaleRuns(deps.db, {
    jobPrefix: "billing:",
    startedBefore: new Date(startedAt.getTime() - deps.billing.timeBudgetMs - 15 * 60_000),
    at: startedAt,
  });
  await insertRun(deps.db, { id: runId, job: `billing:${phase}`, dryRun, startedAt });
  const report: RunReport = {
    phase,
    runId,
    dryRun,
    processed: 0,
    charged: 0,
    declined: 0,
    closed: 0,
    postponed: 0,
    unknown: 0,
    untouched: 0,
    hasMore: false,
    batches: 0,
  };
  const alerts: AlertItem[] = [];
  try {
    if (dryRun) await preview(deps, phase, report);
    else {
      if (phase === "reconcile") {
        report.waitingSigns = await reconcileWaitingSigns(deps, deps.billing.batchSize);
        const unpaid = await expireUnpaidAgreements(deps, deps.billing.batchSize);
        report.expiredUnpaid = unpaid.expired;
        alerts.push(...unpaid.alerts);
      }
      await work(deps, phase, report, alerts, elapsed, options.onBatch);
    }
  } catch (error) {
    log.error({ runId, phase, err: error }, "billing run failed");
    alerts.push({ kind: "run_failed", message: String(error).slice(0, 500) });
    await finishRun(deps.db, runId, {
      status: "failed",
      error: String(error).slice(0, 2_000),
      summary: report,
      finishedAt: await deps.now(),
    }).catch((receiptError: unknown) => log.error({ err: receiptError }, "no receipt"));
    await alert(deps, { phase, runId, startedAt, dryRun, alerts, report, error: String(error) });
    throw error;
  }
  await finishRun(deps.db, runId, {
    status: "completed",
    totals: {
      claimed: report.processed,
      succeeded: report.charged,
      failed: report.declined,
      unknown: report.unknown,
      postponed: report.postponed,
    },
    summary: report,
    finishedAt: await deps.now(),
  });
  report.alerted = await alert(deps, { phase, runId, startedAt, dryRun, alerts, report });
  log.info({ ...report }, "billing run completed");
  return report;
}

interface Claimed {
  id: string;
  batch: { ids: string[]; left: number };
}

/**
 * The run's work as a stream of claimed agreements. `concurrency` bounds the calls in flight at
 * Alipay (`limitedGateway`); twice as many agreements are in progress at once, so that while
 * those calls wait, the others read and write the database before and after theirs. The next
 * batch is claimed while the current one is still being worked on (when fewer agreements are
 * queued than there are lanes), so no lane waits for a batch's slowest agreement. A batch is
 * released when the last of its agreements is done or given back. The time budget is checked
 * before each claim and each agreement: when it is spent, what is queued is given back untouched.
 */
async function work(
  deps: BillingDeps,
  phase: Phase,
  report: RunReport,
  alerts: AlertItem[],
  elapsed: () => number,
  onBatch?: (report: RunReport) => void,
): Promise<void> {
  const { billing } = deps;
  const itemDeps: BillingDeps = {
    ...deps,
    alipay: {
      ...deps.alipay,
      gateway: limitedGateway(deps.alipay.gateway, limiter(billing.concurrency)),
    },
  };
  const lanes = Math.max(1, billing.lanes ?? billing.concurrency * 2);
  const seen: string[] = [];
  const queue: Claimed[] = [];
  let more = true;
  let timeUp = false;
  let claiming: Promise<void> | null = null;
  const failures: unknown[] = [];

  const outOfTime = () => {
    if (!timeUp && elapsed() >= billing.timeBudgetMs) {
      timeUp = true;
      report.hasMore = true;
    }
    return timeUp;
  };
  const claim = async () => {
    if (outOfTime()) return;
    const now = await deps.now();
    const ids = await claimAgreements(deps.db, {
      ...claimInput(deps, phase, now, seen),
      leaseUntil: new Date(now.getTime() + (billing.leaseMs ?? 5 * 60_000)),
    });
    more = ids.length >= billing.batchSize;
    if (ids.length === 0) return;
    report.batches++;
    const batch = { ids, left: ids.length };
    for (const id of ids) queue.push({ id, batch });
  };
  const finish = async (item: Claimed) => {
    if (--item.batch.left > 0) return;
    await releaseAgreements(deps.db, item.batch.ids);
    onBatch?.({ ...report });
  };
  const lane = async () => {
    for (;;) {
      if (queue.length < lanes && more && !timeUp) {
        claiming ??= claim()
          .catch((error: unknown) => {
            failures.push(error);
            more = false;
          })
          .finally(() => (claiming = null));
        if (queue.length === 0) {
          await claiming;
          continue;
        }
      }
      const item = queue.shift();
      if (item === undefined) return;
      // Out of time: given back, untouched.
      if (!outOfTime()) {
        const result = await PHASE_WORK[phase](itemDeps, item.id, report.runId).catch(
          (error: unknown): ItemResult => {
            log.error({ agreementId: item.id, phase, err: error }, "billing item failed");
            return {
              kind: "error",
              alert: {
                kind: "item_failed",
                agreementId: item.id,
                message: String(error).slice(0, 300),
              },
            };
          },
        );
        count(report, result);
        if (result.alert) alerts.push(result.alert);
        if (result.kind === "skipped" || result.kind === "unknown" || result.kind === "error") {
          seen.push(item.id);
        }
      }
      await finish(item).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: lanes }, () => lane()));
  if (failures.length > 0) throw failures[0];
}

function claimInput(
  deps: BillingDeps,
  phase: Phase,
  now: Date,
  seen: readonly string[],
): Omit<ClaimInput, "leaseUntil"> {
  const { policy, batchSize } = deps.billing;
  return {
    phase,
    today: billingToday(now),
    now,
    earlyDays: policy.earlyDays,
    remindDays: policy.remindDays,
    maxAttempts: policy.maxAttempts,
    stalePendingMs: policy.stalePendingMs,
    limit: batchSize,
    seen,
  };
}

/** A dry run: the phase's candidates and what the schedule says of each; nothing is touched. */
async function preview(deps: BillingDeps, phase: Phase, report: RunReport): Promise<void> {
  const now = await deps.now();
  const wouldDo: Record<string, number> = {};
  const seen: string[] = [];
  for (;;) {
    const ids = await previewAgreements(deps.db, {
      ...claimInput(deps, phase, now, seen),
      leaseUntil: now,
    });
    if (ids.length === 0) break;
    report.batches++;
    for (const id of ids) {
      const state = await PHASE_WORK.describe(deps, id);
      wouldDo[state] = (wouldDo[state] ?? 0) + 1;
      report.processed++;
      seen.push(id);
    }
    if (ids.length < deps.billing.batchSize) break;
  }
  report.wouldDo = wouldDo;
}

function count(report: RunReport, result: ItemResult): void {
  if (result.kind === "skipped") {
    report.untouched++;
    return;
  }
  report.processed++;
  if (result.kind === "charged") report.charged++;
  if (result.kind === "declined") report.declined++;
  if (result.kind === "closed") report.closed++;
  if (result.kind === "postponed") report.postponed++;
  if (result.kind === "unknown") report.unknown++;
}

async function alert(
  deps: BillingDeps,
  run: {
    phase: Phase;
    runId: string;
    startedAt: Date;
    dryRun: boolean;
    alerts: AlertItem[];
    report: RunReport;
    error?: string;
  },
): Promise<boolean> {
  if (run.alerts.length === 0 && !run.error) return false;
  try {
    const sent = await deps.alerts.send({
      job: `billing:${run.phase}`,
      runId: run.runId,
      startedAt: run.startedAt,
      dryRun: run.dryRun,
      items: run.alerts,
      totals: {
        processed: run.report.processed,
        charged: run.report.charged,
        declined: run.report.declined,
        closed: run.report.closed,
        postponed: run.report.postponed,
        unknown: run.report.unknown,
      },
      error: run.error,
    });
    return sent.delivered;
  } catch (error) {
    // A sink must not throw; if one does, the run still stands.
    log.warn({ err: error }, "alert not sent");
    return false;
  }
}
