import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
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

describe("audit action labels", () => {
  /** Every `action: "x.y"` the code writes, and the actions it builds from a name. */
  function writtenActions(): string[] {
    const found = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) {
          for (const m of readFileSync(full, "utf8").matchAll(/action: "([a-z_]+\.[a-z_.]+)"/g)) {
            found.add(m[1]!);
          }
        }
      }
    };
    for (const dir of ["lib", "db", "app"]) walk(path.join(process.cwd(), dir));
    for (const action of SUBSCRIPTION_ACTIONS) found.add(`subscription.${action}`);
    for (const kind of ["orders", "deductions"]) found.add(`export.${kind}`);
    for (const verb of ["deactivate", "reactivate"]) found.add(`product.${verb}`);
    return [...found];
  }

  it.each(LOCALES)("every action the code writes has a label in %s", async (locale) => {
    const messages = await loadMessages(locale);
    const actions = writtenActions();
    expect(actions.length).toBeGreaterThan(20);
    for (const action of actions) {
      expect(
        typeof lookup(messages, `admin.codes.auditAction.${codeKey(action)}`),
        `${locale}: ${action}`,
      ).toBe("string");
    }
  });
});
