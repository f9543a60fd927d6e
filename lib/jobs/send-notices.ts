import "server-only";
import {
  SEND_BUDGET_MS,
  sendDueNotices,
  type NoticeDeps,
  type SendReport,
} from "@/lib/notices/send";
import { sweepNotices, type SweepReport } from "@/lib/notices/sweep";
import { withRunReceipt } from "./run-receipt";

export type NoticesRunSummary = SweepReport & SendReport;

/**
 * `/api/cron/notices/send`: writes the notices that fell due with time (reminders, lapses, the
 * owner's digest), then sends every due notice of the outbox, within the time budget (20 s) —
 * counted from the job's start, so slow sweeps leave less time to send, not more time in all;
 * a receipt in `billing_runs` (job `notices.send`).
 */
export async function runNoticesJob(
  deps: NoticeDeps,
  options: { timeBudgetMs?: number } = {},
): Promise<NoticesRunSummary & { runId: string }> {
  const initial: NoticesRunSummary = {
    reminders: 0,
    lapses: 0,
    digest: false,
    sent: 0,
    failed: 0,
    dead: 0,
    skipped: 0,
    held: false,
    hasMore: false,
  };
  const deadline = Date.now() + (options.timeBudgetMs ?? SEND_BUDGET_MS);
  return withRunReceipt(deps, { name: "notices.send", initial }, async (run) => {
    const swept = await sweepNotices(deps);
    run.summary = { ...run.summary, ...swept };
    const sent = await sendDueNotices(deps, { deadline });
    run.summary = { ...run.summary, ...sent };
    return {
      summary: run.summary,
      totals: {
        claimed: sent.sent + sent.failed + sent.dead + sent.skipped,
        succeeded: sent.sent,
        failed: sent.failed + sent.dead,
      },
    };
  });
}
