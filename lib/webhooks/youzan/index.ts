import "server-only";
import { encodePushReply, parseYouzanPush } from "@/lib/payments/youzan";
import { clientAddress } from "@/lib/http/client-ip";
import { moduleLogger } from "@/lib/logger";
import { keptHeaders, recordDelivery, recordRejected, recordUnreadable } from "../inbox";
import { withinBudget } from "../budget";
import { applyInboxRow } from "../replay";
import type { WebhookDeps } from "../types";
import { eventOfPush } from "./event";
import { youzanInboxHandler } from "./handler";

const log = moduleLogger("webhook-youzan");

export const YOUZAN_WEBHOOK_MAX_BYTES = 256 * 1024;

export interface WebhookReply {
  status: number;
  body: unknown;
}

const SUCCESS: WebhookReply = { status: 200, body: JSON.parse(encodePushReply()) as unknown };

/**
 * The webhook pipeline: verify → record in the inbox under the event key (a redelivery changes
 * nothing) → apply within a budget → acknowledge. The acknowledgement only ever follows the
 * durable record; when applying is slow the reply goes out anyway, the apply goes on in the
 * background (`deps.background`, Next's `after()`), and if it never finishes the row stays
 * unapplied for the reconcile job — Youzan's 5-second deadline never costs a payment.
 */
export async function handleYouzanPush(
  deps: WebhookDeps,
  rawBody: string,
  headers: Headers,
): Promise<WebhookReply> {
  const push = parseYouzanPush(rawBody, headers, deps.youzanCredentials);
  const base = {
    provider: "youzan" as const,
    headers: keptHeaders(headers),
    body: rawBody,
    clientAddress: clientAddress(headers),
  };

  if (push.kind === "heartbeat") return SUCCESS;
  if (push.kind === "malformed") {
    // Stored in part, and not at all past the per-client limit; the answer is the same either way.
    await recordRejected(
      deps.db,
      { ...base, eventType: null, signatureValid: false },
      `malformed: ${push.reason}`,
      await deps.now(),
    );
    return { status: 400, body: { code: 400, msg: `malformed push: ${push.reason}` } };
  }
  if (push.kind === "unreadable") {
    // Youzan signed it: refusing it would only bring it back 16 times. Kept, ignored, answered.
    await recordUnreadable(
      deps.db,
      { ...base, eventKey: push.eventKey, eventType: push.type, signatureValid: true },
      push.reason,
      await deps.now(),
    );
    log.warn({ reason: push.reason }, "a verified Youzan push could not be read; ignored");
    return SUCCESS;
  }
  if (!push.signatureValid) {
    await recordRejected(
      deps.db,
      { ...base, eventType: push.type, signatureValid: false },
      "bad_signature",
      await deps.now(),
    );
    log.warn({ type: push.type.slice(0, 100) }, "Youzan push with a bad signature");
    return { status: 401, body: { code: 401, msg: "invalid signature" } };
  }

  const receivedAt = await deps.now();
  const { row, isNew } = await recordDelivery(
    deps.db,
    { ...base, eventKey: push.eventKey, eventType: push.type, signatureValid: true },
    receivedAt,
  );
  // Finished with (applied, ignored, or given up on): a redelivery changes nothing.
  if (!isNew && row.status !== "received" && row.status !== "failed") return SUCCESS;

  // Applied at once: the attempt is recorded with the time of receipt (one clock read a push).
  const applying = applyInboxRow(deps, youzanInboxHandler, row, eventOfPush(push), receivedAt);
  if ((await withinBudget(applying, deps.applyBudgetMs)) === "late") {
    log.warn(
      { inboxId: row.id },
      "acknowledged before the push was applied; it goes on in the background",
    );
    deps.background(applying.catch(() => {}));
  }
  return SUCCESS;
}
