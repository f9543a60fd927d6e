import { describe, expect, it } from "vitest";
import en from "@/messages/en.json";
import zhCN from "@/messages/zh-CN.json";
import {
  CHECKOUT_STATES,
  checkoutState,
  isOpenState,
  type CheckoutState,
  type MembershipFacts,
} from "./checkout-state";

const LOCALES = { "zh-CN": zhCN, en } as const;
const PARTS = ["title", "heading", "amount"] as const;

function words(locale: keyof typeof LOCALES, state: CheckoutState) {
  const states = LOCALES[locale].checkout.states as Record<string, Record<string, string>>;
  return states[state];
}

const member = (facts: Partial<MembershipFacts> = {}): MembershipFacts => ({
  agreementStatus: "pending_sign",
  signable: false,
  declined: false,
  ...facts,
});

describe("checkoutState", () => {
  it("a QR order shows its status; pending is waiting", () => {
    expect(checkoutState({ status: "pending" })).toBe("waiting");
    for (const status of ["paid", "expired", "closed", "review", "refunded"] as const) {
      expect(checkoutState({ status })).toBe(status);
    }
  });

  it("a membership order: signature, first charge, declined, app payment, subscribed", () => {
    const pending = { status: "pending" } as const;
    expect(checkoutState(pending, member({ signable: true }))).toBe("signWaiting");
    expect(checkoutState(pending, member({ agreementStatus: "active" }))).toBe("charging");
    expect(checkoutState(pending, member({ agreementStatus: "active", declined: true }))).toBe(
      "chargeDeclined",
    );
    expect(checkoutState(pending, member())).toBe("appWaiting");
    expect(checkoutState({ status: "paid" }, member({ agreementStatus: "active" }))).toBe(
      "subscribed",
    );
    // Paid without signing (the app flow) is still subscribed for the period paid.
    expect(checkoutState({ status: "paid" }, member())).toBe("subscribed");
  });

  it("only unpaid, unfinished states are open", () => {
    const open = CHECKOUT_STATES.filter(isOpenState);
    expect(open).toEqual(["waiting", "signWaiting", "charging", "chargeDeclined", "appWaiting"]);
  });
});

describe("every checkout state has its own words (#10: the paid state must not read unpaid)", () => {
  it.each(Object.keys(LOCALES) as (keyof typeof LOCALES)[])(
    "%s: a title, a heading and an amount label for each state",
    (locale) => {
      for (const state of CHECKOUT_STATES) {
        for (const part of PARTS) {
          expect(words(locale, state)?.[part]?.trim(), `${locale} ${state}.${part}`).toBeTruthy();
        }
      }
      // No state of the messages is left without a state in the code either.
      expect(Object.keys(LOCALES[locale].checkout.states).sort()).toEqual(
        [...CHECKOUT_STATES].sort(),
      );
    },
  );

  it.each(Object.keys(LOCALES) as (keyof typeof LOCALES)[])(
    "%s: titles and headings differ from state to state",
    (locale) => {
      for (const part of ["title", "heading"] as const) {
        const seen = CHECKOUT_STATES.map((state) => words(locale, state)![part]);
        expect(new Set(seen).size, `${locale} ${part}s: ${seen.join(" | ")}`).toBe(seen.length);
      }
    },
  );

  it.each(Object.keys(LOCALES) as (keyof typeof LOCALES)[])(
    "%s: only the waiting checkout says the amount is due; paid says paid",
    (locale) => {
      const due = words(locale, "waiting")!.amount;
      for (const state of CHECKOUT_STATES.filter((s) => s !== "waiting")) {
        expect(words(locale, state)!.amount, `${locale} ${state}`).not.toBe(due);
      }
      expect(words(locale, "paid")!.amount).not.toBe(words(locale, "waiting")!.amount);
      expect(words(locale, "paid")!.title).not.toBe(words(locale, "waiting")!.title);
      expect(words(locale, "subscribed")!.amount).not.toBe(words(locale, "signWaiting")!.amount);
    },
  );

  it("the Chinese paid checkout no longer says 应付金额 or 扫码支付", () => {
    expect(words("zh-CN", "paid")).toEqual({
      title: "支付成功",
      heading: "支付成功",
      amount: "实付金额",
    });
    for (const state of CHECKOUT_STATES) {
      expect(words("zh-CN", state)!.title).not.toBe("扫码支付");
    }
  });
});
