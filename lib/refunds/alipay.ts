import "server-only";
import type { Db } from "@/db/client";
import { insertDeductionLog } from "@/db/queries/agreements";
import { insertAudit } from "@/db/queries/audit";
import {
  findRefund,
  insertRefund,
  lockOrderForRefund,
  outTradeNoOfTrade,
  recordRefundAttempt,
  reopenFailedRefund,
} from "@/db/queries/refunds";
import type { Order, Refund } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";
import type { AlipayExchange, AlipayGateway, AlipayResult, Refunded } from "@/lib/payments/alipay";
import { applySucceededRefund, type RefundSnapshot } from "./apply";
import { checkRefundAmount } from "./rules";

const log = moduleLogger("refunds");

export interface RefundDeps {
  db: Db;
  now: () => Promise<Date>;
  alipay: { gateway: AlipayGateway };
}

/** How many times one request asks Alipay when the outcome stays unknown (same number). */
export const REFUND_CALLS_PER_REQUEST = 3;

export interface AlipayRefundInput {
  orderNo: string;
  /** Fen; ignored when a pending refund is reused or a failed one retried (theirs counts). */
  amountFen: number;
  note: string | null;
  actorUserId: string;
  /**
   * What the owner saw refunded of the trade when asking: a request made on a stale page (a
   * double click after the first refund finished) is refused rather than refunding again.
   */
  expectedRefundedFen?: number;
  /** A failed refund of this order to try again with its own out_request_no. */
  retryRefundId?: string;
  /** The trade to refund: the order's paying trade when absent. */
  paymentId?: string;
}

export interface RefundResult {
  /** `pending`: Alipay's answer was unknown; the same refund is asked again later. */
  status: Refund["status"];
  refund: Refund;
  /** A refund already pending for the order was reused instead of a new one. */
  reused: boolean;
  code: string | null;
  message: string | null;
  after: RefundSnapshot | null;
}

/**
 * Refunds (part of) an Alipay order with `alipay.trade.refund`. Idempotent by construction:
 * 1. under the order's lock, the refund row is committed with its own `out_request_no` before
 *    Alipay is asked — or the order's pending refund is reused (`refunds_order_pending_uq`);
 * 2. Alipay is asked with that number, again while the outcome is unknown (Alipay refunds once
 *    per number); every exchange is logged in `deduction_logs`;
 * 3. the answer is applied under the lock by whoever moves the row out of `pending`, in one
 *    transaction with the trade, the order, the grant and the audit row.
 */
export async function refundAlipayOrder(
  deps: RefundDeps,
  input: AlipayRefundInput,
): Promise<RefundResult> {
  const { refund, order, tradeNo, reused } = await openRefund(deps, input);
  const outTradeNo = (await outTradeNoOfTrade(deps.db, order.id, tradeNo)) ?? order.orderNo;
  let answer: AlipayResult<Refunded> | undefined;
  for (let call = 0; call < REFUND_CALLS_PER_REQUEST; call++) {
    answer = await deps.alipay.gateway.refund({
      outTradeNo,
      outRequestNo: refund.outRequestNo!,
      amountFen: refund.amountFen,
      reason: refund.note ?? undefined,
    });
    await logExchange(deps.db, answer.exchange, order, answer.kind);
    if (answer.kind !== "unknown") break;
  }
  if (!answer) throw new Error("refundAlipayOrder: no call made");
  return finishRefund(deps, order.orderNo, refund.id, answer, input.actorUserId, reused);
}

