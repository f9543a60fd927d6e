import { createFormatter, createTranslator } from "next-intl";
import type { Locale } from "@/i18n/locales";
import { escapeMarkdown } from "@/lib/alerts/dingtalk";
import { BUSINESS_TIME_ZONE, startOfShanghaiDate } from "@/lib/clock";
import { formatFen } from "@/lib/money";
import en from "@/messages/notices.en.json";
import zh from "@/messages/notices.zh-CN.json";
import {
  mailHtml,
  mailText,
  oneLine,
  safeUrl,
  type MailContent,
  type MailFact,
  type MailLink,
} from "./render-html";
import type {
  AutoRenewCancelledView,
  MembershipLapsedView,
  MembershipStartedView,
  NoticeView,
  OwnerDigestView,
  OwnerNewOrderView,
  PasswordResetView,
  ReceiptView,
  RefundView,
  RenderContext,
  RenderedDingTalk,
  RenderedMail,
  RenewalFailedView,
  RenewalReminderView,
  RenewalSucceededView,
} from "./views";

/*
 * The notice templates (issue #13): a view (lib/notices/views.ts) and a context in, a mail (or
 * the owner's DingTalk markdown) out. Pure: no database, no clock, no environment. Every word
 * comes from messages/notices.<locale>.json under `noticeMail` (Chinese unless the recipient's
 * language is English); amounts are formatted from fen by lib/money.ts; instants and calendar
 * dates are shown in Asia/Shanghai, with "北京时间" said once where a time of day appears.
 * A template that misses a message or an argument throws (a bug, never a mail with `{orderNo}`
 * left in it): the sender records the failure instead of sending half a mail.
 */

type Messages = typeof zh;
const MESSAGES: Record<Locale, Messages> = { "zh-CN": zh, en };

/** How long a password reset link lives (password_reset_tokens: 30 minutes). */
export const RESET_LINK_MINUTES = 30;

/** Alipay's decline codes the renewal-failed mail words by itself; others get a generic line. */
const REASONS: Record<string, "balance" | "bankcard" | "paymentFail"> = {
  "ACQ.BUYER_BALANCE_NOT_ENOUGH": "balance",
  "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH": "bankcard",
  "ACQ.PAYMENT_FAIL": "paymentFail",
};

/** Payment channels the owner's mails name; anything else is shown as recorded. */
const CHANNELS = ["youzan", "alipay", "alipay_renewal"] as const;

const INSTANT = {
  year: "numeric",
  month: "long",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
} as const;
const DAY = { year: "numeric", month: "long", day: "numeric" } as const;

function rethrow(error: Error): never {
  throw error;
}

/**
 * A locale's translator and formatters, made once per process: each keeps the messages it has
 * compiled and the Intl formatters it has built, which cost more than the rest of a render (a
 * burst of paid orders renders two mails each). They hold no state of any one mail.
 */
const TOOLS = new Map<Locale, Tools>();
function toolsFor(locale: Locale): Tools {
  let tools = TOOLS.get(locale);
  if (!tools) TOOLS.set(locale, (tools = makeTools(locale)));
  return tools;
}

function makeTools(locale: Locale) {
  const t = createTranslator({
    locale,
    messages: MESSAGES[locale],
    namespace: "noticeMail",
    onError: rethrow,
  });
  const format = createFormatter({ locale, timeZone: BUSINESS_TIME_ZONE, onError: rethrow });
  return {
    t,
    /** An instant, to the minute, in Beijing time: "2026年12月1日 00:30（北京时间）". */
    instant: (at: Date) => t("common.beijingTime", { time: format.dateTime(at, INSTANT) }),
    /** A `YYYY-MM-DD` Shanghai calendar date: "2026年12月1日", "December 1, 2026". */
    day: (date: string) =>
      /^\d{4}-\d{2}-\d{2}$/.test(date)
        ? format.dateTime(startOfShanghaiDate(date), DAY)
        : oneLine(date),
    money: formatFen,
    count: (n: number) => format.number(n),
  };
}

type Tools = ReturnType<typeof makeTools>;
type T = Tools["t"];

/** What a kind decides; the layout and the footer are the same for every mail. */
interface Body {
  subject: string;
  heading: string;
  intro: string[];
  facts: MailFact[];
  action: MailLink | null;
  notes?: string[];
  links?: MailLink[];
  unsubscribe?: MailContent["unsubscribe"];
}

