import type { AlertItem, AlertSink, RunAlert } from "@/lib/alerts";
import type { BillingDeps, BillingSettings } from "@/lib/billing/deps";
import { DEFAULT_POLICY } from "@/lib/billing/schedule";
import type { AlipayTestbed } from "./alipay-testbed";

/** An alert sink that keeps what it was sent, for assertions. */
export function recordingSink(): AlertSink & { sent: RunAlert[]; items(): AlertItem[] } {
  const sent: RunAlert[] = [];
  return {
    sent,
    items: () => sent.flatMap((alert) => alert.items),
    async send(alert) {
      sent.push(alert);
      return { delivered: true };
    },
  };
}

/** Billing on top of the Alipay testbed: the real client, the sandbox, the virtual clock. */
export function billingDeps(
  bed: AlipayTestbed,
  settings: Partial<BillingSettings> = {},
): BillingDeps & { alerts: ReturnType<typeof recordingSink> } {
  return {
    ...bed.deps,
    statusCheckIntervalMs: 0,
    billing: {
      enabled: true,
      policy: DEFAULT_POLICY,
      concurrency: 4,
      batchSize: 50,
      timeBudgetMs: 60_000,
      ...settings,
    },
    alerts: recordingSink(),
  };
}
