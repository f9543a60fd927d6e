import "server-only";
import type { WebhookInboxRow } from "@/db/schema";
import {
  parseAlipayNotification,
  parseNotificationBody,
  type AlipayNotification,
} from "@/lib/payments/alipay";
import { applyAlipayNotification } from "@/lib/subscriptions/notifications";
import type { InboxHandler } from "../types";

/** Alipay's notifications in the inbox: one handler for all three destinations (by `notify_type`). */
export const alipayInboxHandler: InboxHandler<AlipayNotification> = {
  provider: "alipay",
  /**
   * The notification a stored delivery carried: the form fields exactly as received. Its
   * signature was checked when it arrived (`signature_valid`), not again, so a key rotation
   * does not orphan recorded notifications.
   */
  decode(_deps, row: WebhookInboxRow) {
    const notification = parseAlipayNotification(parseNotificationBody(row.body));
    return notification.kind === "other" && notification.notifyId === null ? null : notification;
  },
  apply: (deps, notification) => applyAlipayNotification(deps, notification),
  classify() {
    // The port never throws for a vendor answer: what is thrown is the database or a bug, which
    // may well be gone on the next attempt.
    return { outcome: "error", retryable: true };
  },
};
