import "server-only";
import type { Db } from "@/db/client";
import type { WebhookInboxRow } from "@/db/schema";
import type { OrderDeps } from "@/lib/orders/deps";
import type { AlipayDeps } from "@/lib/subscriptions/deps";

export interface YouzanPushCredentials {
  clientId: string;
  clientSecret: string;
  kdtId: string;
}

/** Alipay as the webhooks see it: the port and checks, plus the key notifications verify with. */
export interface AlipayWebhookDeps extends AlipayDeps {
  /** Alipay's public key (sandbox: the sandbox's "Alipay" key). */
  alipayPublicKey: string;
}

/** What the webhook pipelines and the inbox replay need; built in `lib/runtime.ts`. */
export interface WebhookDeps extends OrderDeps {
  youzanCredentials: YouzanPushCredentials;
  alipay: AlipayWebhookDeps;
  /** How long the webhook waits for the effect before acknowledging anyway (Youzan allows 5 s). */
  applyBudgetMs: number;
  /** A recorded event is attempted this many times, then it is `dead` and left to the owner. */
  inboxMaxAttempts: number;
  /**
   * Keeps work alive after the response went out (Next's `after()` on the platform); tests pass
   * a collector they await.
   */
  background: (task: Promise<unknown>) => void;
}

/** What applying one event did; `failed` may be tried again, the others are final. */
export interface ApplyResult {
  status: "processed" | "ignored" | "failed";
  outcome: string;
}

/**
 * Records the outcome of the attempt inside the caller's transaction: a handler whose effect is
 * one transaction (a settlement) commits its inbox record with it, one round trip and one
 * transaction fewer, and never an effect without its record. Called at most once, with the
 * result `apply` then returns; a handler that does not call it is recorded after it returns.
 */
export type RecordAttemptIn = (tx: Db, result: ApplyResult) => Promise<void>;

/**
 * One provider's events in the inbox: how to read a stored, verified delivery back into an
 * event, how to apply it, and which errors a later attempt may cure. The replay path
 * (`lib/webhooks/replay.ts`) is the same for every provider.
 */
export interface InboxHandler<E> {
  provider: WebhookInboxRow["provider"];
  /** The event a verified stored delivery carries; null when it cannot be read (never will be). */
  decode(deps: WebhookDeps, row: WebhookInboxRow): E | null;
  apply(deps: WebhookDeps, event: E, recordIn?: RecordAttemptIn): Promise<ApplyResult>;
  /** A short, stable outcome for a thrown error (shown to the owner) and whether to retry. */
  classify(error: unknown): { outcome: string; retryable: boolean };
}
