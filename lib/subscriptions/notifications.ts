import { endAgreementWithNotice } from "@/lib/notices/triggers";
import {
  activateAgreement,
  findAgreementById,
  findAgreementByNumbers,
  findChargeAttemptByOutTradeNo,
  finishChargeAttempt,
  moveFirstChargeDate,
} from "@/db/queries/agreements";
import { findAgreementOrder, findOrderById, findOrderByNo } from "@/db/queries/orders";
import type { Agreement, Order } from "@/db/schema";
import { formatFen } from "@/lib/money";
import type { AlipayNotification } from "@/lib/payments/alipay";
import { shanghaiDate } from "@/lib/clock";
import { chargePeriod, logExchange, settlePeriod } from "./charge";
import { notifyUrls, type SubscriptionDeps } from "./deps";

/** What applying one notification did (the inbox records it as the row's outcome). */
export interface NotificationResult {
  status: "processed" | "ignored";
  outcome: string;
}

const ignored = (outcome: string): NotificationResult => ({ status: "ignored", outcome });

/**
 * Applies one verified Alipay notification. Checked before anything changes: the app (and the
 * seller, when configured), the order the trade belongs to and its amount. Every branch is safe
 * to repeat: duplicates, replays and any order of arrival give the same end state.
 */
export async function applyAlipayNotification(
  deps: SubscriptionDeps,
  notification: AlipayNotification,
): Promise<NotificationResult> {
  if (notification.kind === "other") {
    return ignored(`no_effect:${notification.notifyType ?? "unknown"}`);
  }
  if (notification.appId !== null && notification.appId !== deps.alipay.appId) {
    return ignored("foreign_app");
  }
  switch (notification.kind) {
    case "trade":
      return applyTrade(deps, notification);
    case "agreement_signed":
      return applySigned(deps, notification);
    default:
      return applyUnsigned(deps, notification);
  }
}

type TradeNotification = Extract<AlipayNotification, { kind: "trade" }>;

async function orderOfTrade(
  deps: SubscriptionDeps,
  outTradeNo: string,
): Promise<Order | undefined> {
  const byNo = await findOrderByNo(deps.db, outTradeNo);
  if (byNo) return byNo;
  // A later attempt of a period (`<orderNo>R<n>`) is known by its charge attempt.
  const attempt = await findChargeAttemptByOutTradeNo(deps.db, outTradeNo);
  return attempt ? findOrderById(deps.db, attempt.orderId) : undefined;
}

async function applyTrade(
  deps: SubscriptionDeps,
  n: TradeNotification,
): Promise<NotificationResult> {
  const { sellerId } = deps.alipay;
  if (sellerId !== null && n.sellerId !== null && n.sellerId !== sellerId) {
    return ignored("foreign_seller");
  }
  const order = await orderOfTrade(deps, n.outTradeNo);
  if (!order || order.provider !== "alipay") return ignored("unknown_order");
  if (n.refundFeeFen !== null || n.outBizNo !== null) return ignored("refund_notice");
  if (n.status !== "TRADE_SUCCESS" && n.status !== "TRADE_FINISHED") {
    // TRADE_CLOSED of an unpaid trade: our own rules close orders; of a paid one: nothing.
    return ignored(`no_effect:${n.status}`);
  }
  if (n.totalAmountFen === null || n.totalAmountFen !== order.amountFen) {
    return ignored(
      `amount_mismatch: received ${n.totalAmountFen === null ? "none" : formatFen(n.totalAmountFen)}, expected ${formatFen(order.amountFen)}`,
    );
  }
  if (!order.agreementId) return ignored("not_an_agreement_order");
  const attempt = await findChargeAttemptByOutTradeNo(deps.db, n.outTradeNo);
  if (attempt && attempt.status !== "succeeded") {
    await finishChargeAttempt(deps.db, attempt.id, {
      status: "succeeded",
      tradeNo: n.tradeNo,
      at: await deps.now(),
    });
  }
  const outcome = await settlePeriod(deps, { id: order.agreementId }, order, {
    tradeNo: n.tradeNo,
    amountFen: n.totalAmountFen,
    paidAt: n.paidAt ?? (await deps.now()),
    buyerRef: n.buyerUserId,
  });
  return { status: "processed", outcome };
}

type AgreementNotification = Extract<
  AlipayNotification,
  { kind: "agreement_signed" | "agreement_unsigned" }
>;