function receipt(v: ReceiptView, { t, instant, money }: Tools): Body {
  const credits = v.productKind === "credits" && v.credits !== null ? v.credits : null;
  return {
    subject: t("receipt.subject", { orderNo: v.orderNo }),
    heading: t("receipt.heading"),
    intro: [
      credits !== null
        ? t("receipt.introCredits", { credits })
        : t("receipt.intro", { product: v.productTitle }),
    ],
    facts: [
      { label: t("receipt.orderNo"), value: v.orderNo },
      { label: t("receipt.product"), value: v.productTitle },
      ...(credits !== null
        ? [{ label: t("receipt.credits"), value: t("receipt.creditsValue", { credits }) }]
        : []),
      { label: t("receipt.amount"), value: money(v.amountFen) },
      { label: t("receipt.paidAt"), value: instant(v.paidAt) },
    ],
    action: {
      label: credits !== null ? t("receipt.actionCredits") : t("receipt.action"),
      url: v.libraryUrl,
    },
    links: [{ label: t("receipt.orders"), url: v.ordersUrl }],
  };
}

function membershipStarted(v: MembershipStartedView, { t, instant, day, money }: Tools): Body {
  const amount = money(v.amountFen);
  const manage = { label: t("membershipStarted.manage"), url: v.manageUrl };
  const library = { label: t("membershipStarted.library"), url: v.libraryUrl };
  return {
    subject: t("membershipStarted.subject", { plan: v.planTitle }),
    heading: t("membershipStarted.heading"),
    intro: [t("membershipStarted.intro", { plan: v.planTitle })],
    facts: [
      { label: t("membershipStarted.orderNo"), value: v.orderNo },
      { label: t("membershipStarted.plan"), value: v.planTitle },
      {
        label: t("membershipStarted.amount"),
        value: t("membershipStarted.amountValue", { amount, days: v.periodDays }),
      },
      { label: t("membershipStarted.endsAt"), value: instant(v.endsAt) },
      ...(v.autoRenew && v.nextChargeDate
        ? [{ label: t("membershipStarted.nextCharge"), value: day(v.nextChargeDate) }]
        : []),
    ],
    // With auto-renewal the button is where it is cancelled; without, where the content is.
    action: v.autoRenew ? manage : library,
    notes: v.autoRenew
      ? [
          t("membershipStarted.autoRenew", { amount, days: v.periodDays }),
          ...(v.nextChargeDate
            ? [t("membershipStarted.autoRenewNext", { date: day(v.nextChargeDate) })]
            : []),
          t("membershipStarted.howToCancel"),
        ]
      : [t("membershipStarted.noAutoRenew", { endsAt: instant(v.endsAt) })],
    links: [v.autoRenew ? library : manage],
  };
}

function renewalReminder(
  v: RenewalReminderView,
  { t, day, money }: Tools,
  unsubscribeUrl: string | null,
): Body {
  const date = day(v.chargeDate);
  const amount = money(v.amountFen);
  return {
    subject: t("renewalReminder.subject", { date, plan: v.planTitle, amount }),
    heading: t("renewalReminder.heading"),
    intro: [t("renewalReminder.intro", { plan: v.planTitle, date, amount })],
    facts: [
      { label: t("renewalReminder.plan"), value: v.planTitle },
      { label: t("renewalReminder.amount"), value: amount },
      { label: t("renewalReminder.chargeDate"), value: date },
    ],
    action: { label: t("renewalReminder.action"), url: v.manageUrl },
    notes: [t("renewalReminder.howToCancel", { date }), t("renewalReminder.nothingToDo")],
    unsubscribe: unsubscribeUrl
      ? {
          text: t("renewalReminder.unsubscribeText"),
          link: { label: t("renewalReminder.unsubscribeLink"), url: unsubscribeUrl },
        }
      : null,
  };
}

