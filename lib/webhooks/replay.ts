import "server-only";
import {
  claimUnapplied,
  recordAttempt,
  releaseClaims,
  type AttemptStatus,
} from "@/db/queries/webhook-inbox";
import type { WebhookInboxRow } from "@/db/schema";
import { moduleLogger } from "@/lib/logger";
import type { Db } from "@/db/client";
import type { ApplyResult, InboxHandler, RecordAttemptIn, WebhookDeps } from "./types";
import { storable } from "./inbox";
import { alipayInboxHandler } from "./alipay/handler";
import { youzanInboxHandler } from "./youzan/handler";

const log = moduleLogger("webhook-replay");

type Provider = WebhookInboxRow["provider"];

/** A provider's handler with its event type erased, so that one table can hold them all. */
interface Replayer {
  provider: Provider;
  replay(deps: WebhookDeps, row: WebhookInboxRow): Promise<AttemptResult>;
}

function replayer<E>(handler: InboxHandler<E>): Replayer {
  return { provider: handler.provider, replay: (deps, row) => applyInboxRow(deps, handler, row) };
}

/**
 * One handler per provider: the webhook routes and the reconcile job apply recorded events
 * through this table and nothing else. A provider without a handler has no webhook yet.
 */
const REPLAYERS: readonly Replayer[] = [replayer(youzanInboxHandler), replayer(alipayInboxHandler)];

/**
 * Applies one recorded row again through its provider's handler — the same path as the
 * reconcile job (the admin's "process again"); the caller holds the row's lease.
 */
export async function replayRow(deps: WebhookDeps, row: WebhookInboxRow): Promise<AttemptResult> {
  const replayer = REPLAYERS.find((candidate) => candidate.provider === row.provider);
  if (!replayer) throw new Error(`no inbox handler for provider ${row.provider}`);
  return replayer.replay(deps, row);
}

export interface AttemptResult {
  status: AttemptStatus;
  outcome: string;
}

/**
 * Applies one recorded event and stores how it went. Never throws for the event's own trouble:
 * a retryable failure leaves the row `failed` for a later attempt; a failure no attempt can cure,
 * or the last allowed attempt failing, makes it `dead` (counted on the admin overview).
 * `event` skips decoding when the webhook has just parsed the same delivery; `at`, the time the
 * attempt is recorded with, when the caller has just read the clock (the webhook, at receipt).
 */
export async function applyInboxRow<E>(
  deps: WebhookDeps,
  handler: InboxHandler<E>,
  row: WebhookInboxRow,
  event?: E,
  at?: Date,
): Promise<AttemptResult> {
  const lastAttempt = row.attempts + 1 >= deps.inboxMaxAttempts;
  // The attempt's time: when it started, read while it runs rather than after it (no round trip
  // on the way to the record). Every path awaits it; the catch only keeps an early failure handled.
  const attemptAt = at ? Promise.resolve(at) : deps.now();
  attemptAt.catch(() => {});
  const settled = (result: ApplyResult): AttemptResult =>
    result.status === "failed" && lastAttempt
      ? { status: "dead", outcome: result.outcome }
      : result;
  const store = async (db: Db, attempt: AttemptResult, error: string | null) =>
    recordAttempt(db, row.id, {
      ...attempt,
      outcome: storable(attempt.outcome),
      error: error === null ? null : storable(error).slice(0, 2_000),
      at: await attemptAt,
    });
  const finish = async (attempt: AttemptResult, error: string | null = null) => {
    await store(deps.db, attempt, error);
    return attempt;
  };

  const decoded = event ?? (row.signatureValid ? handler.decode(deps, row) : null);
  if (decoded === null) return finish({ status: "dead", outcome: "unreadable" });

  /** What the handler recorded in its own transaction; only read once that committed. */
  let recordedIn: AttemptResult | null = null;
  const recordIn: RecordAttemptIn = async (tx, result) => {
    const attempt = settled(result);
    await store(tx, attempt, null);
    recordedIn = attempt;
  };
  let result: ApplyResult;
  try {
    result = await handler.apply(deps, decoded, recordIn);
  } catch (error) {
    // Whatever the handler recorded in its transaction was rolled back with it.
    const { outcome, retryable } = handler.classify(error);
    log.warn({ inboxId: row.id, retryable, err: error }, "applying an event failed");
    const status = retryable && !lastAttempt ? "failed" : "dead";
    return finish({ status, outcome }, String(error)).catch(() => ({ status, outcome }));
  }
  return recordedIn ?? finish(settled(result));
}

export interface ReplaySummary {
  applied: number;
  failed: number;
  dead: number;
  stoppedEarly: boolean;
}

/**
 * How long a reconcile run holds the rows it claimed: well past a run's budget (20 s by default)
 * plus one slow provider call, so a live run never loses its rows; a run that dies frees them for
 * the next one after this.
 */
export const INBOX_CLAIM_LEASE_MS = 5 * 60_000;

/**
 * The reconcile job's half of the inbox: every provider's recorded events that were never
 * applied, or failed and may be tried again, oldest first, until `batch` or the budget runs out.
 * Rows are claimed with a lease first (`claimUnapplied`), so runs in parallel split the rows
 * instead of each applying all of them; rows claimed but not reached are given back.
 */
export async function replayInbox(
  deps: WebhookDeps,
  options: { batch: number; overBudget: () => boolean; leaseMs?: number },
): Promise<ReplaySummary> {
  const summary: ReplaySummary = { applied: 0, failed: 0, dead: 0, stoppedEarly: false };
  for (const { provider, replay } of REPLAYERS) {
    const rows = await claimUnapplied(deps.db, provider, {
      limit: options.batch,
      maxAttempts: deps.inboxMaxAttempts,
      now: await deps.now(),
      leaseMs: options.leaseMs ?? INBOX_CLAIM_LEASE_MS,
    });
    let next = 0;
    try {
      for (; next < rows.length; next++) {
        if (options.overBudget()) {
          summary.stoppedEarly = true;
          return summary;
        }
        const { status } = await replay(deps, rows[next] as WebhookInboxRow);
        if (status === "failed") summary.failed++;
        else if (status === "dead") summary.dead++;
        else summary.applied++;
      }
    } finally {
      // Whatever stopped this run (budget, an error), the rows it did not reach are free again.
      const unreached = rows.slice(next).map((row) => row.id);
      await releaseClaims(deps.db, unreached).catch((error: unknown) =>
        log.warn({ err: error }, "releasing inbox claims failed; their lease will run out"),
      );
    }
  }
  return summary;
}
