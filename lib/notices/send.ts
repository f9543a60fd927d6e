import "server-only";
import {
  claimDueNotices,
  markNoticeFailed,
  releaseNotices,
  markNoticeSent,
  markNoticeSkipped,
  unsubscribedUsers,
} from "@/db/queries/notices";
import { noticeSwitches } from "@/db/queries/notice-settings";
import type { Notice, NoticeChannel, NoticeKind } from "@/db/schema";
import type { DingTalkMarkdownSender } from "@/lib/alerts";
import { toLocale } from "@/i18n/locales";
import { moduleLogger } from "@/lib/logger";
import { NOTICE_KIND_INFO } from "./kinds";
import { loadNoticeView, prefetchFacts, type LoadDeps, type Prefetched } from "./load";
import { renderDingTalk, renderNotice } from "./render";
import { unsubscribeToken } from "./tokens";
import { MailSendError, type MailTransport } from "./transport";

const log = moduleLogger("notices");

/*
 * The outbox's sender: claims due notices (a lease, so parallel senders split the work and a
 * sender that dies lets its rows go after the lease), renders each in the recipient's language,
 * sends it, and records the outcome on the row. A failed send is retried with back-off
 * (`RETRY_DELAYS_MS`) and becomes `dead` after the last, where the owner sees it (admin →
 * notices) and may send it again. A row is marked sent only after the transport accepted it: a
 * process killed between the two sends that notice again after its lease — the one case of a
 * repeat, as with any SMTP client; every other path sends a notice at most once.
 */

export interface NoticeDeps extends LoadDeps {
  transport: MailTransport;
  /** The owner's DingTalk robot (owner notices), when configured. */
  dingTalk: DingTalkMarkdownSender | null;
  /** Where owner notices go by email (`ADMIN_EMAIL`). */
  ownerEmail: string;
  /**
   * Awaited before each notice: the shop's process waits here while payment notifications are
   * being answered (lib/jobs/payments-first.ts), so a burst settles before its receipts go out.
   */
  yieldToPayments?: () => Promise<unknown>;
}

/** Waits after the 1st, 2nd… failure; after the last the notice is dead (about 22 hours on). */
export const RETRY_DELAYS_MS = [
  60_000,
  5 * 60_000,
  15 * 60_000,
  60 * 60_000,
  3 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
] as const;
export const MAX_SEND_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A claimed notice is another sender's for this long (an SMTP send times out well before). */
export const SEND_LEASE_MS = 2 * 60_000;

export interface SendReport {
  sent: number;
  failed: number;
  dead: number;
  skipped: number;
  /** Live mode without SMTP: email notices left waiting. */
  held: boolean;
  hasMore: boolean;
}

/** How long a sender sends when not told otherwise (the cron job's budget too). */
export const SEND_BUDGET_MS = 20_000;

/**
 * Sends due notices until none is left or the time is up: `deadline` (ms since the epoch, a job
 * that did other work first) or `timeBudgetMs` from now (20 s). The time is checked before each
 * notice, not only between batches: at the deadline the notices claimed and not yet tried are
 * released at once (the next sender need not wait out their lease) and `hasMore` says so. One
 * send in flight may outlast the deadline by at most the transport's timeout. Before each notice
 * the sender gives way to payments being answered (`deps.yieldToPayments`); the wait counts
 * against the deadline.
 */
export async function sendDueNotices(
  deps: NoticeDeps,
  options: { batchSize?: number; timeBudgetMs?: number; deadline?: number } = {},
): Promise<SendReport> {
  const batchSize = options.batchSize ?? 50;
  const deadline = options.deadline ?? Date.now() + (options.timeBudgetMs ?? SEND_BUDGET_MS);
  const channels: NoticeChannel[] = ["dingtalk"];
  const held = deps.transport.kind === "hold";
  if (!held) channels.push("email");
  const report: SendReport = { sent: 0, failed: 0, dead: 0, skipped: 0, held, hasMore: false };
  const switches = await noticeSwitches(deps.db);
  for (;;) {
    if (Date.now() >= deadline) {
      report.hasMore = true;
      break;
    }
    const batch = await claimDueNotices(deps.db, {
      limit: batchSize,
      leaseMs: SEND_LEASE_MS,
      channels,
    });
    if (batch.length === 0) break;
    const reminderUsers = batch
      .filter((n) => NOTICE_KIND_INFO[n.kind].category === "reminders" && n.userId)
      .map((n) => n.userId!);
    const [unsubscribed, prefetched] = await Promise.all([
      unsubscribedUsers(deps.db, reminderUsers, "reminders"),
      prefetchFacts(deps.db, batch),
    ]);
    let tried = 0;
    for (const notice of batch) {
      if (deps.yieldToPayments) await deps.yieldToPayments();
      if (Date.now() >= deadline) break;
      const outcome = await sendOne(deps, notice, { switches, unsubscribed, prefetched });
      report[outcome]++;
      tried++;
    }
    if (tried < batch.length) {
      await releaseNotices(
        deps.db,
        batch.slice(tried).map((notice) => notice.id),
      );
      report.hasMore = true;
      break;
    }
    if (batch.length < batchSize) break;
  }
  if (report.sent + report.failed + report.dead > 0) log.info(report, "notices sent");
  return report;
}

