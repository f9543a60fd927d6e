import { describe, expect, it } from "vitest";
import { LOCALES, type Locale } from "@/i18n/locales";
import { escapeHtml, oneLine, safeUrl } from "./render-html";
import { MAIL_PREVIEW_CSP, previewHtml } from "./render-preview";
import { renderDingTalk, renderNotice } from "./render";
import type { AutoRenewCancelledView, NoticeView, RenderContext, RenewalFailedView } from "./views";

/*
 * The templates, kind by kind and in both languages. Instants sit just after midnight in
 * Shanghai (16:30 UTC the day before), so a template that used UTC or the machine's zone would
 * show the wrong day.
 */

const APP = "https://shop.example.com";
/** 2026-12-01 00:30 in Shanghai; 2026-11-30 in UTC. */
const NEAR_MIDNIGHT = new Date("2026-11-30T16:30:00Z");
/** 2026-12-31 00:05 in Shanghai. */
const ENDS = new Date("2026-12-30T16:05:00Z");
const HOSTILE = `<script>alert("x")</script> & 'q'`;

const VIEWS = {
  receipt: {
    kind: "receipt",
    orderNo: "XP20261201ABCDEFGHJK",
    productTitle: "一个人的副业手册",
    productKind: "one_off",
    credits: null,
    amountFen: 990,
    paidAt: NEAR_MIDNIGHT,
    libraryUrl: `${APP}/account/library`,
    ordersUrl: `${APP}/account/orders`,
  },
  membership_started: {
    kind: "membership_started",
    orderNo: "XP20261201MEMBER0001",
    planTitle: "月度会员",
    amountFen: 3000,
    periodDays: 30,
    endsAt: ENDS,
    nextChargeDate: "2026-12-31",
    autoRenew: true,
    manageUrl: `${APP}/account/membership`,
    libraryUrl: `${APP}/account/library`,
  },
  renewal_reminder: {
    kind: "renewal_reminder",
    planTitle: "月度会员",
    amountFen: 3000,
    chargeDate: "2026-12-31",
    periodIndex: 2,
    manageUrl: `${APP}/account/membership`,
  },
  renewal_succeeded: {
    kind: "renewal_succeeded",
    orderNo: "XP20261201RENEW00002",
    planTitle: "月度会员",
    amountFen: 3000,
    periodIndex: 2,
    paidAt: NEAR_MIDNIGHT,
    endsAt: ENDS,
    nextChargeDate: "2027-01-30",
    manageUrl: `${APP}/account/membership`,
  },
  renewal_failed: {
    kind: "renewal_failed",
    planTitle: "月度会员",
    amountFen: 3000,
    periodIndex: 2,
    reasonCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
    nextRetryAt: NEAR_MIDNIGHT,
    endsAt: ENDS,
    manageUrl: `${APP}/account/membership`,
  },
  membership_lapsed: {
    kind: "membership_lapsed",
    planTitle: "月度会员",
    endedAt: NEAR_MIDNIGHT,
    plansUrl: `${APP}/products/monthly`,
  },
  auto_renew_cancelled: {
    kind: "auto_renew_cancelled",
    planTitle: "月度会员",
    endsAt: ENDS,
    via: "shop",
    plansUrl: `${APP}/products/monthly`,
  },
  refund: {
    kind: "refund",
    orderNo: "XP20261201REFUND0001",
    productTitle: "一个人的副业手册",
    refundFen: 990,
    amountFen: 990,
    refundedAt: NEAR_MIDNIGHT,
    method: "alipay",
    ordersUrl: `${APP}/account/orders`,
  },
  password_reset: {
    kind: "password_reset",
    resetUrl: `${APP}/reset-password?token=abc123`,
    expiresAt: NEAR_MIDNIGHT,
  },
  owner_new_order: {
    kind: "owner_new_order",
    orderNo: "XP20261201OWNER00001",
    productTitle: "一个人的副业手册",
    amountFen: 990,
    buyerEmail: "buyer@example.com",
    channel: "youzan",
    paidAt: NEAR_MIDNIGHT,
    adminUrl: `${APP}/admin/orders/XP20261201OWNER00001`,
  },
  owner_digest: {
    kind: "owner_digest",
    date: "2026-12-01",
    paidOrders: 12,
    revenueFen: 123456,
    failingAgreements: 1,
    ordersInReview: 2,
    deadWebhooks: 0,
    failedNotices: 3,
    links: {
      failing: `${APP}/admin/subscriptions?status=failing`,
      review: `${APP}/admin/orders?status=review`,
      webhooks: `${APP}/admin/webhooks?status=dead`,
      notices: `${APP}/admin/notices?status=dead`,
      dashboard: `${APP}/admin`,
    },
  },
} satisfies { [K in NoticeView["kind"]]: Extract<NoticeView, { kind: K }> };

