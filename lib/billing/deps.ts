import type { AlertSink } from "@/lib/alerts";
import type { SubscriptionDeps } from "@/lib/subscriptions/deps";
import type { BillingPolicy } from "./schedule";

export interface BillingSettings {
  enabled: boolean;
  policy: BillingPolicy;
  concurrency: number;
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
