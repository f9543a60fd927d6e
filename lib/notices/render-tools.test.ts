import { createFormatter, createTranslator } from "next-intl";
import type * as NextIntl from "next-intl";
import { describe, expect, it, vi } from "vitest";
import { renderNotice } from "./render";
import type { ReceiptView, RenderContext } from "./views";

vi.mock("next-intl", async (importOriginal) => {
  const original = await importOriginal<typeof NextIntl>();
  return {
    ...original,
    createTranslator: vi.fn(original.createTranslator),
    createFormatter: vi.fn(original.createFormatter),
  };
});

/*
 * A translator compiles each message the first time it formats it, and an Intl formatter is
 * costly to build: making them for every mail was most of a receipt's rendering (0.74 ms of
 * 0.9 here; a burst of paid orders renders two mails each). They are made once per locale.
 */

const receipt = (orderNo: string): ReceiptView => ({
  kind: "receipt",
  orderNo,
  productTitle: "一个人的副业手册",
  productKind: "one_off",
  credits: null,
  amountFen: 990,
  paidAt: new Date("2026-11-30T16:30:00Z"),
  libraryUrl: "https://shop.example.com/account/library",
  ordersUrl: "https://shop.example.com/account/orders",
});
const ctx = (locale: RenderContext["locale"]): RenderContext => ({
  locale,
  appUrl: "https://shop.example.com",
  unsubscribeUrl: null,
  to: "buyer@example.com",
});

describe("the notice templates' translators", () => {
  it("are made once per locale, however many mails are rendered", () => {
    const locales = ["zh-CN", "en", "zh-CN", "en", "zh-CN"] as const;
    const orderNos = locales.map((_, i) => `XP2026120100000000000${i}`);
    const mails = locales.map((locale, i) => renderNotice(receipt(orderNos[i]!), ctx(locale)));
    expect(vi.mocked(createTranslator)).toHaveBeenCalledTimes(2);
    expect(vi.mocked(createFormatter)).toHaveBeenCalledTimes(2);
    // Nothing of one mail stays in the next: each says its own order, in its own language.
    mails.forEach((mail, i) => expect(mail.subject).toContain(orderNos[i]));
    expect(mails[0]!.subject).toMatch(/订单/);
    expect(mails[1]!.subject).toMatch(/order/i);
    const swap = (s: string) => s.replaceAll(orderNos[0]!, orderNos[2]!);
    expect(mails[2]).toEqual({
      ...mails[0]!,
      subject: swap(mails[0]!.subject),
      html: swap(mails[0]!.html),
      text: swap(mails[0]!.text),
    });
  });
});
