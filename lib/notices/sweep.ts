import "server-only";
import { noticeCounts, noticeWritten } from "@/db/queries/notices";
import { insertDueReminders, insertLapses, paidOrdersBetween } from "@/db/queries/notice-sweeps";
import { loadDashboard } from "@/lib/admin/dashboard-overview";
import { addDays, shanghaiDate, startOfShanghaiDate } from "@/lib/clock";
import { enqueueOwnerNotice, eventKeys } from "./enqueue";
import type { NoticeDeps } from "./send";

/*
 * Notices that fall due with time rather than with a request: renewal reminders, lapsed
 * memberships and the owner's daily digest. Run before each send (the cron job, the sandbox
 * ticker); every write is idempotent, so running it often or from many instances is harmless.
 */

/** Lapses older than this are not announced (a shop that was down for a week stays quiet). */
export const LAPSE_LOOKBACK_MS = 3 * 86_400_000;
/** The digest goes out from this hour of the Shanghai day, about the previous day. */
export const DIGEST_HOUR = 9;

export interface SweepReport {
  reminders: number;
  lapses: number;
  digest: boolean;
}

export async function sweepNotices(
  deps: Pick<NoticeDeps, "db" | "now" | "policy">,
): Promise<SweepReport> {
  const now = await deps.now();
  const today = shanghaiDate(now);
  const [reminders, lapses, digest] = await Promise.all([
    insertDueReminders(deps.db, {
      today,
      earlyDays: deps.policy.earlyDays,
      remindDays: deps.policy.remindDays,
    }),
    insertLapses(deps.db, { lookbackMs: LAPSE_LOOKBACK_MS }),
    writeDigest(deps.db, now, today),
  ]);
  return { reminders, lapses, digest };
}

/** The owner's digest of `today`, about yesterday: once a day (sent only when there is something). */
async function writeDigest(db: NoticeDeps["db"], now: Date, today: string): Promise<boolean> {
  const hour = Number(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Shanghai",
      hour: "2-digit",
      hourCycle: "h23",
    }).format(now),
  );
  if (hour < DIGEST_HOUR) return false;
  const eventKey = eventKeys.digest(today);
  if (await noticeWritten(db, eventKey, "owner_digest")) return false;
  const yesterday = addDays(today, -1);
  const [paid, dashboard, outbox] = await Promise.all([
    paidOrdersBetween(db, startOfShanghaiDate(yesterday), startOfShanghaiDate(today)),
    loadDashboard(db, now),
    noticeCounts(db),
  ]);
  const figures = {
    date: yesterday,
    paidOrders: paid.orders,
    revenueFen: paid.amountFen,
    failingAgreements: dashboard.failing,
    ordersInReview: dashboard.ordersInReview,
    deadWebhooks: dashboard.inbox.dead,
    failedNotices: outbox.dead,
  };
  // Written even when there is nothing to say (the sender then skips it, `nothing_to_report`):
  // the day's row is what stops the next sweeps from adding the figures up again.
  await enqueueOwnerNotice(db, { kind: "owner_digest", eventKey, data: figures });
  return true;
}
