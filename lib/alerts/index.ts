import "server-only";
import { moduleLogger } from "@/lib/logger";
import {
  DEFAULT_MAX_ITEMS,
  NOTHING_TO_REPORT,
  dingTalkSink,
  formatRunAlert,
  isEmptyAlert,
  maskSecrets,
  redactWebhookUrl,
  type AlertSink,
} from "./dingtalk";

/**
 * Owner alerts for billing runs. A job builds one `RunAlert` per run and calls `send` once; the
 * sink comes from `alertSinkFrom(config)`: DingTalk when a webhook is configured, else the log.
 * Sinks never throw and never hold a run up for longer than their timeout.
 */

export {
  DEFAULT_MAX_ITEMS,
  DEFAULT_TIMEOUT_MS,
  NOTHING_TO_REPORT,
  dingTalkMarkdownSender,
  dingTalkSink,
  formatRunAlert,
  signDingTalkUrl,
  type DingTalkMarkdownSender,
  type AlertDelivery,
  type AlertItem,
  type AlertKind,
  type AlertSink,
  type DingTalkSinkOptions,
  type RunAlert,
} from "./dingtalk";

const log = moduleLogger("alerts");

const MAX_LOGGED_MESSAGE_CHARS = 200;

function capped(text: string, maxChars: number): string {
  const masked = maskSecrets(text);
  return masked.length > maxChars ? `${masked.slice(0, maxChars - 1)}…` : masked;
}

/**
 * Writes each alert to the log (module `alerts`, level warn: someone should act on it): the ids,
 * the totals and at most 20 items with capped messages, never the whole payload. An alert with
 * nothing to report is not written.
 */
export function logSink(): AlertSink {
  return {
    async send(alert) {
      try {
        if (isEmptyAlert(alert)) return { delivered: false, reason: NOTHING_TO_REPORT };
        log.warn(
          {
            job: alert.job,
            runId: alert.runId,
            dryRun: alert.dryRun,
            startedAt: alert.startedAt,
            totals: alert.totals,
            error: alert.error === undefined ? undefined : capped(alert.error, 500),
            itemCount: alert.items.length,
            items: alert.items.slice(0, DEFAULT_MAX_ITEMS).map((item) => ({
              kind: item.kind,
              agreementId: item.agreementId,
              orderNo: item.orderNo,
              code: item.code,
              message: capped(item.message, MAX_LOGGED_MESSAGE_CHARS),
            })),
          },
          formatRunAlert(alert, { maxItems: 0 }).title,
        );
        return { delivered: true };
      } catch (error) {
        return {
          delivered: false,
          reason: `internal error (${error instanceof Error ? error.name : typeof error})`,
        };
      }
    },
  };
}

/**
 * The sink for the configured channel: DingTalk when a webhook URL is set (signed when a secret
 * is), else the log. An alert DingTalk did not take is written to the log as well, so it is
 * never lost; the result is still DingTalk's. A URL that is not http(s) does not stop a run: it
 * is logged as an error (redacted) and alerts go to the log.
 */
export function alertSinkFrom(config: {
  webhookUrl: string | null;
  secret: string | null;
}): AlertSink {
  const fallback = logSink();
  const webhookUrl = config.webhookUrl?.trim();
  if (!webhookUrl) return fallback;
  let dingTalk: AlertSink;
  try {
    dingTalk = dingTalkSink({ webhookUrl, secret: config.secret });
  } catch (error) {
    log.error(
      {
        webhook: redactWebhookUrl(webhookUrl),
        reason: error instanceof Error ? error.message : "invalid",
      },
      "the DingTalk alert webhook is unusable; owner alerts go to the log",
    );
    return fallback;
  }
  return {
    async send(alert) {
      const delivery = await dingTalk.send(alert);
      if (!delivery.delivered && delivery.reason !== NOTHING_TO_REPORT) await fallback.send(alert);
      return delivery;
    },
  };
}