async function applySigned(
  deps: SubscriptionDeps,
  n: AgreementNotification,
): Promise<NotificationResult> {
  const agreement = await findAgreementByNumbers(deps.db, n);
  if (!agreement) return ignored("unknown_agreement");
  if (agreement.status === "closed" && agreement.agreementNo === null) {
    // Released before it was signed (a newer subscription replaced it): unsigned at Alipay.
    return { status: "processed", outcome: await unsignReleased(deps, agreement, n.agreementNo) };
  }
  if (agreement.status === "unsigned" || agreement.status === "closed") {
    return ignored(`agreement_${agreement.status}`);
  }
  if (agreement.status === "active" && agreement.agreementNo !== n.agreementNo) {
    return ignored("agreement_number_mismatch");
  }
  return onAgreementSigned(deps, agreement, {
    agreementNo: n.agreementNo,
    alipayUserId: n.alipayUserId,
    signedAt: n.at ?? (await deps.now()),
  });
}

/**
 * A signature learnt from the notification or from asking Alipay: the agreement becomes active
 * (once), and in the browser flow period 1 is charged at once. Safe to repeat.
 */
export async function onAgreementSigned(
  deps: SubscriptionDeps,
  agreement: Agreement,
  signed: { agreementNo: string; alipayUserId: string | null; signedAt: Date },
): Promise<NotificationResult> {
  const activated = await activateAgreement(deps.db, agreement.id, signed);
  if (agreement.signFlow === "app_pay") {
    // Period 1 was paid with the app payment (its own notification); nothing to charge now.
    return { status: "processed", outcome: activated ? "activated" : "already_active" };
  }
  const active = (await findAgreementById(deps.db, agreement.id))!;
  if (active.status !== "active") return ignored(`agreement_${active.status}`);
  const order = await findAgreementOrder(deps.db, agreement.id, 1);
  if (!order) return { status: "processed", outcome: "activated:no_order" };
  const charged = await chargePeriod(deps, await alignFirstCharge(deps, active), order);
  return {
    status: "processed",
    outcome: `${activated ? "activated" : "already_active"}:charge_${charged.status}${"code" in charged ? `:${charged.code}` : ""}`,
  };
}

/**
 * Alipay deducts only in [date − window, date]: when the buyer signs on a later day than the
 * first deduction date the sign URL named (after midnight, or from an old link), period 1 could
 * not be charged. The plan is moved to today first (`executionplan.modify`, later dates only),
 * so period 1 is charged now and the schedule runs from today. Logged like every call.
 */
async function alignFirstCharge(deps: SubscriptionDeps, agreement: Agreement): Promise<Agreement> {
  const today = shanghaiDate(await deps.now());
  if (!agreement.nextChargeDate || agreement.nextChargeDate >= today) return agreement;
  if (agreement.paidPeriods > 0 || agreement.currentPeriod !== 1) return agreement;
  const moved = await deps.alipay.gateway.modifyExecutionPlan({
    agreementNo: agreement.agreementNo!,
    deductDate: today,
    memo: "first deduction on the day of signing",
  });
  await logExchange(deps, moved.exchange, agreement, null, null, moved.kind);
  if (moved.kind !== "succeeded") return agreement;
  await moveFirstChargeDate(deps.db, agreement.id, today);
  return (await findAgreementById(deps.db, agreement.id)) ?? agreement;
}

/**
 * A signature for an agreement the shop released (a newer subscription replaced it) or never
 * let renew: nothing will ever charge it, so it is unsigned at Alipay rather than left in the
 * buyer's wallet looking like a renewal. Logged like every call; its outcome is the inbox's.
 */
async function unsignReleased(
  deps: SubscriptionDeps,
  agreement: Agreement,
  agreementNo: string,
): Promise<string> {
  const result = await deps.alipay.gateway.unsignAgreement({
    agreementNo,
    notifyUrl: notifyUrls(deps.alipay.appUrl).gateway,
  });
  await logExchange(deps, result.exchange, agreement, null, null, result.kind);
  if (result.kind === "unknown") {
    // Thrown, so the inbox tries again later (the row stays `failed`, then `dead`, visible).
    throw new Error(`unsign of a released agreement: outcome unknown (${result.code})`);
  }
  return `released:unsign_${result.kind}`;
}

async function applyUnsigned(
  deps: SubscriptionDeps,
  n: AgreementNotification,
): Promise<NotificationResult> {
  const agreement = await findAgreementByNumbers(deps.db, n);
  if (!agreement) return ignored("unknown_agreement");
  const ended = await endAgreementWithNotice(
    deps.db,
    agreement.id,
    "unsigned",
    n.at ?? (await deps.now()),
    "wallet",
  );
  // The paid time stays: membership grants are not touched.
  return { status: "processed", outcome: ended ? "unsigned" : `already_${agreement.status}` };
}