async function openRefund(
  deps: RefundDeps,
  input: AlipayRefundInput,
): Promise<{ refund: Refund; order: Order; tradeNo: string; reused: boolean }> {
  return deps.db.transaction(async (tx) => {
    const locked = await lockOrderForRefund(tx, input.orderNo);
    if (!locked) throw new AppError("not_found", "No such order.");
    const { order } = locked;
    if (order.provider !== "alipay") {
      throw new AppError(
        "conflict",
        "Youzan QR trades have no refund API: mark the order refunded by hand.",
      );
    }
    const tradeOf = (paymentId: string) => {
      const payment = locked.payments.find((p) => p.id === paymentId);
      if (!payment) throw new Error(`refund: payment ${paymentId} not on the order`);
      return payment.providerTradeNo;
    };
    if (locked.pending) {
      // A double click, or a retry after a timeout: the refund in flight, never a second one.
      if (!input.retryRefundId && locked.pending.amountFen !== input.amountFen) {
        throw new AppError(
          "conflict",
          "Another refund of this order is in progress; wait for it, then try again.",
        );
      }
      return {
        refund: locked.pending,
        order,
        tradeNo: tradeOf(locked.pending.paymentId),
        reused: true,
      };
    }
    const actor = { actorKind: "user" as const, actorUserId: input.actorUserId };
    if (input.retryRefundId) {
      const failed = await findRefund(tx, input.retryRefundId);
      if (!failed || failed.orderId !== order.id || failed.method !== "alipay") {
        throw new AppError("not_found", "No such refund of this order.");
      }
      const payment = locked.payments.find((p) => p.id === failed.paymentId);
      const problem = payment
        ? checkRefundAmount(failed.amountFen, payment)
        : "refund.amount_exceeds";
      if (problem) {
        throw new AppError("conflict", "This refund no longer fits what is left to refund.", {
          amount: [problem],
        });
      }
      const reopened = await reopenFailedRefund(tx, failed.id);
      if (!reopened) throw new AppError("conflict", "This refund is not a failed one.");
      await insertAudit(tx, {
        ...actor,
        action: "order.refund_retried",
        targetType: "order",
        targetId: order.id,
        details: {
          refundId: reopened.id,
          outRequestNo: reopened.outRequestNo,
          amountFen: reopened.amountFen,
          before: { status: failed.status, failureCode: failed.failureCode },
          after: { status: reopened.status },
        },
      });
      return { refund: reopened, order, tradeNo: tradeOf(reopened.paymentId), reused: false };
    }
    const payment = input.paymentId
      ? locked.payments.find((p) => p.id === input.paymentId)
      : locked.payments.find((p) => p.status === "paid");
    if (!payment) throw new AppError("conflict", "This order has no payment to refund.");
    if (
      input.expectedRefundedFen !== undefined &&
      input.expectedRefundedFen !== payment.refundedFen
    ) {
      throw new AppError(
        "conflict",
        "This payment was refunded meanwhile; reload the order before refunding again.",
      );
    }
    const problem = checkRefundAmount(input.amountFen, payment);
    if (problem) {
      throw new AppError("validation_failed", "The amount cannot be refunded.", {
        amount: [problem],
      });
    }
    const refund = await insertRefund(tx, {
      id: newId("rfd"),
      orderId: order.id,
      paymentId: payment.id,
      provider: "alipay",
      method: "alipay",
      // Unique per order and sequence; Alipay allows ≤ 64 of [A-Za-z0-9_.-].
      outRequestNo: `${order.orderNo}RF${locked.refundCount + 1}`,
      amountFen: input.amountFen,
      status: "pending",
      note: input.note,
      requestedBy: input.actorUserId,
      completedAt: null,
    });
    // The order is locked, so no pending refund can have appeared since it was read.
    if (!refund) throw new Error("refund: a pending refund appeared under the order lock");
    await insertAudit(tx, {
      ...actor,
      action: "order.refund_requested",
      targetType: "order",
      targetId: order.id,
      details: {
        refundId: refund.id,
        outRequestNo: refund.outRequestNo,
        amountFen: refund.amountFen,
        tradeNo: payment.providerTradeNo,
        note: input.note,
        before: { paymentRefundedFen: payment.refundedFen, orderStatus: order.status },
      },
    });
    return { refund, order, tradeNo: payment.providerTradeNo, reused: false };
  });
}

async function finishRefund(
  deps: RefundDeps,
  orderNo: string,
  refundId: string,
  answer: AlipayResult<Refunded>,
  actorUserId: string,
  reused: boolean,
): Promise<RefundResult> {
  const now = await deps.now();
  return deps.db.transaction(async (tx) => {
    const locked = await lockOrderForRefund(tx, orderNo);
    if (!locked) throw new Error(`refund: order ${orderNo} vanished`);
    const current = await findRefund(tx, refundId);
    if (!current) throw new Error(`refund: ${refundId} vanished`);
    const result = (refund: Refund, after: RefundSnapshot | null): RefundResult => ({
      status: refund.status,
      refund,
      reused,
      code: refund.failureCode,
      message: refund.failureMessage,
      after,
    });
    // Another request applied this refund's answer first: report it, change nothing.
    if (current.status !== "pending") return result(current, null);
    if (answer.kind === "succeeded") {
      const applied = await applySucceededRefund(tx, locked, current, now);
      if (!applied) return result((await findRefund(tx, refundId)) ?? current, null);
      const ours =
        (locked.payments.find((p) => p.id === current.paymentId)?.refundedFen ?? 0) +
        current.amountFen;
      if (answer.refundedFen !== ours) {
        // Refunds made outside the shop (Alipay's own console): Alipay's total is the truth for
        // the money, ours for what this shop did; the owner sees both in the log.
        log.warn(
          { orderNo, refundId, alipayRefundedFen: answer.refundedFen, shopRefundedFen: ours },
          "refunded totals differ",
        );
      }
      await insertAudit(tx, {
        actorKind: "user",
        actorUserId,
        action: "order.refund",
        targetType: "order",
        targetId: locked.order.id,
        details: {
          refundId: current.id,
          outRequestNo: current.outRequestNo,
          amountFen: current.amountFen,
          alipayRefundedFen: answer.refundedFen,
          fundChange: answer.fundChange,
          membershipCutSeconds: applied.membershipCutSeconds,
          before: applied.before,
          after: applied.after,
        },
      });
      return result(applied.refund, applied.after);
    }
    const status = answer.kind === "unknown" ? "pending" : "failed";
    const recorded = await recordRefundAttempt(tx, current.id, {
      status,
      code: answer.code,
      message: answer.message,
    });
    if (status === "failed") {
      await insertAudit(tx, {
        actorKind: "user",
        actorUserId,
        action: "order.refund_failed",
        targetType: "order",
        targetId: locked.order.id,
        details: {
          refundId: current.id,
          outRequestNo: current.outRequestNo,
          amountFen: current.amountFen,
          code: answer.code,
          message: answer.message,
          before: { status: "pending" },
          after: { status: "failed" },
        },
      });
    }
    log.info({ orderNo, refundId, kind: answer.kind, code: answer.code }, "refund not done");
    return result(recorded ?? current, null);
  });
}

async function logExchange(
  db: Db,
  exchange: AlipayExchange,
  order: Pick<Order, "id" | "agreementId">,
  outcome: string,
): Promise<void> {
  await insertDeductionLog(db, {
    apiMethod: exchange.apiMethod,
    agreementId: order.agreementId,
    chargeAttemptId: null,
    orderId: order.id,
    request: exchange.request,
    response: exchange.response as object,
    httpStatus: exchange.httpStatus,
    outcome,
    durationMs: Math.round(exchange.durationMs),
  });
}
