import { describe, expect, it } from "vitest";
import { CATALOGUE } from "@/db/seed";
import { assertPlans, DEFAULT_SINGLE_CAP_FEN, planViolations, PlanRuleError } from "./plan-rules";

const plan = { slug: "weekly", kind: "membership" as const, priceFen: 990, periodDays: 7 };

describe("membership plan rules", () => {
  it("accepts a weekly plan under the cap, and the cap itself", () => {
    expect(planViolations(plan, DEFAULT_SINGLE_CAP_FEN)).toEqual([]);
    expect(planViolations({ ...plan, priceFen: 10_000 }, 10_000)).toEqual([]);
  });

  it.each([
    ["a 6-day period", { periodDays: 6 }, ["period_min_days"]],
    ["no period", { periodDays: null }, ["period_min_days"]],
    ["a fractional period", { periodDays: 7.5 }, ["period_min_days"]],
    ["a price over the cap", { priceFen: 10_001 }, ["single_charge_cap"]],
    ["both", { periodDays: 1, priceFen: 20_000 }, ["period_min_days", "single_charge_cap"]],
  ])("refuses %s, naming the rule", (_label, change, rules) => {
    const violations = planViolations({ ...plan, ...change }, DEFAULT_SINGLE_CAP_FEN);
    expect(violations.map((v) => v.rule)).toEqual(rules);
    for (const v of violations) expect(v.message).toContain("plan weekly");
  });

  it("says the amounts in yuan and where the cap comes from", () => {
    const [violation] = planViolations({ ...plan, priceFen: 12_000 }, 10_000);
    expect(violation?.message).toContain("¥120.00");
    expect(violation?.message).toContain("¥100.00");
    expect(violation?.message).toContain("ALIPAY_SINGLE_CAP_FEN");
  });

  it("does not apply to one-off products or credit packs", () => {
    expect(planViolations({ slug: "e", kind: "one_off", priceFen: 99_999 }, 100)).toEqual([]);
    expect(planViolations({ slug: "c", kind: "credit_pack", priceFen: 99_999 }, 100)).toEqual([]);
  });

  it("assertPlans names every broken plan", () => {
    const broken = [
      { ...plan, slug: "daily", periodDays: 1 },
      plan,
      { ...plan, slug: "pricey", priceFen: 50_000 },
    ];
    expect(() => assertPlans(broken, DEFAULT_SINGLE_CAP_FEN)).toThrow(PlanRuleError);
    expect(() => assertPlans(broken, DEFAULT_SINGLE_CAP_FEN)).toThrow(/daily.*pricey/);
  });

  it("the seeded catalogue keeps the rules at the default cap", () => {
    expect(() => assertPlans(CATALOGUE, DEFAULT_SINGLE_CAP_FEN)).not.toThrow();
  });
});
