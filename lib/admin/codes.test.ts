import { describe, expect, it } from "vitest";
import { codeKey } from "@/components/admin/code-label";
import { loadMessages } from "@/i18n/catalog";
import { LOCALES } from "@/i18n/locales";
import { ALIPAY_METHODS, knownAlipayCodes } from "@/lib/payments/alipay";
import {
  AGREEMENT_STATUSES,
  DEDUCTION_OUTCOMES,
  LOGGED_METHODS,
  SUBSCRIPTION_ACTIONS,
} from "./subscriptions";

/*
 * Every code the admin shows about subscriptions has a human label in both languages (the raw
 * code is shown beside it): statuses, outcomes, methods, and every Alipay result code the
 * outcome table knows — a code added there without a label fails here.
 */

function lookup(tree: unknown, path: string): unknown {
  let node = tree;
  for (const key of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const groups: [string, readonly string[]][] = [
  ["agreementStatus", AGREEMENT_STATUSES],
  ["attemptStatus", ["pending", "succeeded", "failed", "unknown"]],
  ["alipayOutcome", DEDUCTION_OUTCOMES],
  ["alipayMethod", LOGGED_METHODS],
  ["alipayCode", knownAlipayCodes()],
];

describe.each(LOCALES)("admin code labels in %s", (locale) => {
  it.each(groups)("every %s code has a label", async (group, codes) => {
    const messages = await loadMessages(locale);
    expect(codes.length).toBeGreaterThan(2);
    for (const code of codes) {
      const label = lookup(messages, `admin.codes.${group}.${codeKey(code)}`);
      expect(typeof label, `${locale}: ${group}.${code}`).toBe("string");
    }
  });

  it("labels every logged method the client can call, and every action's answer", async () => {
    const messages = await loadMessages(locale);
    for (const method of LOGGED_METHODS) expect(Object.values(ALIPAY_METHODS)).toContain(method);
    for (const outcome of ["paid", "declined", "postponed", "in_sync", "ended", "succeeded"]) {
      expect(typeof lookup(messages, `admin.codes.subscriptionOutcome.${outcome}`)).toBe("string");
    }
    expect(SUBSCRIPTION_ACTIONS).toEqual(["retry", "postpone", "unsign", "refresh"]);
  });
});

describe("codeKey", () => {
  it("turns the dots of a code into underscores (keys are paths)", () => {
    expect(codeKey("ACQ.BUYER_BALANCE_NOT_ENOUGH")).toBe("ACQ_BUYER_BALANCE_NOT_ENOUGH");
    expect(codeKey("alipay.trade.pay")).toBe("alipay_trade_pay");
    expect(codeKey("10000")).toBe("10000");
  });
});
