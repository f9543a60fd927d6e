import "server-only";
import type { Db } from "@/db/client";
import {
  emptySweepReport,
  sweepStampedCopies,
  type SweepStampsReport,
} from "@/lib/delivery/sweep-stamps";
import type { ModuleLogger } from "@/lib/logger";
import type { FileStorage } from "@/lib/storage/types";
import { withRunReceipt } from "./run-receipt";

export interface SweepFilesDeps {
  db: Db;
  storage: FileStorage;
  now: () => Promise<Date>;
  log: ModuleLogger;
}

/** Within a serverless function's limit (Vercel: 60 s). */
const BUDGET_MS = 20_000;

/**
 * `/api/cron/files/sweep` (daily): deletes the stamped PDF copies nobody downloaded for 30 days
 * and those of files deleted or replaced since (lib/delivery/sweep-stamps.ts), within its time
 * budget; a receipt in `billing_runs` (job `files.sweep`) with what went and the bytes freed.
 */
export async function sweepFiles(
  deps: SweepFilesDeps,
  options: { budgetMs?: number; elapsed?: () => number } = {},
): Promise<SweepStampsReport & { runId: string }> {
  const started = performance.now();
  const elapsed = options.elapsed ?? (() => performance.now() - started);
  const budgetMs = options.budgetMs ?? BUDGET_MS;
  const initial = emptySweepReport();
  return withRunReceipt(deps, { name: "files.sweep", initial }, async (run) => {
    const report = await sweepStampedCopies(
      { db: deps.db, storage: deps.storage, now: await deps.now(), log: deps.log },
      { overBudget: () => elapsed() > budgetMs },
    );
    run.summary = report;
    return {
      summary: report,
      totals: {
        claimed: report.removed + report.failed + report.servedMeanwhile,
        succeeded: report.removed,
        failed: report.failed,
      },
    };
  });
}
