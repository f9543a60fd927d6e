import { getEnv, type Env } from "@/lib/env";
import { firstAttemptDate, STALE_PENDING_MS, type BillingPolicy } from "./schedule";

/*
 * The billing policy of this deployment, from the environment: Alipay's early window
 * (`BILLING_EARLY_DAYS`), the attempts per period (`BILLING_MAX_ATTEMPTS`) and the reminder's lead
 * (`NOTICE_REMIND_DAYS`), which also decides how soon a short period is first charged. The
 * billing runs, the notices and the buyer's pages read it from here, so the day a page names is
 * the day the run charges.
 */

export function billingPolicy(env: Pick<Env, "billing" | "mail"> = getEnv()): BillingPolicy {
  return {
    earlyDays: env.billing.earlyDays,
    maxAttempts: env.billing.maxAttempts,
    stalePendingMs: STALE_PENDING_MS,
    remindDays: env.mail.remindDays,
  };
}

/**
 * The day money next leaves for an auto-renewing agreement: its current period's first attempt
 * (up to `BILLING_EARLY_DAYS` before the scheduled date Alipay knows), or null when none will.
 */
export function nextChargeDayOf(
  agreement: {
    status: string;
    autoRenew: boolean;
    nextChargeDate: string | null;
    periodDays: number;
  },
  policy: Pick<BillingPolicy, "earlyDays" | "remindDays"> = billingPolicy(),
): string | null {
  return agreement.status === "active" && agreement.autoRenew && agreement.nextChargeDate
    ? firstAttemptDate(agreement.nextChargeDate, agreement.periodDays, policy)
    : null;
}