function renewalSucceeded(v: RenewalSucceededView, { t, instant, day, money }: Tools): Body {
  const amount = money(v.amountFen);
  return {
    subject: t("renewalSucceeded.subject", { plan: v.planTitle }),
    heading: t("renewalSucceeded.heading"),
    intro: [t("renewalSucceeded.intro", { amount, plan: v.planTitle, endsAt: instant(v.endsAt) })],
    facts: [
      { label: t("renewalSucceeded.orderNo"), value: v.orderNo },
      { label: t("renewalSucceeded.plan"), value: v.planTitle },
      {
        label: t("renewalSucceeded.period"),
        value: t("renewalSucceeded.periodValue", { period: v.periodIndex }),
      },
      { label: t("renewalSucceeded.amount"), value: amount },
      { label: t("renewalSucceeded.paidAt"), value: instant(v.paidAt) },
      { label: t("renewalSucceeded.endsAt"), value: instant(v.endsAt) },
      ...(v.nextChargeDate
        ? [{ label: t("renewalSucceeded.nextCharge"), value: day(v.nextChargeDate) }]
        : []),
    ],
    action: { label: t("renewalSucceeded.action"), url: v.manageUrl },
    notes: [t("renewalSucceeded.howToCancel")],
  };
}

function declineReason(t: T, code: string | null): string {
  if (code !== null && Object.hasOwn(REASONS, code)) {
    return t(`renewalFailed.reasons.${REASONS[code]!}`);
  }
  const shown = code === null ? "" : oneLine(code).slice(0, 64);
  return shown
    ? t("renewalFailed.reasons.otherWithCode", { code: shown })
    : t("renewalFailed.reasons.other");
}

function renewalFailed(v: RenewalFailedView, { t, instant, money }: Tools): Body {
  const amount = money(v.amountFen);
  const when = v.nextRetryAt
    ? [
        t("renewalFailed.retry", { retryAt: instant(v.nextRetryAt) }),
        ...(v.endsAt ? [t("renewalFailed.retryEndsAt", { endsAt: instant(v.endsAt) })] : []),
      ]
    : [
        v.endsAt
          ? t("renewalFailed.noRetry", { endsAt: instant(v.endsAt) })
          : t("renewalFailed.noRetryEnded"),
      ];
  return {
    subject: t("renewalFailed.subject", { plan: v.planTitle }),
    heading: t("renewalFailed.heading"),
    intro: [
      t("renewalFailed.intro", { plan: v.planTitle, period: v.periodIndex, amount }),
      t("renewalFailed.whatToDo"),
    ],
    facts: [
      { label: t("renewalFailed.plan"), value: v.planTitle },
      {
        label: t("renewalFailed.period"),
        value: t("renewalFailed.periodValue", { period: v.periodIndex }),
      },
      { label: t("renewalFailed.amount"), value: amount },
      { label: t("renewalFailed.reason"), value: declineReason(t, v.reasonCode) },
    ],
    action: { label: t("renewalFailed.action"), url: v.manageUrl },
    notes: when,
  };
}

function membershipLapsed(v: MembershipLapsedView, { t, instant }: Tools): Body {
  return {
    subject: t("membershipLapsed.subject", { plan: v.planTitle }),
    heading: t("membershipLapsed.heading"),
    intro: [
      t("membershipLapsed.intro", { plan: v.planTitle, endedAt: instant(v.endedAt) }),
      t("membershipLapsed.again"),
    ],
    facts: [],
    action: { label: t("membershipLapsed.action"), url: v.plansUrl },
  };
}

function autoRenewCancelled(v: AutoRenewCancelledView, { t, instant }: Tools): Body {
  const intro = {
    shop: t("autoRenewCancelled.introShop", { plan: v.planTitle }),
    wallet: t("autoRenewCancelled.introWallet", { plan: v.planTitle }),
    provider: t("autoRenewCancelled.introProvider", { plan: v.planTitle }),
  }[v.via];
  return {
    subject: t("autoRenewCancelled.subject", { plan: v.planTitle }),
    heading: t("autoRenewCancelled.heading"),
    intro: [
      intro,
      v.endsAt
        ? t("autoRenewCancelled.kept", { endsAt: instant(v.endsAt) })
        : t("autoRenewCancelled.noneLeft"),
    ],
    facts: [],
    action: { label: t("autoRenewCancelled.action"), url: v.plansUrl },
    notes: [t("autoRenewCancelled.again")],
  };
}

