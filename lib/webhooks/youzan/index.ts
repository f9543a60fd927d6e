import type { WebhookInboxRow } from "@/db/schema";
import { getEnv } from "@/lib/env";
import { moduleLogger } from "@/lib/logger";
import { getOrderDeps } from "@/lib/orders/deps";
import { encodePushReply, parseYouzanPush } from "@/lib/payments/youzan/push";
import { YouzanError, type ParsedPush } from "@/lib/payments/youzan/types";
import { keptHeaders, markApplied, recordDelivery, recordRejected } from "../inbox";
import { applyTradePaid } from "./trade-paid";
import type { ApplyResult, YouzanEvent, YouzanWebhookDeps } from "./types";

const log = moduleLogger("webhook-youzan");

export const YOUZAN_WEBHOOK_MAX_BYTES = 256 * 1024;
const APPLY_BUDGET_MS = 3_000;

export async function getYouzanWebhookDeps(): Promise<YouzanWebhookDeps> {
  const { youzan } = getEnv();
  return {
    ...(await getOrderDeps()),
    credentials: {
      clientId: youzan.clientId,
      clientSecret: youzan.clientSecret,
      kdtId: youzan.kdtId,
    },
    applyBudgetMs: APPLY_BUDGET_MS,
  };
}

export interface WebhookReply {
  status: number;
  body: unknown;
}

const PAID_V2 = new Set([
  "TRADE_PAID",
  "TRADE_SUCCESS",
  "WAIT_CONFIRM",
  "WAIT_SELLER_SEND_GOODS",
  "WAIT_BUYER_CONFIRM_GOODS",
]);

/** One handler per event kind; everything else is recorded and ignored. */
async function dispatch(deps: YouzanWebhookDeps, event: YouzanEvent): Promise<ApplyResult> {
  // Checked here, not at receipt only, so a row applied later by the reconcile job is checked too.
  if (event.kdtId !== null && event.kdtId !== deps.credentials.kdtId) {
    return { status: "ignored", outcome: "foreign_shop" };
  }
  const paid =
    event.type === "trade_TradePaid" ||
    event.type === "trade_TradeSuccess" ||
    (event.type === "TRADE_ORDER_STATE" && event.status !== null && PAID_V2.has(event.status));
  if (paid) return applyTradePaid(deps, event);
  // Scans and closes of one Youzan trade change nothing here: our own time-to-live closes
  // orders, and a closed trade of a QR code does not mean the order is unpayable.
  return {
    status: "ignored",
    outcome: `no_effect:${event.type}${event.status ? `:${event.status}` : ""}`,
  };
}

/** Applies a recorded event and stores the outcome; errors become a failed attempt, not a throw. */
export async function applyInboxRow(
  deps: YouzanWebhookDeps,
  row: Pick<WebhookInboxRow, "id">,
  event: YouzanEvent,
): Promise<ApplyResult> {
  let result: ApplyResult;
  try {
    result = await dispatch(deps, event);
  } catch (error) {
    const retryable = error instanceof YouzanError ? error.retryable : true;
    result = {
      status: "failed",
      outcome: error instanceof YouzanError ? `provider_error:${error.code}` : "error",
    };
    log.warn({ inboxId: row.id, retryable, err: error }, "applying a Youzan push failed");
    await markApplied(deps.db, row.id, result.status, result.outcome, String(error)).catch(
      () => {},
    );
    return result;
  }
  await markApplied(deps.db, row.id, result.status, result.outcome);
  return result;
}

function eventOf(push: Extract<ParsedPush, { kind: "message" }>): YouzanEvent {
  return {
    type: push.type,
    status: push.status,
    tid: push.tid,
    qrId: push.qrId,
    kdtId: push.kdtId,
  };
}

const SUCCESS: WebhookReply = { status: 200, body: JSON.parse(encodePushReply()) as unknown };

/**
 * The webhook pipeline: verify → record in the inbox under the event key (a redelivery changes
 * nothing) → apply within a budget → acknowledge. The acknowledgement only ever follows the
 * durable record; when applying is slow the reply goes out anyway and the row stays unapplied
 * for the reconcile job, so Youzan's 5-second deadline never costs a payment.
 */
export async function handleYouzanPush(
  deps: YouzanWebhookDeps,
  rawBody: string,
  headers: Headers,
): Promise<WebhookReply> {
  const push = parseYouzanPush(rawBody, headers, deps.credentials);
  const base = { provider: "youzan" as const, headers: keptHeaders(headers), body: rawBody };

  if (push.kind === "heartbeat") return SUCCESS;
  if (push.kind === "malformed") {
    await recordRejected(
      deps.db,
      { ...base, eventType: null, signatureValid: false },
      `malformed: ${push.reason}`,
    );
    return { status: 400, body: { code: 400, msg: `malformed push: ${push.reason}` } };
  }
  if (!push.signatureValid) {
    await recordRejected(
      deps.db,
      { ...base, eventType: push.type, signatureValid: false },
      "bad_signature",
    );
    log.warn({ type: push.type }, "Youzan push with a bad signature");
    return { status: 401, body: { code: 401, msg: "invalid signature" } };
  }

  const { row, isNew } = await recordDelivery(deps.db, {
    ...base,
    eventKey: push.eventKey,
    eventType: push.type,
    signatureValid: true,
  });
  if (!isNew && (row.status === "processed" || row.status === "ignored")) return SUCCESS;

  const applying = applyInboxRow(deps, row, eventOf(push));
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), deps.applyBudgetMs);
  });
  const first = await Promise.race([applying, budget]);
  clearTimeout(timer);
  if (first === "late") {
    log.warn(
      { inboxId: row.id },
      "acknowledged before the push was applied; reconcile will finish it",
    );
    applying.catch(() => {});
  }
  return SUCCESS;
}

/**
 * For the reconcile job: the event a stored delivery carried. Its signature was checked when it
 * arrived (`signature_valid`); it is not checked again, so rotating the secret does not orphan
 * recorded pushes.
 */
export function eventOfStoredRow(
  row: WebhookInboxRow,
  credentials: YouzanWebhookDeps["credentials"],
): YouzanEvent | null {
  if (!row.signatureValid) return null;
  const headers = new Headers((row.headers as Record<string, string> | null) ?? {});
  const push = parseYouzanPush(row.body, headers, credentials);
  return push.kind === "message" ? eventOf(push) : null;
}
