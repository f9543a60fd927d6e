import type { Locale } from "@/i18n/locales";
import type { NoticeKind } from "./kinds";

/*
 * What a template is given: one view per kind, loaded by the sender from the database at send
 * time (lib/notices/load.ts) and rendered by lib/notices/render.ts, which is pure. Amounts are
 * integer fen; instants are Dates (rendered in Asia/Shanghai); `…Date` fields are Asia/Shanghai
 * calendar dates `YYYY-MM-DD`. Every URL is absolute (APP_URL).
 */

export interface ReceiptView {
  kind: "receipt";
  orderNo: string;
  productTitle: string;
  productKind: "one_off" | "credits";
  /** Credits granted (credit packs). */
  credits: number | null;
  amountFen: number;
  paidAt: Date;
  /** `/account/library` (credit packs: `/account/library#credits`). */
  libraryUrl: string;
  ordersUrl: string;
}

export interface MembershipStartedView {
  kind: "membership_started";
  orderNo: string;
  planTitle: string;
  amountFen: number;
  periodDays: number;
  endsAt: Date;
  /** The day the next period is charged; null when the buyer paid without auto-renewal. */
  nextChargeDate: string | null;
  autoRenew: boolean;
  /** `/account/membership`: where auto-renewal is cancelled. */
  manageUrl: string;
  libraryUrl: string;
}

export interface RenewalReminderView {
  kind: "renewal_reminder";
  planTitle: string;
  amountFen: number;
  /** The day the charge is made. */
  chargeDate: string;
  periodIndex: number;
  manageUrl: string;
}

export interface RenewalSucceededView {
  kind: "renewal_succeeded";
  orderNo: string;
  planTitle: string;
  amountFen: number;
  periodIndex: number;
  paidAt: Date;
  endsAt: Date;
  nextChargeDate: string | null;
  manageUrl: string;
}

export interface RenewalFailedView {
  kind: "renewal_failed";
  planTitle: string;
  amountFen: number;
  periodIndex: number;
  /** Alipay's code, e.g. `ACQ.BUYER_BALANCE_NOT_ENOUGH` (the template words the usual ones). */
  reasonCode: string | null;
  /** When the shop tries again; null when it will not (the period is postponed). */
  nextRetryAt: Date | null;
  /** The membership's current end: access lasts until then. */
  endsAt: Date | null;
  manageUrl: string;
}

export interface MembershipLapsedView {
  kind: "membership_lapsed";
  planTitle: string;
  endedAt: Date;
  /** The plan's page, to subscribe again. */
  plansUrl: string;
}

export interface AutoRenewCancelledView {
  kind: "auto_renew_cancelled";
  planTitle: string;
  /** Paid time is kept until then (null: none left). */
  endsAt: Date | null;
  /** `shop` (the buyer cancelled on the membership page), `wallet` (in Alipay), `provider`. */
  via: "shop" | "wallet" | "provider";
  plansUrl: string;
}

export interface RefundView {
  kind: "refund";
  orderNo: string;
  productTitle: string;
  refundFen: number;
  /** The order's amount, for "partial" wording. */
  amountFen: number;
  refundedAt: Date;
  /** `alipay` (back to the buyer's Alipay), `manual` (the owner refunded by hand). */
  method: "alipay" | "manual";
  ordersUrl: string;
}

export interface PasswordResetView {
  kind: "password_reset";
  resetUrl: string;
  expiresAt: Date;
}

export interface OwnerNewOrderView {
  kind: "owner_new_order";
  orderNo: string;
  productTitle: string;
  amountFen: number;
  buyerEmail: string;
  /** `youzan`, `alipay`, `alipay_renewal`… */
  channel: string;
  paidAt: Date;
  adminUrl: string;
}

export interface OwnerDigestView {
  kind: "owner_digest";
  /** The Asia/Shanghai day it covers (yesterday at send time), `YYYY-MM-DD`. */
  date: string;
  paidOrders: number;
  revenueFen: number;
  failingAgreements: number;
  ordersInReview: number;
  deadWebhooks: number;
  failedNotices: number;
  /** Admin list links for each figure. */
  links: {
    failing: string;
    review: string;
    webhooks: string;
    notices: string;
    dashboard: string;
  };
}

export type NoticeView =
  | ReceiptView
  | MembershipStartedView
  | RenewalReminderView
  | RenewalSucceededView
  | RenewalFailedView
  | MembershipLapsedView
  | AutoRenewCancelledView
  | RefundView
  | PasswordResetView
  | OwnerNewOrderView
  | OwnerDigestView;

// Every kind has exactly one view (compile-time check).
type Missing = Exclude<NoticeKind, NoticeView["kind"]>;
const everyKindHasAView: [Missing] extends [never] ? true : Missing = true;
void everyKindHasAView;

export interface RenderContext {
  locale: Locale;
  /** APP_URL, e.g. `https://shop.example.com`. */
  appUrl: string;
  /** The one-click unsubscribe URL (only for kinds a buyer may leave: renewal reminders). */
  unsubscribeUrl: string | null;
  /** The recipient's address (the footer says who it was sent to). */
  to: string;
}

/** A rendered mail: both parts always (plain text for clients that show no HTML). */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** A rendered DingTalk message (owner kinds): markdown. */
export interface RenderedDingTalk {
  title: string;
  text: string;
}