function refund(v: RefundView, { t, instant, money }: Tools): Body {
  const refunded = money(v.refundFen);
  const partial = v.refundFen < v.amountFen;
  return {
    subject: t("refund.subject", { orderNo: v.orderNo }),
    heading: t("refund.heading"),
    intro: [
      partial
        ? t("refund.introPartial", {
            orderNo: v.orderNo,
            product: v.productTitle,
            refund: refunded,
            amount: money(v.amountFen),
          })
        : t("refund.introFull", { orderNo: v.orderNo, product: v.productTitle, refund: refunded }),
      v.method === "alipay" ? t("refund.alipay") : t("refund.manual"),
    ],
    facts: [
      { label: t("refund.orderNo"), value: v.orderNo },
      { label: t("refund.product"), value: v.productTitle },
      { label: t("refund.refundAmount"), value: refunded },
      { label: t("refund.orderAmount"), value: money(v.amountFen) },
      { label: t("refund.refundedAt"), value: instant(v.refundedAt) },
      { label: t("refund.method"), value: t(`refund.methods.${v.method}`) },
    ],
    action: { label: t("refund.action"), url: v.ordersUrl },
  };
}

function passwordReset(v: PasswordResetView, { t, instant }: Tools): Body {
  return {
    subject: t("passwordReset.subject"),
    heading: t("passwordReset.heading"),
    intro: [t("passwordReset.intro")],
    facts: [],
    action: { label: t("passwordReset.action"), url: v.resetUrl },
    notes: [
      t("passwordReset.validity", {
        minutes: RESET_LINK_MINUTES,
        expiresAt: instant(v.expiresAt),
      }),
      t("passwordReset.ignore"),
    ],
  };
}

function channelLabel(t: T, channel: string): string {
  return (CHANNELS as readonly string[]).includes(channel)
    ? t(`ownerNewOrder.channels.${channel as (typeof CHANNELS)[number]}`)
    : oneLine(channel).slice(0, 40);
}

function ownerNewOrder(v: OwnerNewOrderView, { t, instant, money }: Tools): Body {
  const amount = money(v.amountFen);
  return {
    subject: t("ownerNewOrder.subject", { orderNo: v.orderNo, product: v.productTitle, amount }),
    heading: t("ownerNewOrder.heading", { amount }),
    intro: [t("ownerNewOrder.intro", { buyer: v.buyerEmail, product: v.productTitle, amount })],
    facts: [
      { label: t("ownerNewOrder.orderNo"), value: v.orderNo },
      { label: t("ownerNewOrder.product"), value: v.productTitle },
      { label: t("ownerNewOrder.amount"), value: amount },
      { label: t("ownerNewOrder.buyer"), value: v.buyerEmail },
      { label: t("ownerNewOrder.channel"), value: channelLabel(t, v.channel) },
      { label: t("ownerNewOrder.paidAt"), value: instant(v.paidAt) },
    ],
    action: { label: t("ownerNewOrder.action"), url: v.adminUrl },
  };
}

function ownerDigest(v: OwnerDigestView, { t, day, money, count }: Tools): Body {
  const date = day(v.date);
  const revenue = money(v.revenueFen);
  const toHandle = v.failingAgreements + v.ordersInReview + v.deadWebhooks + v.failedNotices;
  return {
    subject: t("ownerDigest.subject", { date, orders: v.paidOrders, revenue }),
    heading: t("ownerDigest.heading", { date }),
    intro: [t("ownerDigest.intro", { date })],
    facts: [
      { label: t("ownerDigest.paidOrders"), value: count(v.paidOrders), url: v.links.dashboard },
      { label: t("ownerDigest.revenue"), value: revenue, url: v.links.dashboard },
      {
        label: t("ownerDigest.failingAgreements"),
        value: count(v.failingAgreements),
        url: v.links.failing,
      },
      {
        label: t("ownerDigest.ordersInReview"),
        value: count(v.ordersInReview),
        url: v.links.review,
      },
      { label: t("ownerDigest.deadWebhooks"), value: count(v.deadWebhooks), url: v.links.webhooks },
      {
        label: t("ownerDigest.failedNotices"),
        value: count(v.failedNotices),
        url: v.links.notices,
      },
    ],
    action: { label: t("ownerDigest.action"), url: v.links.dashboard },
    notes: [
      toHandle === 0 ? t("ownerDigest.allClear") : t("ownerDigest.toHandle", { count: toHandle }),
    ],
  };
}