/** The view as the loader gives it for an English reader: product and plan titles in English. */
function viewIn(locale: Locale, view: NoticeView): NoticeView {
  if (locale !== "en") return view;
  const titles: Record<string, string> = {
    一个人的副业手册: "The Side-Hustle Handbook",
    月度会员: "Monthly membership",
  };
  const out: Record<string, unknown> = { ...view };
  for (const key of ["productTitle", "planTitle"]) {
    const value = out[key];
    if (typeof value === "string") out[key] = titles[value] ?? value;
  }
  return out as unknown as NoticeView;
}

const ctx = (locale: Locale, extra: Partial<RenderContext> = {}): RenderContext => ({
  locale,
  appUrl: APP,
  unsubscribeUrl: null,
  to: "buyer@example.com",
  ...extra,
});

/** The facts each kind must show, per language (amounts formatted, Shanghai dates). */
const FACTS: Record<NoticeView["kind"], Record<Locale, string[]>> = {
  receipt: {
    "zh-CN": [
      "XP20261201ABCDEFGHJK",
      "一个人的副业手册",
      "¥9.90",
      "2026年12月1日 00:30",
      "打开我的书架",
    ],
    en: ["XP20261201ABCDEFGHJK", "¥9.90", "December 1, 2026", "00:30", "Open my library"],
  },
  membership_started: {
    "zh-CN": ["月度会员", "¥30.00 / 30 天", "2026年12月31日 00:05", "下次扣款日", "2026年12月31日"],
    en: ["¥30.00 per 30-day period", "December 31, 2026", "Next charge", "cancel auto-renewal"],
  },
  renewal_reminder: {
    "zh-CN": ["¥30.00", "2026年12月31日", "之前", "取消自动续费"],
    en: ["¥30.00", "December 31, 2026", "before December 31, 2026"],
  },
  renewal_succeeded: {
    "zh-CN": ["¥30.00", "第 2 期", "2026年12月1日 00:30", "2026年12月31日 00:05", "2027年1月30日"],
    en: ["¥30.00", "Period 2", "December 1, 2026", "December 31, 2026", "January 30, 2027"],
  },
  renewal_failed: {
    "zh-CN": ["¥30.00", "支付宝账户余额不足", "充值", "更换付款方式", "2026年12月1日 00:30"],
    en: ["¥30.00", "Alipay balance was not enough", "top up", "December 1, 2026"],
  },
  membership_lapsed: {
    "zh-CN": ["月度会员", "2026年12月1日 00:30", "重新订阅"],
    en: ["December 1, 2026", "Subscribe again"],
  },
  auto_renew_cancelled: {
    "zh-CN": ["会员页取消", "2026年12月31日 00:05", "不会再扣款"],
    en: ["membership page", "December 31, 2026", "nothing more will be charged"],
  },
  refund: {
    "zh-CN": ["全额退款 ¥9.90", "原路退回", "2026年12月1日 00:30"],
    en: ["refunded in full: ¥9.90", "Alipay", "December 1, 2026"],
  },
  password_reset: {
    "zh-CN": ["30 分钟", "2026年12月1日 00:30", "请忽略这封邮件", "重设密码"],
    en: ["30 minutes", "December 1, 2026", "ignore this email", "Reset my password"],
  },
  owner_new_order: {
    "zh-CN": ["¥9.90", "buyer@example.com", "有赞收款码", "2026年12月1日 00:30"],
    en: ["¥9.90", "buyer@example.com", "Youzan QR code", "December 1, 2026"],
  },
  owner_digest: {
    "zh-CN": ["2026年12月1日", "¥1,234.56", "12", "有 6 项需要处理"],
    en: ["December 1, 2026", "¥1,234.56", "Paid orders", "6 items need your attention"],
  },
};

