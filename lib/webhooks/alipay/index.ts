import "server-only";
import {
  parseAlipayNotification,
  parseNotificationBody,
  verifyAlipayNotification,
} from "@/lib/payments/alipay";
import { clientAddress } from "@/lib/http/client-ip";
import { moduleLogger } from "@/lib/logger";
import { keptHeaders, recordDelivery, recordRejected } from "../inbox";
import { applyInboxRow } from "../replay";
import type { WebhookDeps } from "../types";
import { withinBudget } from "../budget";
import { alipayInboxHandler } from "./handler";

const log = moduleLogger("webhook-alipay");

export const ALIPAY_WEBHOOK_MAX_BYTES = 64 * 1024;

/** Where a notification arrived: one route per destination Alipay sends to (spec §5.1). */
export type AlipayDestination = "trade" | "agreement" | "gateway";

export interface AlipayReply {
  status: number;
  /** Exactly `success` when accepted: anything else makes Alipay retry for ~25 hours. */
  body: string;
}

const SUCCESS: AlipayReply = { status: 200, body: "success" };

/**
 * The house pipeline for Alipay: verify (`checkNotifySignV2` over the form fields as received) →
 * record in the inbox under `notify_id` (a retry of the same notification changes nothing) →
 * apply within the budget → reply `success`. The reply only ever follows the durable record;
 * a slow apply goes on in the background and the reconcile job finishes what never did. A
 * forged or unreadable delivery is refused (400) and kept in part, within the per-client limit.
 */
export async function handleAlipayNotify(
  deps: WebhookDeps,
  destination: AlipayDestination,
  rawBody: string,
  headers: Headers,
): Promise<AlipayReply> {
  const fields = parseNotificationBody(rawBody);
  const notifyType = fields.notify_type ?? null;
  const base = {
    provider: "alipay" as const,
    headers: keptHeaders(headers),
    body: rawBody,
    clientAddress: clientAddress(headers),
    eventType: notifyType ? `${destination}:${notifyType}`.slice(0, 100) : destination,
  };
  const notifyId = fields.notify_id;
  if (!notifyId || !fields.sign) {
    await recordRejected(
      deps.db,
      { ...base, signatureValid: false },
      `malformed: ${notifyId ? "no sign" : "no notify_id"}`,
      await deps.now(),
    );
    return { status: 400, body: "fail" };
  }
  if (!verifyAlipayNotification(fields, deps.alipay.alipayPublicKey)) {
    await recordRejected(
      deps.db,
      { ...base, signatureValid: false },
      "bad_signature",
      await deps.now(),
    );
    log.warn(
      { destination, notifyType: notifyType?.slice(0, 50) },
      "Alipay notification with a bad signature",
    );
    return { status: 400, body: "fail" };
  }

  const { row, isNew } = await recordDelivery(
    deps.db,
    { ...base, eventKey: `alipay:${notifyId}`, signatureValid: true },
    await deps.now(),
  );
  if (!isNew && row.status !== "received" && row.status !== "failed") return SUCCESS;

  const applying = applyInboxRow(deps, alipayInboxHandler, row, parseAlipayNotification(fields));
  if ((await withinBudget(applying, deps.applyBudgetMs)) === "late") {
    log.warn(
      { inboxId: row.id },
      "acknowledged before the notification was applied; it goes on in the background",
    );
    deps.background(applying.catch(() => {}));
  }
  return SUCCESS;
}