function bodyOf(view: NoticeView, tools: Tools, ctx: RenderContext): Body {
  switch (view.kind) {
    case "receipt":
      return receipt(view, tools);
    case "membership_started":
      return membershipStarted(view, tools);
    case "renewal_reminder":
      // The one kind a buyer may leave (NOTICE_KIND_INFO): the only mail with the link.
      return renewalReminder(view, tools, ctx.unsubscribeUrl);
    case "renewal_succeeded":
      return renewalSucceeded(view, tools);
    case "renewal_failed":
      return renewalFailed(view, tools);
    case "membership_lapsed":
      return membershipLapsed(view, tools);
    case "auto_renew_cancelled":
      return autoRenewCancelled(view, tools);
    case "refund":
      return refund(view, tools);
    case "password_reset":
      return passwordReset(view, tools);
    case "owner_new_order":
      return ownerNewOrder(view, tools);
    case "owner_digest":
      return ownerDigest(view, tools);
  }
}

/** The mail of a notice: subject, HTML part and plain-text part, in the recipient's language. */
export function renderNotice(view: NoticeView, ctx: RenderContext): RenderedMail {
  const tools = toolsFor(ctx.locale);
  const { t } = tools;
  const body = bodyOf(view, tools, ctx);
  const content: MailContent = {
    subject: oneLine(t("subjectPrefix", { subject: body.subject })),
    brand: t("shopName"),
    heading: body.heading,
    intro: body.intro,
    facts: body.facts,
    action: body.action,
    notes: body.notes ?? [],
    links: body.links ?? [],
    unsubscribe: body.unsubscribe ?? null,
    footer: {
      sentTo: t("common.footerTo", { to: ctx.to }),
      shop: { label: t("common.footerShop", { shopUrl: ctx.appUrl }), url: ctx.appUrl },
      auto: t("common.footerAuto"),
    },
    lang: ctx.locale,
    textLink: ({ label, url }) => t("common.linkLine", { label, url }),
  };
  return { subject: content.subject, html: mailHtml(content), text: mailText(content) };
}

/** A value on one markdown line: flattened, capped, markdown-escaped (lib/alerts/dingtalk). */
function md(text: string, maxChars = 200): string {
  const flat = oneLine(text);
  return escapeMarkdown(flat.length > maxChars ? `${flat.slice(0, maxChars - 1)}…` : flat);
}

const MD_URL_ESCAPES: Record<string, string> = { "(": "%28", ")": "%29", "[": "%5B", "]": "%5D" };

/**
 * A markdown link to an absolute http(s) URL, brackets in it percent-encoded so it cannot end
 * the link early; anything else is shown as its label alone.
 */
function mdLink(label: string, url: string): string {
  const safe = safeUrl(url, "");
  if (!safe) return label;
  return `[${label}](${safe.replace(/[()[\]]/g, (c) => MD_URL_ESCAPES[c] ?? c)})`;
}

/**
 * The owner's notices as a DingTalk robot message (in Chinese unless told otherwise): the mail's
 * subject as the title (plain text, shown in the notification), and markdown with the heading, the facts (a digest's figures each
 * linked to their list) and the admin link. Values are escaped with lib/alerts/dingtalk's
 * `escapeMarkdown`, so a product title cannot become a link or emphasis.
 */
export function renderDingTalk(
  view: OwnerNewOrderView | OwnerDigestView,
  ctx: Pick<RenderContext, "locale"> = { locale: "zh-CN" },
): RenderedDingTalk {
  const tools = toolsFor(ctx.locale);
  const { t } = tools;
  const body =
    view.kind === "owner_new_order" ? ownerNewOrder(view, tools) : ownerDigest(view, tools);
  const facts = body.facts.map((fact) => {
    const value = fact.url ? mdLink(md(fact.value), fact.url) : md(fact.value);
    return `- ${t("common.linkLine", { label: md(fact.label), url: value })}`;
  });
  const lines = [
    `#### ${md(`${t("shopName")} ${body.heading}`)}`,
    "",
    ...body.intro.map((p) => md(p, 500)),
    "",
    ...facts,
    ...(body.notes && body.notes.length > 0 ? ["", ...body.notes.map((p) => md(p, 500))] : []),
  ];
  if (body.action) {
    lines.push("", mdLink(md(body.action.label), body.action.url));
  }
  return {
    title: oneLine(t("subjectPrefix", { subject: body.subject })).slice(0, 200),
    text: lines.join("\n"),
  };
}
