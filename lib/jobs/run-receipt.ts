import "server-only";
import type { Db } from "@/db/client";
import { finishRun, insertRun, type RunTotals } from "@/db/queries/billing-runs";
import { newId } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";

const log = moduleLogger("jobs");

export interface RunContext<S> {
  id: string;
  /**
   * What the run has done so far. The job keeps it current; a run that throws stores it with
   * the error, so a failed run still shows how far it got.
   */
  summary: S;
}

export interface RunOutcome<S> {
  summary: S;
  totals: RunTotals;
}

/**
 * Every scheduled job leaves a receipt: a `billing_runs` row written before the work starts
 * (`running`), then completed with its totals and summary, or failed with the error and the
 * summary so far. The job's own error is re-thrown after the receipt is written.
 */
export async function withRunReceipt<S extends object>(
  deps: { db: Db; now: () => Promise<Date> },
  job: { name: string; dryRun?: boolean; initial: S },
  work: (run: RunContext<S>) => Promise<RunOutcome<S>>,
): Promise<S & { runId: string }> {
  const run: RunContext<S> = { id: newId("run"), summary: job.initial };
  await insertRun(deps.db, {
    id: run.id,
    job: job.name,
    dryRun: job.dryRun ?? false,
    startedAt: await deps.now(),
  });
  try {
    const { summary, totals } = await work(run);
    await finishRun(deps.db, run.id, {
      status: "completed",
      totals,
      summary,
      finishedAt: await deps.now(),
    });
    log.info({ runId: run.id, job: job.name, summary }, "run completed");
    return { ...summary, runId: run.id };
  } catch (error) {
    log.error({ runId: run.id, job: job.name, err: error }, "run failed");
    await finishRun(deps.db, run.id, {
      status: "failed",
      error: String(error).slice(0, 2_000),
      summary: run.summary,
      finishedAt: await deps.now(),
    }).catch((receiptError: unknown) => {
      log.error({ runId: run.id, err: receiptError }, "could not record the failed run");
    });
    throw error;
  }
}
