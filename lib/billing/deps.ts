import type { AlertSink } from "@/lib/alerts";
import type { SubscriptionDeps } from "@/lib/subscriptions/deps";
import type { BillingPolicy } from "./schedule";

export interface BillingSettings {
  enabled: boolean;
  policy: BillingPolicy;
  /** Calls in flight at Alipay at once. */
  concurrency: number;
  /**
   * Agreements in progress at once (default twice `concurrency`): the others read and write
   * the database while `concurrency` of them wait for Alipay. 1 makes a plain loop.
   */
  lanes?: number;
  batchSize: number;
  timeBudgetMs: number;
  /** How long a claim keeps other runs away (default 5 minutes; lapses if the run dies). */
  leaseMs?: number;
}

export interface BillingDeps extends SubscriptionDeps {
  billing: BillingSettings;
  alerts: AlertSink;
  /** Throttle of the status questions the reconcile phase asks about waiting agreements. */
  statusCheckIntervalMs: number;
}
