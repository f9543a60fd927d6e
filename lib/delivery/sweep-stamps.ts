import "server-only";
import type { Db } from "@/db/client";
import {
  forgetStampedCopy,
  staleStampedCopies,
  type StaleReason,
} from "@/db/queries/stamped-copies";
import type { ModuleLogger } from "@/lib/logger";
import type { FileStorage } from "@/lib/storage/types";

/** Copies nobody downloaded for this long go (a later download stamps again, in seconds). */
export const STAMP_KEEP_DAYS = 30;
/** Copies looked at per batch; a run takes batches until none is left or its budget is spent. */
const BATCH = 200;

export interface SweepStampsDeps {
  db: Db;
  storage: FileStorage;
  now: Date;
  log: ModuleLogger;
}

export interface SweepStampsReport {
  /** Copies whose bytes and record were deleted. */
  removed: number;
  /** Their bytes. */
  bytesFreed: number;
  /** By why they went. */
  unused: number;
  fileGone: number;
  fileReplaced: number;
  /** Deleted from storage but served again meanwhile: the record stays, the next download stamps again. */
  servedMeanwhile: number;
  /** Storage refused the delete: kept for the next run. */
  failed: number;
  /** The budget ended the run with copies left. */
  hasMore: boolean;
}

/** A sweep that removed nothing (yet). */
export function emptySweepReport(): SweepStampsReport {
  return {
    removed: 0,
    bytesFreed: 0,
    unused: 0,
    fileGone: 0,
    fileReplaced: 0,
    servedMeanwhile: 0,
    failed: 0,
    hasMore: false,
  };
}

const REASON_COUNTER: Record<StaleReason, "unused" | "fileGone" | "fileReplaced"> = {
  unused: "unused",
  file_gone: "fileGone",
  file_replaced: "fileReplaced",
};

/**
 * Deletes the stamped PDF copies (lib/delivery/download.ts) that no download served for
 * {@link STAMP_KEEP_DAYS} days, and those of a file deleted or replaced since. Bytes first, then
 * the record — so a failed delete is retried by the next run, and a copy served in between loses
 * only its bytes (its record stays; the next download stamps it again). Stops taking batches when
 * `overBudget()` says so.
 */
export async function sweepStampedCopies(
  deps: SweepStampsDeps,
  options: { keepDays?: number; batch?: number; overBudget?: () => boolean } = {},
): Promise<SweepStampsReport> {
  const keepDays = options.keepDays ?? STAMP_KEEP_DAYS;
  const batch = options.batch ?? BATCH;
  const servedBefore = new Date(deps.now.getTime() - keepDays * 86_400_000);
  const report = emptySweepReport();
  // Copies left in place by this run (a failed delete, served meanwhile) are not taken again in it.
  const leftKeys = new Set<string>();
  for (;;) {
    if (options.overBudget?.()) {
      report.hasMore = true;
      return report;
    }
    const stale = (
      await staleStampedCopies(deps.db, { servedBefore, limit: batch + leftKeys.size })
    ).filter((copy) => !leftKeys.has(copy.key));
    if (stale.length === 0) return report;
    for (const copy of stale) {
      try {
        await deps.storage.delete(copy.key);
      } catch (error) {
        leftKeys.add(copy.key);
        report.failed += 1;
        deps.log.error({ err: error, key: copy.key }, "stamped copy could not be deleted");
        continue;
      }
      if (!(await forgetStampedCopy(deps.db, copy))) {
        leftKeys.add(copy.key);
        report.servedMeanwhile += 1;
        continue;
      }
      report.removed += 1;
      report.bytesFreed += copy.byteSize;
      report[REASON_COUNTER[copy.reason]] += 1;
    }
    if (stale.length < batch) return report;
  }
}
