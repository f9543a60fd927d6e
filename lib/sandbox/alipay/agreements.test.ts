import { describe, expect, it } from "vitest";
import { parseSignTerms } from "./agreements";

const good = {
  personal_product_code: "CYCLE_PAY_AUTH_P",
  sign_scene: "INDUSTRY|DIGITAL_MEDIA",
  external_agreement_no: "agr123",
  access_params: { channel: "ALIPAYAPP" },
  period_rule_params: {
    period_type: "DAY",
    period: 30,
    execute_time: "2026-03-31",
    single_amount: "19.90",
  },
};

const reason = (patch: Record<string, unknown>) => {
  const parsed = parseSignTerms({ ...good, ...patch });
  return parsed.ok ? null : parsed.reason;
};
const rule = (patch: Record<string, unknown>) =>
  reason({ period_rule_params: { ...good.period_rule_params, ...patch } });

describe("agreement sign params (spec §4.2, §6)", () => {
  it("accepts the documented shape", () => {
    const parsed = parseSignTerms(good);
    expect(parsed).toMatchObject({
      ok: true,
      value: { periodType: "DAY", period: 30, singleAmountFen: 1990, executeTime: "2026-03-31" },
    });
  });

  it("refuses what Alipay refuses", () => {
    expect(reason({ personal_product_code: "GENERAL_WITHHOLDING_P" })).toMatch(/CYCLE_PAY_AUTH_P/);
    expect(reason({ access_params: {} })).toMatch(/channel/);
    expect(reason({ sign_scene: undefined })).toMatch(/sign_scene/);
    expect(reason({ sign_scene: "DEFAULT|DEFAULT" })).toMatch(/sign_scene/);
    expect(reason({ external_agreement_no: "a-b" })).toMatch(/external_agreement_no/);
    expect(rule({ period: 6 })).toMatch(/at least 7/);
    expect(rule({ period_type: "WEEK" })).toMatch(/DAY or MONTH/);
    expect(rule({ period_type: "MONTH", period: 1, execute_time: "2026-03-29" })).toMatch(/1-28/);
    expect(rule({ execute_time: "2026-02-30" })).toMatch(/execute_time/);
    expect(rule({ single_amount: "0" })).toMatch(/single_amount/);
    expect(reason({ period_rule_params: undefined })).toMatch(/period_rule_params/);
  });

  it("sign_scene may default without external_agreement_no", () => {
    const parsed = parseSignTerms({
      ...good,
      external_agreement_no: undefined,
      sign_scene: undefined,
    });
    expect(parsed).toMatchObject({ ok: true, value: { signScene: "DEFAULT|DEFAULT" } });
  });
});
