import { formatFen } from "@/lib/money";

/**
 * The rules a membership plan must keep to be sold with Alipay periodic deduction
 * (../shared/specs/alipay.md §6): Alipay refuses a DAY period under 7 days, and no single
 * deduction may exceed the cap the shop signed for (`ALIPAY_SINGLE_CAP_FEN`, default ¥100).
 * Checked where a plan comes into being — the seed, and the product editor when it exists — so
 * that a plan that could never be charged is refused with the rule named, not discovered at the
 * first renewal. Pure.
 */

export const MIN_PERIOD_DAYS = 7;
export const DEFAULT_SINGLE_CAP_FEN = 10_000;

export interface PlanTerms {
  slug: string;
  kind: "one_off" | "membership" | "credit_pack";
  priceFen: number;
  periodDays?: number | null;
}

export type PlanRule = "period_min_days" | "single_charge_cap";

export interface PlanViolation {
  rule: PlanRule;
  message: string;
}

export function planViolations(plan: PlanTerms, singleCapFen: number): PlanViolation[] {
  if (plan.kind !== "membership") return [];
  const violations: PlanViolation[] = [];
  const period = plan.periodDays ?? 0;
  if (!Number.isInteger(period) || period < MIN_PERIOD_DAYS) {
    violations.push({
      rule: "period_min_days",
      message: `plan ${plan.slug}: a period must be at least ${MIN_PERIOD_DAYS} days (Alipay refuses shorter ones), not ${plan.periodDays ?? "none"}`,
    });
  }
  if (plan.priceFen > singleCapFen) {
    violations.push({
      rule: "single_charge_cap",
      message: `plan ${plan.slug}: the price ${formatFen(plan.priceFen)} exceeds the single-charge cap ${formatFen(singleCapFen)} (ALIPAY_SINGLE_CAP_FEN)`,
    });
  }
  return violations;
}

/** Refuses plans that break a rule, naming each broken rule of each plan. */
export class PlanRuleError extends Error {
  constructor(readonly violations: readonly PlanViolation[]) {
    super(
      `Membership plans break the Alipay rules: ${violations.map((v) => v.message).join("; ")}`,
    );
    this.name = "PlanRuleError";
  }
}

export function assertPlans(plans: readonly PlanTerms[], singleCapFen: number): void {
  const violations = plans.flatMap((plan) => planViolations(plan, singleCapFen));
  if (violations.length > 0) throw new PlanRuleError(violations);
}