type Outcome = "sent" | "failed" | "dead" | "skipped";

async function sendOne(
  deps: NoticeDeps,
  notice: Notice,
  context: {
    switches: Record<NoticeKind, boolean>;
    unsubscribed: Set<string>;
    prefetched?: Prefetched;
  },
): Promise<Outcome> {
  const info = NOTICE_KIND_INFO[notice.kind];
  const skip = async (reason: string, data?: Record<string, unknown>): Promise<Outcome> => {
    await markNoticeSkipped(deps.db, notice.id, reason, data);
    return "skipped";
  };
  if (info.switchable && !context.switches[notice.kind]) return skip("disabled");
  if (info.category && notice.userId && context.unsubscribed.has(notice.userId)) {
    return skip("unsubscribed");
  }
  if (notice.channel === "dingtalk" && !deps.dingTalk) return skip("not_configured");
  let subject: string | undefined;
  try {
    const loaded = await loadNoticeView(deps, notice, context.prefetched);
    if ("skip" in loaded) {
      // A password reset's sealed token leaves the row even when its mail is not sent.
      const { sealed: _sealed, ...rest } = notice.data ?? {};
      void _sealed;
      return skip(loaded.skip, notice.kind === "password_reset" ? rest : undefined);
    }
    if (notice.channel === "dingtalk") {
      if (loaded.view.kind !== "owner_new_order" && loaded.view.kind !== "owner_digest") {
        return skip("not_for_dingtalk");
      }
      const message = renderDingTalk(loaded.view, { locale: toLocale(notice.locale) });
      subject = message.title;
      const delivery = await deps.dingTalk!.send(message.title, message.text);
      if (!delivery.delivered) throw new MailSendError(delivery.reason ?? "not delivered", false);
      await markNoticeSent(deps.db, notice.id, { subject, messageId: null });
      return "sent";
    }
    const to = notice.recipient === "owner" ? deps.ownerEmail : notice.recipient;
    const unsubscribeUrl =
      info.category && notice.userId
        ? `${deps.appUrl}/notices/unsubscribe?token=${unsubscribeToken(deps.authSecret, notice.userId, info.category)}`
        : null;
    const mail = renderNotice(loaded.view, {
      locale: toLocale(notice.locale),
      appUrl: deps.appUrl,
      unsubscribeUrl,
      to,
    });
    subject = mail.subject;
    const headers: Record<string, string> = {
      "X-Xiaopu-Notice": notice.kind,
      "X-Xiaopu-Notice-Id": notice.id,
    };
    if (unsubscribeUrl && notice.userId && info.category) {
      // RFC 8058 one-click: mail providers POST here; the page link is for people.
      const token = unsubscribeToken(deps.authSecret, notice.userId, info.category);
      headers["List-Unsubscribe"] = `<${deps.appUrl}/api/notices/unsubscribe?token=${token}>`;
      headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
    }
    const sent = await deps.transport.send({
      to,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      headers,
      noticeId: notice.id,
    });
    await markNoticeSent(deps.db, notice.id, {
      subject: mail.subject,
      messageId: sent.messageId || null,
      data: loaded.dataAfterSend,
    });
    return "sent";
  } catch (error) {
    const permanent = error instanceof MailSendError && error.permanent;
    const attempt = notice.attempts + 1;
    const retryInMs =
      permanent || attempt >= MAX_SEND_ATTEMPTS ? null : RETRY_DELAYS_MS[attempt - 1]!;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await markNoticeFailed(deps.db, notice.id, { error: message, retryInMs, subject });
    log.warn(
      { noticeId: notice.id, kind: notice.kind, attempt, permanent, err: message },
      retryInMs === null ? "notice given up" : "notice send failed; will retry",
    );
    return retryInMs === null ? "dead" : "failed";
  }
}
