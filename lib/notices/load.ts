import "server-only";
import type { Db } from "@/db/client";
import { membershipOf } from "@/db/queries/entitlements";
import {
  agreementFacts,
  orderFacts,
  orderFactsByIds,
  periodAttemptFacts,
  productOfOrder,
  refundFacts,
  resetTokenFacts,
  type OrderFacts,
  type ProductFacts,
} from "@/db/queries/notice-facts";
import type { Notice } from "@/db/schema";
import { pick, toLocale } from "@/i18n/locales";
import { nextChargeDayOf } from "@/lib/billing/policy";
import type { BillingPolicy } from "@/lib/billing/schedule";
import { shanghaiDate } from "@/lib/clock";
import type { NoticeView } from "./views";
import { unseal } from "./tokens";

/*
 * A notice row → the view its template renders, read from the database when it is sent. A
 * notice that events have overtaken is skipped with a reason (`stale:…`) instead of sent: a
 * failed renewal paid since, a reminder for a period already charged or an agreement closed, a
 * lapse followed by a new membership, a reset token used or expired.
 */

export interface LoadDeps {
  db: Db;
  appUrl: string;
  authSecret: string;
  now: () => Promise<Date>;
  /** The billing policy; `remindDays` is also the reminders' lead (the sweeps). */
  policy: Pick<BillingPolicy, "earlyDays" | "maxAttempts" | "remindDays">;
}

/** Facts a sender read ahead for its whole batch (one query, not one per notice). */
export interface Prefetched {
  orders: Map<string, OrderFacts>;
}

/** The order ids a notice of an order's kind reads. */
const ORDER_KINDS: ReadonlySet<Notice["kind"]> = new Set([
  "receipt",
  "membership_started",
  "renewal_succeeded",
  "owner_new_order",
]);

/** Reads ahead what the order notices of a batch need (a receipt and its owner alert share it). */
export async function prefetchFacts(db: Db, batch: readonly Notice[]): Promise<Prefetched> {
  const ids = batch
    .filter((notice) => ORDER_KINDS.has(notice.kind))
    .map((notice) => str(notice.data?.orderId))
    .filter((id): id is string => id !== null);
  return { orders: await orderFactsByIds(db, ids) };
}

export type Loaded =
  | {
      view: NoticeView;
      /** Replaces the row's data once sent (a password reset's sealed token is dropped). */
      dataAfterSend?: Record<string, unknown>;
    }
  | { skip: string };

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const int = (value: unknown): number | null =>
  typeof value === "number" && Number.isSafeInteger(value) ? value : null;

