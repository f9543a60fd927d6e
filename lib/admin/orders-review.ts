import "server-only";
import type { Db } from "@/db/client";
import { syncPaidPeriods } from "@/db/queries/agreements";
import { findAdminOrder } from "@/db/queries/admin-orders";
import type { OrderFacts } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { acceptRecordedPayment } from "@/lib/orders/settle";

export interface AcceptReviewInput {
  orderNo: string;
  /** The trade to accept; the latest one recorded for review when absent. */
  paymentId?: string;
  note: string | null;
  actorUserId: string;
}

/**
 * "Accept the payment" of an order in review: the owner takes the trade recorded for review as
 * the order's payment (e.g. an amount that differed). It goes through settlement
 * (`acceptRecordedPayment`: the same decision and writes as a provider's payment), so the order
 * is paid and granted once, audited with the owner's name; a renewal brings its agreement up to
 * its paid periods in the same transaction, as a charge would.
 */
export async function acceptReviewPayment(
  deps: { db: Db; now: () => Promise<Date> },
  input: AcceptReviewInput,
): Promise<OrderFacts> {
  const detail = await findAdminOrder(deps.db, input.orderNo);
  if (!detail) throw new AppError("not_found", "No such order.");
  const { order } = detail;
  if (order.status !== "review") {
    throw new AppError("conflict", `The order is ${order.status}, not in review.`);
  }
  const candidates = detail.payments.filter((p) => p.status === "mismatch" && p.refundedFen === 0);
  const payment = input.paymentId
    ? candidates.find((p) => p.id === input.paymentId)
    : candidates.at(-1);
  if (!payment) {
    throw new AppError("conflict", "No payment of this order is waiting to be accepted.");
  }
  const now = await deps.now();
  const agreementId = order.agreementId;
  const result = await acceptRecordedPayment(
    deps.db,
    order.id,
    {
      provider: payment.provider,
      tradeNo: payment.providerTradeNo,
      amountFen: payment.amountFen,
      paidAt: payment.paidAt ?? now,
      buyerRef: payment.buyerRef,
    },
    now,
    { userId: input.actorUserId, note: input.note },
    agreementId ? (tx) => syncPaidPeriods(tx, agreementId) : undefined,
  );
  if (result.outcome === "duplicate_payment") {
    throw new AppError(
      "conflict",
      "The buyer owns this content through another order: refund this payment instead.",
    );
  }
  if (result.outcome !== "settled") {
    throw new AppError("conflict", "The order changed meanwhile; reload it.");
  }
  return result.order;
}
