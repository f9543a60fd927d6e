import {
  findActiveAgreementOf,
  findPendingAgreement,
  insertPendingAgreement,
  moveFirstChargeDate,
} from "@/db/queries/agreements";
import { findActiveProductBySlug } from "@/db/queries/products";
import type { Agreement, Order, Product } from "@/db/schema";
import { addDays, shanghaiDate } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { planViolations } from "@/lib/memberships/plan-rules";
import { notifyUrls, type SubscriptionDeps } from "./deps";
import { newExternalAgreementNo } from "./numbers";
import { periodOrderOf } from "./period-order";
import { releaseWaiting } from "./release";

export interface StartedSubscription {
  orderNo: string;
  agreementId: string;
  /** page.sign: the URL the buyer opens (or scans) to sign. */
  signUrl: string;
  checkoutUrl: string;
}

export interface StartedAppPay {
  orderNo: string;
  agreementId: string;
  /** alipay.trade.app.pay with agreement_sign_params: what the app hands to the Alipay SDK. */
  orderStr: string;
}

/**
 * Subscribing in the browser (sign, then charge): an agreement waiting for the buyer's signature
 * and the order of its first period; the sign URL offers Alipay's agreement page. Asking again
 * while it waits returns the same agreement and order (`agreements_open_sign_uq`, races
 * included), with a fresh URL. Period 1 is charged when the signature is notified.
 *
 * The first deduction date (`execute_time`) is today in Asia/Shanghai: period 1 is charged as soon
 * as the signature is notified, and the next charge falls one period on, when the paid time ends.
 * A buyer who signs after midnight (or opens an old URL) is handled when the signature arrives:
 * the plan is moved to that day first (`onAgreementSigned`).
 */
export async function startSubscription(
  deps: SubscriptionDeps,
  input: { userId: string; productSlug: string },
): Promise<StartedSubscription> {
  const { agreement, order } = await openAgreement(deps, input, "page_sign");
  const checkoutUrl = `/checkout/${order.orderNo}`;
  return {
    orderNo: order.orderNo,
    agreementId: agreement.id,
    signUrl: signUrlOf(deps, agreement, order),
    checkoutUrl,
  };
}

/**
 * The page.sign URL of an agreement waiting for its signature, built afresh (its timestamp is
 * part of what is signed): the checkout renders it as a QR code and a link.
 */
export function signUrlOf(
  deps: Pick<SubscriptionDeps, "alipay">,
  agreement: Agreement,
  order: Pick<Order, "orderNo">,
): string {
  return deps.alipay.gateway.pageSignUrl({
    externalAgreementNo: agreement.externalAgreementNo,
    periodDays: agreement.periodDays,
    singleAmountFen: agreement.singleAmountFen,
    executeDate: agreement.nextChargeDate!,
    notifyUrl: notifyUrls(deps.alipay.appUrl).agreement,
    returnUrl: `${deps.alipay.appUrl}/checkout/${order.orderNo}`,
  });
}

/**
 * Subscribing from an app (pay, then sign): `alipay.trade.app.pay` pays period 1 and offers the
 * agreement on the same cashier page. The trade notification pays the order and grants period 1;
 * the sign notification activates the agreement, whose first deduction is one period on.
 * Paying without signing leaves a paid one-period membership and no agreement.
 */
export async function startAppPay(
  deps: SubscriptionDeps,
  input: { userId: string; productSlug: string },
): Promise<StartedAppPay> {
  const { agreement, order, product } = await openAgreement(deps, input, "app_pay");
  const urls = notifyUrls(deps.alipay.appUrl);
  const orderStr = deps.alipay.gateway.appPayOrderString({
    outTradeNo: order.orderNo,
    amountFen: order.amountFen,
    subject: product.nameZh,
    notifyUrl: urls.trade,
    sign: {
      externalAgreementNo: agreement.externalAgreementNo,
      periodDays: agreement.periodDays,
      singleAmountFen: agreement.singleAmountFen,
      executeDate: agreement.nextChargeDate!,
      signNotifyUrl: urls.agreement,
    },
  });
  return { orderNo: order.orderNo, agreementId: agreement.id, orderStr };
}

async function openAgreement(
  deps: SubscriptionDeps,
  input: { userId: string; productSlug: string },
  flow: "page_sign" | "app_pay",
): Promise<{ agreement: Agreement; order: Order; product: Product }> {
  const { db } = deps;
  const product = await findActiveProductBySlug(db, input.productSlug);
  if (!product) throw new AppError("not_found", "No product with this slug is on sale.");
  if (product.kind !== "membership" || !product.periodDays) {
    throw new AppError("bad_request", "Only membership plans are subscribed to.");
  }
  const [broken] = planViolations(product, deps.alipay.singleCapFen);
  if (broken) throw new AppError("conflict", `This plan cannot be sold: ${broken.message}.`);
  if (await findActiveAgreementOf(db, input.userId)) throw alreadyRenewing();

  for (let attempt = 0; attempt < 3; attempt++) {
    const waiting = await findPendingAgreement(db, input.userId, product.id);
    if (waiting) {
      const order = await periodOrderOf(deps, waiting, 1);
      if (waiting.signFlow === flow && order.status === "pending") {
        return { agreement: await withFreshDate(deps, waiting), order, product };
      }
      // Paid without signing, or waiting in the other flow: settled with Alipay first.
      if ((await releaseWaiting(deps, waiting)) === "signed") throw alreadyRenewing();
      continue;
    }
    const today = shanghaiDate(await deps.now());
    const created = await insertPendingAgreement(db, {
      id: newId("agr"),
      userId: input.userId,
      productId: product.id,
      externalAgreementNo: newExternalAgreementNo(today),
      singleAmountFen: product.priceFen,
      periodDays: product.periodDays,
      signFlow: flow,
      nextChargeDate: firstChargeDate(flow, today, product.periodDays),
      currentPeriod: flow === "page_sign" ? 1 : 2,
    });
    if (created)
      return { agreement: created, order: await periodOrderOf(deps, created, 1), product };
    // Another request created it first: read it on the next pass.
  }
  throw new AppError("conflict", "A subscription is being prepared; try again shortly.");
}

const alreadyRenewing = () =>
  new AppError(
    "conflict",
    "You already have a membership that renews automatically; cancel it before choosing another plan.",
  );

/** The first deduction date an agreement opened today would get in its flow. */
function firstChargeDate(flow: Agreement["signFlow"], today: string, periodDays: number): string {
  // Browser: period 1 is the first deduction, today. App: period 1 is paid with the app
  // payment; the first deduction pays period 2, one period on.
  return flow === "page_sign" ? today : addDays(today, periodDays);
}

/**
 * A waiting agreement reused on a later day gets that day's first deduction date, so the URL or
 * order string built from it never names a date Alipay's window has left behind.
 */
async function withFreshDate(deps: SubscriptionDeps, agreement: Agreement): Promise<Agreement> {
  const today = shanghaiDate(await deps.now());
  const due = firstChargeDate(agreement.signFlow, today, agreement.periodDays);
  if (!agreement.nextChargeDate || agreement.nextChargeDate >= due) return agreement;
  if (!(await moveFirstChargeDate(deps.db, agreement.id, due))) return agreement;
  return { ...agreement, nextChargeDate: due };
}