export async function loadNoticeView(
  deps: LoadDeps,
  notice: Notice,
  prefetched?: Prefetched,
): Promise<Loaded> {
  const data = notice.data ?? {};
  const locale = toLocale(notice.locale);
  const url = (path: string) => `${deps.appUrl}${path}`;
  const title = (product: Pick<ProductFacts, "nameZh" | "nameEn">) =>
    pick(locale, product.nameZh, product.nameEn);
  /** The day a renewal is charged (the first attempt's), when auto-renewal runs. */
  const chargeDay = (agreement: Parameters<typeof nextChargeDayOf>[0]) =>
    nextChargeDayOf(agreement, deps.policy);

  switch (notice.kind) {
    case "receipt":
    case "membership_started":
    case "renewal_succeeded":
    case "owner_new_order": {
      const orderId = str(data.orderId);
      const facts = orderId
        ? (prefetched?.orders.get(orderId) ?? (await orderFacts(deps.db, orderId)))
        : null;
      if (!facts) return { skip: "stale:order_missing" };
      const { order, product } = facts;
      if (order.status !== "paid" && order.status !== "refunded") {
        return { skip: `stale:order_${order.status}` };
      }
      const paidAt = order.paidAt ?? order.createdAt;
      if (notice.kind === "receipt") {
        const credits = product.kind === "credit_pack";
        return {
          view: {
            kind: "receipt",
            orderNo: order.orderNo,
            productTitle: title(product),
            productKind: credits ? "credits" : "one_off",
            credits: credits ? product.credits : null,
            amountFen: order.amountFen,
            paidAt,
            libraryUrl: url(credits ? "/account/library#credits" : "/account/library"),
            ordersUrl: url("/account/orders"),
          },
        };
      }
      if (notice.kind === "owner_new_order") {
        return {
          view: {
            kind: "owner_new_order",
            orderNo: order.orderNo,
            productTitle: title(product),
            amountFen: order.amountFen,
            buyerEmail: facts.buyerEmail,
            channel: order.kind === "renewal" ? "alipay_renewal" : order.provider,
            paidAt,
            adminUrl: url(`/admin/orders/${encodeURIComponent(order.orderNo)}`),
          },
        };
      }
      const agreement = order.agreementId
        ? (await agreementFacts(deps.db, order.agreementId))?.agreement
        : undefined;
      const { endsAt } = await membershipOf(deps.db, order.userId);
      const nextChargeDate = agreement ? chargeDay(agreement) : null;
      if (notice.kind === "membership_started") {
        return {
          view: {
            kind: "membership_started",
            orderNo: order.orderNo,
            planTitle: title(product),
            amountFen: order.amountFen,
            periodDays: product.periodDays ?? agreement?.periodDays ?? 0,
            endsAt: endsAt ?? paidAt,
            nextChargeDate,
            autoRenew: nextChargeDate !== null,
            manageUrl: url("/account/membership"),
            libraryUrl: url("/account/library"),
          },
        };
      }
      return {
        view: {
          kind: "renewal_succeeded",
          orderNo: order.orderNo,
          planTitle: title(product),
          amountFen: order.amountFen,
          periodIndex: order.periodIndex ?? 1,
          paidAt,
          endsAt: endsAt ?? paidAt,
          nextChargeDate,
          manageUrl: url("/account/membership"),
        },
      };
    }

    case "renewal_reminder": {
      const agreementId = str(data.agreementId);
      const periodIndex = int(data.periodIndex);
      const facts = agreementId ? await agreementFacts(deps.db, agreementId) : null;
      if (!facts || periodIndex === null) return { skip: "stale:agreement_missing" };
      const { agreement, product } = facts;
      const day = chargeDay(agreement);
      if (day === null) return { skip: "stale:auto_renew_off" };
      if (agreement.currentPeriod !== periodIndex) return { skip: "stale:period_moved" };
      if ((await periodAttemptFacts(deps.db, agreement.id, periodIndex)).paid) {
        return { skip: "stale:period_paid" };
      }
      if (day <= shanghaiDate(await deps.now())) return { skip: "stale:charge_day_reached" };
      return {
        view: {
          kind: "renewal_reminder",
          planTitle: title(product),
          amountFen: agreement.singleAmountFen,
          chargeDate: day,
          periodIndex,
          manageUrl: url("/account/membership"),
        },
      };
    }

    case "renewal_failed": {
      const agreementId = str(data.agreementId);
      const periodIndex = int(data.periodIndex);
      const facts = agreementId ? await agreementFacts(deps.db, agreementId) : null;
      if (!facts || periodIndex === null) return { skip: "stale:agreement_missing" };
      const { agreement, product } = facts;
      const attempts = await periodAttemptFacts(deps.db, agreement.id, periodIndex);
      if (attempts.paid) return { skip: "stale:period_paid" };
      const latest = attempts.latest;
      // A retry is announced only if one will happen: retryable, under the limit, the agreement
      // still charging this period, and its day inside the period's window.
      const retryAt =
        latest?.status === "failed" &&
        latest.nextRetryAt &&
        latest.attemptNo < deps.policy.maxAttempts &&
        agreement.status === "active" &&
        agreement.currentPeriod === periodIndex &&
        agreement.nextChargeDate !== null &&
        shanghaiDate(latest.nextRetryAt) <= agreement.nextChargeDate
          ? latest.nextRetryAt
          : null;
      const { endsAt } = await membershipOf(deps.db, agreement.userId);
      return {
        view: {
          kind: "renewal_failed",
          planTitle: title(product),
          amountFen: agreement.singleAmountFen,
          periodIndex,
          reasonCode: latest?.errorCode ?? null,
          nextRetryAt: retryAt,
          endsAt,
          manageUrl: url("/account/membership"),
        },
      };
    }

    case "membership_lapsed": {
      const orderId = str(data.orderId);
      const endedAt = str(data.endedAt);
      const product = orderId ? await productOfOrder(deps.db, orderId) : null;
      if (!product || !endedAt || !notice.userId) return { skip: "stale:grant_missing" };
      const { endsAt } = await membershipOf(deps.db, notice.userId);
      if (endsAt && endsAt > (await deps.now())) return { skip: "stale:renewed" };
      return {
        view: {
          kind: "membership_lapsed",
          planTitle: title(product),
          endedAt: new Date(endedAt),
          plansUrl: url(`/products/${encodeURIComponent(product.slug)}`),
        },
      };
    }

    case "auto_renew_cancelled": {
      const agreementId = str(data.agreementId);
      const via = str(data.via);
      const facts = agreementId ? await agreementFacts(deps.db, agreementId) : null;
      if (!facts) return { skip: "stale:agreement_missing" };
      const { endsAt } = await membershipOf(deps.db, facts.agreement.userId);
      const now = await deps.now();
      return {
        view: {
          kind: "auto_renew_cancelled",
          planTitle: title(facts.product),
          endsAt: endsAt && endsAt > now ? endsAt : null,
          via: via === "wallet" || via === "provider" ? via : "shop",
          plansUrl: url(`/products/${encodeURIComponent(facts.product.slug)}`),
        },
      };
    }

    case "refund": {
      const refundId = str(data.refundId);
      const facts = refundId ? await refundFacts(deps.db, refundId) : null;
      if (!facts || facts.refund.status !== "succeeded") return { skip: "stale:refund_missing" };
      return {
        view: {
          kind: "refund",
          orderNo: facts.orderNo,
          productTitle: title(facts.product),
          refundFen: facts.refund.amountFen,
          amountFen: facts.orderAmountFen,
          refundedAt: facts.refund.completedAt ?? facts.refund.createdAt,
          method: facts.refund.method,
          ordersUrl: url("/account/orders"),
        },
      };
    }

    case "password_reset": {
      const tokenId = str(data.tokenId);
      const { sealed: _sealed, ...scrubbed } = data;
      void _sealed;
      const facts = tokenId ? await resetTokenFacts(deps.db, tokenId) : null;
      if (!facts) return { skip: "stale:token_missing" };
      if (facts.usedAt || facts.revokedAt) return { skip: "stale:token_used" };
      if (facts.expiresAt <= (await deps.now())) return { skip: "stale:token_expired" };
      const token = unseal(deps.authSecret, data.sealed);
      if (!token) return { skip: "unreadable:token" };
      return {
        view: {
          kind: "password_reset",
          resetUrl: url(`/reset-password?token=${encodeURIComponent(token)}`),
          expiresAt: facts.expiresAt,
        },
        dataAfterSend: scrubbed,
      };
    }

    case "owner_digest": {
      const date = str(data.date);
      if (!date) return { skip: "unreadable:digest" };
      const n = (key: string) => int(data[key]) ?? 0;
      const figures = [
        "paidOrders",
        "failingAgreements",
        "ordersInReview",
        "deadWebhooks",
        "failedNotices",
      ];
      if (figures.every((key) => n(key) === 0)) return { skip: "nothing_to_report" };
      return {
        view: {
          kind: "owner_digest",
          date,
          paidOrders: n("paidOrders"),
          revenueFen: n("revenueFen"),
          failingAgreements: n("failingAgreements"),
          ordersInReview: n("ordersInReview"),
          deadWebhooks: n("deadWebhooks"),
          failedNotices: n("failedNotices"),
          links: {
            failing: url("/admin/subscriptions?failing=1"),
            review: url("/admin/orders?status=review"),
            webhooks: url("/admin/webhooks?status=dead"),
            notices: url("/admin/notices?status=dead"),
            dashboard: url("/admin"),
          },
        },
      };
    }
  }
}
