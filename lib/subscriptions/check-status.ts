import { findAgreementById, listChargeAttempts } from "@/db/queries/agreements";
import { checkedWithin, claimStatusCheck } from "@/db/queries/orders";
import type { OrderFacts } from "@/db/schema";
import { chargePeriod, logExchange, settlePeriod } from "./charge";
import type { SubscriptionDeps } from "./deps";
import { onAgreementSigned } from "./notifications";

export type AlipayCheck = { checked: false } | { checked: true; outcome: string };

/**
 * The status poll of an Alipay order, for when a notification is late: at most one question to
 * Alipay per order per interval, whichever tab or instance asks (the same conditional claim as
 * the Youzan poll).
 * - Browser flow, not yet signed: `alipay.user.agreement.query` by our agreement number; a
 *   signed agreement is taken as the sign notification would be (activate, charge period 1).
 * - Signed, period 1 unpaid: an attempt whose outcome is unknown is resolved, and a charge that
 *   never happened (a crash between sign and charge) is made. A declined attempt is not
 *   repeated by polling: the buyer retries (`retryPeriodOne`).
 * - App flow: `alipay.trade.query` of the order.
 */
export async function checkAlipayOrder(
  deps: SubscriptionDeps & { statusCheckIntervalMs: number },
  order: OrderFacts,
): Promise<AlipayCheck> {
  if (order.provider !== "alipay" || order.status !== "pending" || !order.agreementId) {
    return { checked: false };
  }
  const now = await deps.now();
  if (
    checkedWithin(order, now, deps.statusCheckIntervalMs) ||
    !(await claimStatusCheck(deps.db, order.id, now, deps.statusCheckIntervalMs, ["pending"]))
  ) {
    return { checked: false };
  }
  const agreement = await findAgreementById(deps.db, order.agreementId);
  if (!agreement) return { checked: false };

  if (agreement.signFlow === "app_pay") {
    const queried = await deps.alipay.gateway.queryTrade(order.orderNo);
    await logExchange(deps, queried.exchange, agreement, null, order.id, queried.kind);
    if (
      queried.kind === "succeeded" &&
      queried.found &&
      (queried.status === "TRADE_SUCCESS" || queried.status === "TRADE_FINISHED") &&
      queried.tradeNo &&
      queried.amountFen === order.amountFen
    ) {
      const outcome = await settlePeriod(deps, agreement, order, {
        tradeNo: queried.tradeNo,
        amountFen: queried.amountFen,
        paidAt: queried.paidAt ?? now,
        buyerRef: queried.buyerUserId,
      });
      return { checked: true, outcome };
    }
    return { checked: true, outcome: queried.kind === "succeeded" ? "unpaid" : queried.code };
  }

  if (agreement.status === "pending_sign") {
    const queried = await deps.alipay.gateway.queryAgreementByExternalNo(
      agreement.externalAgreementNo,
    );
    await logExchange(deps, queried.exchange, agreement, null, order.id, queried.kind);
    if (
      queried.kind !== "succeeded" ||
      !queried.found ||
      queried.status !== "NORMAL" ||
      !queried.agreementNo
    ) {
      return { checked: true, outcome: queried.kind === "succeeded" ? "not_signed" : queried.code };
    }
    const applied = await onAgreementSigned(deps, agreement, {
      agreementNo: queried.agreementNo,
      alipayUserId: queried.alipayUserId,
      signedAt: queried.signTime ?? now,
    });
    return { checked: true, outcome: applied.outcome };
  }

  if (agreement.status === "active" && order.periodIndex === 1) {
    const attempts = await listChargeAttempts(deps.db, agreement.id, 1);
    const last = attempts.at(-1);
    if (last === undefined || last.status === "unknown" || last.status === "pending") {
      const charged = await chargePeriod(deps, agreement, order);
      return { checked: true, outcome: `charge_${charged.status}` };
    }
  }
  return { checked: true, outcome: "waiting" };
}

/**
 * The buyer asks to try period 1 again (after topping up, say): one new attempt, only when the
 * last one was declined, and at most once per status interval.
 */
export async function retryPeriodOne(
  deps: SubscriptionDeps & { statusCheckIntervalMs: number },
  order: OrderFacts,
): Promise<AlipayCheck> {
  if (order.provider !== "alipay" || order.status !== "pending" || !order.agreementId) {
    return { checked: false };
  }
  const agreement = await findAgreementById(deps.db, order.agreementId);
  if (!agreement || agreement.status !== "active" || agreement.signFlow !== "page_sign") {
    return { checked: false };
  }
  const now = await deps.now();
  if (
    checkedWithin(order, now, deps.statusCheckIntervalMs) ||
    !(await claimStatusCheck(deps.db, order.id, now, deps.statusCheckIntervalMs, ["pending"]))
  ) {
    return { checked: false };
  }
  const charged = await chargePeriod(deps, agreement, order);
  return { checked: true, outcome: `charge_${charged.status}` };
}
