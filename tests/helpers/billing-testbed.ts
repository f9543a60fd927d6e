import type { AlertItem, AlertSink, RunAlert } from "@/lib/alerts";
import type { BillingDeps, BillingSettings } from "@/lib/billing/deps";
import { DEFAULT_POLICY } from "@/lib/billing/schedule";
import { shanghaiDate, startOfShanghaiDate } from "@/lib/clock";
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

/**
 * Moves the virtual clock forward to the next `hour`:00 in Asia/Shanghai, so that a test that
 * steps whole days never straddles the billing day's midnight, whatever the real time is.
 */
export async function atShanghaiHour(bed: AlipayTestbed, hour: number): Promise<Date> {
  const now = await bed.deps.now();
  let target = new Date(startOfShanghaiDate(shanghaiDate(now)).getTime() + hour * 3_600_000);
  if (target.getTime() <= now.getTime()) target = new Date(target.getTime() + 86_400_000);
  await bed.advance((target.getTime() - now.getTime()) / 1000);
  return bed.deps.now();
}