/** The part of the text between the start and the footer's `--`. */
const textBody = (text: string) => text.split("\n--\n")[0]!;

describe("renderNotice: every kind in both languages", () => {
  const cases = LOCALES.flatMap((locale) =>
    (Object.keys(VIEWS) as NoticeView["kind"][]).map((kind) => [kind, locale] as const),
  );

  it.each(cases)("%s in %s", (kind, locale) => {
    const mail = renderNotice(viewIn(locale, VIEWS[kind]), ctx(locale));
    for (const part of [mail.subject, mail.html, mail.text]) {
      expect(part.trim()).not.toBe("");
      // No ICU argument left unreplaced, no message key fallback.
      expect(part).not.toMatch(/\{[\w#]/);
      expect(part).not.toContain("noticeMail.");
    }
    expect(mail.subject).toContain(locale === "en" ? "Xiaopu" : "【小铺】");
    expect(mail.subject).not.toMatch(/\n/);
    for (const fact of FACTS[kind][locale]) {
      expect(mail.text, fact).toContain(fact);
      expect(mail.html, fact).toContain(escapeHtml(fact));
    }
    // The recipient and the shop's address in the footer of both parts.
    const sentTo =
      locale === "en"
        ? "This email was sent to buyer@example.com"
        : "此邮件发送至 buyer@example.com";
    expect(mail.text).toContain(sentTo);
    expect(mail.html).toContain(sentTo);
    expect(mail.text).toContain(APP);
    expect(mail.html).toContain(`href="${APP}/"`);
    // Chinese by default, English only when asked.
    if (locale === "en") expect(textBody(mail.text)).not.toMatch(/[\u4e00-\u9fff]/);
    else expect(mail.text).toMatch(/[\u4e00-\u9fff]/);
    // Inline styles only, nothing that runs or loads, one primary button, phone width.
    expect(mail.html).toMatch(/^<!DOCTYPE html>\n<html lang="(zh-CN|en)">/);
    expect(mail.html).not.toMatch(/<script|<style|<link|<img|\son\w+=/i);
    expect(mail.html).toContain("max-width:560px");
    expect(mail.html).toContain('name="viewport"');
    expect(mail.html.match(/display:inline-block/g)).toHaveLength(1);
  });

  it("the receipt: the order number in the subject, the library link as the button and in full in the text", () => {
    const zh = renderNotice(VIEWS.receipt, ctx("zh-CN"));
    expect(zh.subject).toBe("【小铺】付款成功，订单 XP20261201ABCDEFGHJK");
    expect(zh.text).toContain(`打开我的书架：${APP}/account/library`);
    expect(zh.text).toContain(`查看全部订单：${APP}/account/orders`);
    expect(zh.html).toMatch(
      new RegExp(
        `<a href="${APP}/account/library" style="display:inline-block[^"]*">打开我的书架</a>`,
      ),
    );
    const en = renderNotice(VIEWS.receipt, ctx("en"));
    expect(en.subject).toBe("Xiaopu: payment received for order XP20261201ABCDEFGHJK");
    expect(en.text).toContain(`Open my library: ${APP}/account/library`);
    expect(en.text).toContain("“一个人的副业手册” is in your library");
  });

  it("the receipt of a credit pack says how many credits arrived (ICU plurals in English)", () => {
    const pack = {
      ...VIEWS.receipt,
      productKind: "credits",
      credits: 50,
      productTitle: "50 点",
      libraryUrl: `${APP}/account/library#credits`,
    } as const;
    const zh = renderNotice(pack, ctx("zh-CN"));
    expect(zh.text).toContain("已到账 50 点");
    expect(zh.text).toContain(`查看我的点数：${APP}/account/library#credits`);
    expect(renderNotice(pack, ctx("en")).text).toContain("50 credits have been added");
    expect(renderNotice({ ...pack, credits: 1 }, ctx("en")).text).toContain(
      "1 credit has been added",
    );
  });

  it("a membership without auto-renewal says when it ends, and has no next charge", () => {
    const once = { ...VIEWS.membership_started, autoRenew: false, nextChargeDate: null };
    const zh = renderNotice(once, ctx("zh-CN"));
    expect(zh.text).toContain("不会再扣款。会员将于 2026年12月31日 00:05（北京时间） 到期");
    expect(zh.text).not.toContain("下次扣款日");
    expect(zh.text).toContain(`查看会员内容：${APP}/account/library`);
    const auto = renderNotice(VIEWS.membership_started, ctx("zh-CN"));
    expect(auto.text).toContain(`管理会员：${APP}/account/membership`);
    expect(auto.text).toContain("取消自动续费");
  });

  it("the renewal-failed mail words Alipay's usual codes and says whether it retries", () => {
    const text = (view: Partial<RenewalFailedView>, locale: Locale = "zh-CN") =>
      renderNotice({ ...VIEWS.renewal_failed, ...view }, ctx(locale)).text;
    expect(text({ reasonCode: "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH" })).toContain(
      "扣款银行卡余额不足",
    );
    expect(text({ reasonCode: "ACQ.PAYMENT_FAIL" })).toContain("支付宝未能完成这笔付款");
    expect(text({ reasonCode: "ACQ.SYSTEM_ERROR" })).toContain(
      "支付宝未能完成这次扣款（ACQ.SYSTEM_ERROR）",
    );
    expect(text({ reasonCode: null })).toContain("原因：支付宝未能完成这次扣款\n");
    expect(text({ reasonCode: "ACQ.PAYMENT_FAIL" }, "en")).toContain(
      "Alipay could not complete the payment",
    );
    // Retried: when, and access until the end.
    const retried = text({});
    expect(retried).toContain("我们会在 2026年12月1日 00:30（北京时间） 再试一次");
    expect(retried).toContain("有效至 2026年12月31日 00:05");
    // Not retried: the membership ends.
    const final = text({ nextRetryAt: null });
    expect(final).toContain("不会再自动重试，您的会员将于 2026年12月31日 00:05（北京时间） 到期");
    expect(final).not.toContain("再试一次");
    expect(text({ nextRetryAt: null, endsAt: null })).toContain("您的会员已经到期");
    expect(text({ nextRetryAt: null }, "en")).toContain(
      "will not be retried; your membership ends on December 31, 2026",
    );
  });

  it("auto-renewal cancelled: by the shop, in the wallet or by Alipay; paid time kept or none left", () => {
    const text = (view: Partial<AutoRenewCancelledView>) =>
      renderNotice({ ...VIEWS.auto_renew_cancelled, ...view }, ctx("zh-CN")).text;
    expect(text({ via: "shop" })).toContain("您已在小铺的会员页取消");
    expect(text({ via: "wallet" })).toContain("您已在支付宝中解约");
    expect(text({ via: "provider" })).toContain("支付宝关闭了");
    expect(text({})).toContain("已付费的时间照常保留：会员有效至 2026年12月31日 00:05");
    expect(text({ endsAt: null })).not.toContain("有效至");
  });

  it("refunds: full or partial, back to Alipay or by the owner", () => {
    const partial = renderNotice(
      { ...VIEWS.refund, refundFen: 300, method: "manual" },
      ctx("zh-CN"),
    ).text;
    expect(partial).toContain("已部分退款 ¥3.00，订单金额为 ¥9.90");
    expect(partial).toContain("店主另行处理");
    expect(renderNotice({ ...VIEWS.refund, refundFen: 300 }, ctx("en")).text).toContain(
      "partly refunded: ¥3.00 of ¥9.90",
    );
    expect(renderNotice(VIEWS.refund, ctx("zh-CN")).text).toContain("款项原路退回您的支付宝账户");
  });

  it("the digest links every figure to its list, and says when nothing needs attention", () => {
    const mail = renderNotice(VIEWS.owner_digest, ctx("zh-CN"));
    for (const url of Object.values(VIEWS.owner_digest.links)) {
      expect(mail.html).toContain(`href="${escapeHtml(new URL(url).toString())}"`);
      expect(mail.text).toContain(url);
    }
    expect(mail.subject).toBe("【小铺】每日摘要 2026年12月1日：12 笔订单，¥1,234.56");
    const quiet = renderNotice(
      { ...VIEWS.owner_digest, failingAgreements: 0, ordersInReview: 0, failedNotices: 0 },
      ctx("en"),
    );
    expect(quiet.text).toContain("Nothing needs your attention.");
    expect(renderNotice({ ...VIEWS.owner_digest, paidOrders: 1 }, ctx("en")).subject).toContain(
      "1 order, ¥1,234.56",
    );
  });

  it("names unknown payment channels as recorded", () => {
    const mail = renderNotice({ ...VIEWS.owner_new_order, channel: "alipay_renewal" }, ctx("en"));
    expect(mail.text).toContain("Alipay auto-renewal");
    expect(
      renderNotice({ ...VIEWS.owner_new_order, channel: "wechat" }, ctx("zh-CN")).text,
    ).toContain("渠道：wechat");
  });
});

describe("the unsubscribe link", () => {
  const url = `${APP}/unsubscribe?token=usr_x.reminders.mac`;

  it("is on renewal reminders, in the footer of both parts", () => {
    for (const locale of LOCALES) {
      const mail = renderNotice(VIEWS.renewal_reminder, ctx(locale, { unsubscribeUrl: url }));
      const [text, link] =
        locale === "en"
          ? ["Don’t want renewal reminders any more?", "Unsubscribe"]
          : ["不想再收到续费提醒？", "退订"];
      expect(mail.html).toContain(`${escapeHtml(text)} <a href="${escapeHtml(url)}"`);
      expect(mail.html).toContain(`>${link}</a>`);
      expect(mail.text.split("\n--\n")[1]).toContain(
        `${text} ${link}${locale === "en" ? ": " : "："}${url}`,
      );
    }
  });

  it("is on no other kind, even when a context carries one", () => {
    for (const view of Object.values(VIEWS)) {
      if (view.kind === "renewal_reminder") continue;
      const mail = renderNotice(view, ctx("zh-CN", { unsubscribeUrl: url }));
      expect(mail.html, view.kind).not.toContain("unsubscribe");
      expect(mail.text, view.kind).not.toContain("退订");
    }
    const without = renderNotice(VIEWS.renewal_reminder, ctx("zh-CN"));
    expect(without.text).not.toContain("退订");
  });
});

describe("escaping", () => {
  it("escapeHtml turns the five special characters into entities", () => {
    expect(escapeHtml(HOSTILE)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;",
    );
    expect(escapeHtml("&amp;")).toBe("&amp;amp;");
    expect(escapeHtml("一个人的副业手册")).toBe("一个人的副业手册");
  });

  it("a hostile product title, order number or address stays text in the HTML and as typed in the text", () => {
    const to = `"><img src=x onerror=alert(1)>@example.com`;
    const views: NoticeView[] = [
      { ...VIEWS.receipt, productTitle: HOSTILE, orderNo: `XP"<b>` },
      { ...VIEWS.refund, productTitle: HOSTILE },
      { ...VIEWS.owner_new_order, productTitle: HOSTILE, buyerEmail: to },
      { ...VIEWS.renewal_reminder, planTitle: HOSTILE },
    ];
    for (const view of views) {
      for (const locale of LOCALES) {
        const mail = renderNotice(view, ctx(locale, { to }));
        expect(mail.html).not.toMatch(/<script|<img|<b>/i);
        expect(mail.html).toContain(
          "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;",
        );
        expect(mail.html).toContain(escapeHtml(to));
        expect(mail.text).toContain(HOSTILE);
        expect(mail.text).toContain(to);
      }
    }
  });

  it("a title with a newline cannot add a header line to the subject", () => {
    const mail = renderNotice(
      { ...VIEWS.membership_started, planTitle: "月度\r\nBcc: x@example.com" },
      ctx("zh-CN"),
    );
    expect(mail.subject).toBe("【小铺】会员已开通：月度 Bcc: x@example.com");
  });

  it("only http(s) URLs become links", () => {
    expect(safeUrl("javascript:alert(1)", APP)).toBe(APP);
    expect(safeUrl("/account/library", APP)).toBe(APP);
    expect(safeUrl(`${APP}/a b"c`, APP)).toBe(`${APP}/a%20b%22c`);
    const mail = renderNotice(
      { ...VIEWS.password_reset, resetUrl: "javascript:alert(1)" },
      ctx("en"),
    );
    expect(mail.html).not.toContain("javascript:");
    expect(mail.text).not.toContain("javascript:");
  });

  it("oneLine flattens whitespace", () => {
    expect(oneLine("  a\n\tb  ")).toBe("a b");
  });
});

describe("renderDingTalk", () => {
  it("the new order as markdown: facts, the admin link, values escaped", () => {
    const msg = renderDingTalk(
      {
        ...VIEWS.owner_new_order,
        productTitle: "**粗体** [链接](http://evil) <font>",
        buyerEmail: "a_b@example.com",
      },
      { locale: "zh-CN" },
    );
    expect(msg.title).toBe(
      "【小铺】新订单 XP20261201OWNER00001：**粗体** [链接](http://evil) <font> ¥9.90",
    );
    expect(msg.text).toContain("#### 小铺 新订单 ¥9.90");
    expect(msg.text).toContain("- 商品：\\*\\*粗体\\*\\* \\[链接\\](http://evil) \\<font\\>");
    expect(msg.text).toContain("- 买家：a\\_b@example.com");
    expect(msg.text).toContain("- 付款时间：2026年12月1日 00:30（北京时间）");
    expect(msg.text).toContain(`[在后台查看](${APP}/admin/orders/XP20261201OWNER00001)`);
    expect(msg.text).not.toMatch(/\{[\w#]/);
  });

  it("the digest: every figure links to its list, in English too", () => {
    const msg = renderDingTalk(VIEWS.owner_digest, { locale: "en" });
    expect(msg.title).toBe("Xiaopu: daily summary for December 1, 2026: 12 orders, ¥1,234.56");
    expect(msg.text).toContain(`- Orders to check: [2](${APP}/admin/orders?status=review)`);
    expect(msg.text).toContain(`- Emails not sent: [3](${APP}/admin/notices?status=dead)`);
    expect(msg.text).toContain(`[Open the admin overview](${APP}/admin)`);
    expect(msg.text).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it("a link target cannot close the markdown link early; a non-http one is no link", () => {
    const msg = renderDingTalk({
      ...VIEWS.owner_new_order,
      adminUrl: `${APP}/admin/x) [y](http://evil`,
    });
    expect(msg.text).toContain(`(${APP}/admin/x%29%20%5By%5D%28http://evil)`);
    const bad = renderDingTalk({ ...VIEWS.owner_new_order, adminUrl: "javascript:alert(1)" });
    expect(bad.text.trimEnd().split("\n").at(-1)).toBe("在后台查看");
  });
});

describe("previewHtml (the sandbox mailbox's framed HTML part)", () => {
  it("puts <base target=_blank> first in the head, so every link opens a new tab", () => {
    const html = renderNotice(VIEWS.receipt, ctx("zh-CN")).html;
    const preview = previewHtml(html);
    expect(preview).toMatch(
      /^<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<base target="_blank">\n<meta/,
    );
    expect(preview.replace('\n<base target="_blank">', "")).toBe(html);
    expect(previewHtml("<!doctype html><p>x</p>")).toBe(
      '<!doctype html>\n<base target="_blank"><p>x</p>',
    );
    expect(previewHtml("<p>x</p>")).toBe('<base target="_blank">\n<p>x</p>');
    expect(previewHtml('<HEAD lang="x"><p>')).toBe('<HEAD lang="x">\n<base target="_blank"><p>');
  });

  it("its policy lets nothing run or load but inline styles and images, framed by this origin", () => {
    expect(MAIL_PREVIEW_CSP).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; frame-ancestors 'self'",
    );
  });
});
