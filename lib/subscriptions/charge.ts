import {
  finishChargeAttempt,
  insertChargeAttempt,
  insertDeductionLog,
  listChargeAttempts,
  logAndFinishChargeAttempt,
  syncPaidPeriods,
  type AttemptOutcome,
  type NewDeductionLog,
} from "@/db/queries/agreements";
import { closePendingOrder } from "@/db/queries/orders";
import type { Agreement, OrderFacts } from "@/db/schema";
import type { Db } from "@/db/client";
import { newId } from "@/lib/ids";
import { endAgreementWithNotice, noticeRenewalFailed } from "@/lib/notices/triggers";
import { nextRetryAt, STALE_PENDING_MS } from "@/lib/billing/schedule";
import { moduleLogger } from "@/lib/logger";
import { settlePayment, type SettleOutcome } from "@/lib/orders/settle";
import type { AlipayExchange } from "@/lib/payments/alipay";
import { notifyUrls, type SubscriptionDeps } from "./deps";
import { chargeOutTradeNo } from "./numbers";

const log = moduleLogger("subscriptions");

export type ChargeResult =
  | { status: "paid"; settle: SettleOutcome }
  | { status: "declined" | "rejected" | "agreement_gone"; code: string; message: string }
  | { status: "unknown"; code: string }
  /** Another request is charging this period right now, or it is paid already. */
  | { status: "busy" | "already_paid" };

/**
 * Charges one period of an active agreement with `alipay.trade.pay`, recording the attempt
 * (`charge_attempts`, one per number, so two concurrent callers cannot both charge) and every
 * exchange (`deduction_logs`). A success settles the period's order through `settlePayment` —
 * the same function the trade notification uses, so whichever comes first pays it and the other
 * changes nothing. An unknown outcome is asked about once (`alipay.trade.query` with the same
 * `out_trade_no`); if that does not tell, the attempt stays `unknown` for the next look.
 */
export async function chargePeriod(
  deps: SubscriptionDeps,
  agreement: Agreement,
  order: OrderFacts,
  options: { billingRunId?: string; attempts?: Attempt[] } = {},
): Promise<ChargeResult> {
  const { db } = deps;
  if (order.status === "paid") return { status: "already_paid" };
  if (agreement.status !== "active" || !agreement.agreementNo) {
    return { status: "agreement_gone", code: "agreement_not_active", message: agreement.status };
  }
  const periodIndex = order.periodIndex ?? 1;
  const attempts = options.attempts ?? (await listChargeAttempts(db, agreement.id, periodIndex));
  if (attempts.some((a) => a.status === "succeeded")) return { status: "already_paid" };
  // An attempt whose outcome is unknown is asked about first, and repeated only with its own
  // number (Alipay answers a replay of a paid one with ACQ.TRADE_HAS_SUCCESS): never a new one.
  const open = attempts.find((a) => a.status === "unknown" || a.status === "pending");
  const now = await deps.now();
  // A pending attempt is another request's call in flight, unless it is old enough to have
  // been cut short (a crash mid-call): then its outcome is unknown like any other.
  if (open?.status === "pending" && now.getTime() - open.createdAt.getTime() < STALE_PENDING_MS) {
    return { status: "busy" };
  }
  if (open) {
    const known = await resolveByQuery(deps, agreement, order, open);
    if (known !== null) return known;
  }
  const attemptNo = open ? open.attemptNo : attempts.length + 1;
  const outTradeNo = open ? open.outTradeNo : chargeOutTradeNo(order.orderNo, attemptNo);
  const attempt =
    open ??
    (await insertChargeAttempt(db, {
      id: newId("chg"),
      agreementId: agreement.id,
      orderId: order.id,
      periodIndex,
      attemptNo,
      outTradeNo,
      amountFen: order.amountFen,
      billingRunId: options.billingRunId ?? null,
    }));
  if (!attempt) return { status: "busy" };
  return executeAttempt(deps, agreement as Agreement & { agreementNo: string }, order, attempt);
}

/**
 * Makes one recorded attempt's call (`alipay.trade.pay` with its own `out_trade_no`) and records
 * what came of it: success settles the period; a decline is failed with the time it may be
 * retried (the next Asia/Shanghai day); a refusal no retry can cure is failed without one; an
 * agreement Alipay no longer has is closed; an unknown outcome is asked about once.
 */
export async function executeAttempt(
  deps: SubscriptionDeps,
  agreement: Agreement & { agreementNo: string },
  order: OrderFacts,
  attempt: Attempt,
): Promise<ChargeResult> {
  const { db } = deps;
  const periodIndex = attempt.periodIndex;
  const result = await deps.alipay.gateway.chargeAgreement({
    outTradeNo: attempt.outTradeNo,
    agreementNo: agreement.agreementNo,
    amountFen: order.amountFen,
    subject: `Xiaopu membership period ${periodIndex}`,
    notifyUrl: notifyUrls(deps.alipay.appUrl).trade,
  });
  const at = await deps.now();
  // The exchange's log row and the attempt's outcome are written together (one statement).
  const finish = (outcome: AttemptOutcome) =>
    logAndFinishChargeAttempt(
      db,
      exchangeLog(result.exchange, agreement, attempt.id, order.id, result.kind),
      attempt.id,
      outcome,
    );

  if (result.kind === "succeeded") {
    // The exchange is logged at once; the attempt succeeds in the settlement's transaction
    // (settlePeriod), so a crash or a lost connection between the two leaves it pending — stale,
    // then asked about with trade.query and settled — never succeeded with its order unpaid,
    // which no phase would look at again.
    await logExchange(deps, result.exchange, agreement, attempt.id, order.id, result.kind);
    const settle = await settlePeriod(
      deps,
      agreement,
      order,
      {
        tradeNo: result.tradeNo,
        amountFen: result.amountFen,
        paidAt: result.paidAt ?? at,
        buyerRef: result.buyerUserId,
      },
      { succeededAttempt: { id: attempt.id, at } },
    );
    return { status: "paid", settle };
  }
  if (result.kind === "unknown") {
    await finish({ status: "unknown", errorCode: result.code, errorMessage: result.message, at });
    // What made it unknown stays on the attempt if the query finds no trade (its failure code).
    const known = await resolveByQuery(deps, agreement, order, {
      ...attempt,
      status: "unknown",
      errorCode: result.code,
      errorMessage: result.message,
    });
    return known ?? { status: "unknown", code: result.code };
  }
  const failed: AttemptOutcome = {
    status: "failed",
    errorCode: result.code,
    errorMessage: result.message,
    nextRetryAt: result.kind === "declined" ? nextRetryAt(at) : null,
    at,
  };
  if (result.kind === "agreement_gone") {
    await finish(failed);
    await endAgreementWithNotice(db, agreement.id, "closed", at, "provider");
    await closePendingOrder(db, order.id, `agreement gone at Alipay (${result.code})`);
    log.warn({ agreementId: agreement.id, code: result.code }, "agreement gone at Alipay: closed");
  } else {
    // The attempt's outcome and the buyer's notice commit together; the notice is one per
    // period (its key), however many attempts of the period fail.
    await db.transaction(async (tx) => {
      await logAndFinishChargeAttempt(
        tx,
        exchangeLog(result.exchange, agreement, attempt.id, order.id, result.kind),
        attempt.id,
        failed,
      );
      await noticeFailedRenewal(tx, agreement, order);
    });
  }
  return { status: result.kind, code: result.code, message: result.message };
}

/** A renewal's failure is told to the buyer (a first period's is shown at the checkout). */
async function noticeFailedRenewal(
  db: Db,
  agreement: Pick<Agreement, "id" | "userId">,
  order: OrderFacts,
): Promise<void> {
  if (order.kind !== "renewal" || order.periodIndex === null) return;
  await noticeRenewalFailed(db, {
    userId: agreement.userId,
    agreementId: agreement.id,
    periodIndex: order.periodIndex,
    orderId: order.id,
  });
}

export type Attempt = NonNullable<Awaited<ReturnType<typeof insertChargeAttempt>>>;

/**
 * Asks `alipay.trade.query` what became of an attempt whose outcome is unknown. Paid → settled
 * (the attempt succeeds); no such trade → the attempt failed and a new one may be made; anything
 * else (still unknown, waiting) → null, and the attempt stays `unknown` for the next look.
 */
export async function resolveByQuery(
  deps: SubscriptionDeps,
  agreement: Agreement,
  order: OrderFacts,
  attempt: Attempt,
): Promise<ChargeResult | null> {
  const queried = await deps.alipay.gateway.queryTrade(attempt.outTradeNo);
  await logExchange(deps, queried.exchange, agreement, attempt.id, order.id, queried.kind);
  const at = await deps.now();
  if (queried.kind !== "succeeded") return null;
  if (
    queried.found &&
    (queried.status === "TRADE_SUCCESS" || queried.status === "TRADE_FINISHED") &&
    queried.tradeNo
  ) {
    // As in executeAttempt: the attempt succeeds with the settlement or not at all.
    const settle = await settlePeriod(
      deps,
      agreement,
      order,
      {
        tradeNo: queried.tradeNo,
        amountFen: queried.amountFen ?? order.amountFen,
        paidAt: queried.paidAt ?? at,
        buyerRef: queried.buyerUserId,
      },
      { succeededAttempt: { id: attempt.id, at } },
    );
    return { status: "paid", settle };
  }
  if (!queried.found || queried.status === "TRADE_CLOSED") {
    await finishChargeAttempt(deps.db, attempt.id, {
      status: "failed",
      errorCode: attempt.errorCode ?? "unknown",
      errorMessage: `${attempt.errorMessage ?? "outcome unknown"} (no paid trade found afterwards)`,
      // Not charged: the period may be tried again, on the next day like any decline.
      nextRetryAt: nextRetryAt(at),
      at,
    });
    await noticeFailedRenewal(deps.db, agreement, order);
    return { status: "declined", code: attempt.errorCode ?? "unknown", message: "not charged" };
  }
  return null;
}

/**
 * Settles a period's order and, in the same transaction, brings the agreement up to its paid
 * orders (`syncPaidPeriods`, idempotent: it also heals agreements written before this was so).
 */
export async function settlePeriod(
  deps: SubscriptionDeps,
  agreement: Pick<Agreement, "id">,
  order: OrderFacts,
  trade: { tradeNo: string; amountFen: number; paidAt: Date; buyerRef?: string | null },
  /** The charge attempt that made this trade: marked succeeded in the same transaction. */
  options: { succeededAttempt?: { id: string; at: Date } } = {},
): Promise<SettleOutcome> {
  const { succeededAttempt } = options;
  const { outcome } = await settlePayment(
    deps.db,
    order.id,
    { provider: "alipay", ...trade },
    await deps.now(),
    // In the same transaction: the agreement moves on with the paid order (and the attempt
    // succeeds with it), or none of them does.
    {
      alsoInTransaction: async (tx) => {
        await syncPaidPeriods(tx, agreement.id);
        if (succeededAttempt) {
          await finishChargeAttempt(tx, succeededAttempt.id, {
            status: "succeeded",
            tradeNo: trade.tradeNo,
            at: succeededAttempt.at,
          });
        }
      },
    },
  );
  return outcome;
}

function exchangeLog(
  exchange: AlipayExchange,
  agreement: Pick<Agreement, "id">,
  chargeAttemptId: string | null,
  orderId: string | null,
  outcome: string,
): NewDeductionLog {
  return {
    apiMethod: exchange.apiMethod,
    agreementId: agreement.id,
    chargeAttemptId,
    orderId,
    request: exchange.request,
    response: exchange.response as object,
    httpStatus: exchange.httpStatus,
    outcome,
    durationMs: Math.round(exchange.durationMs),
  };
}

async function logExchange(
  deps: SubscriptionDeps,
  exchange: AlipayExchange,
  agreement: Pick<Agreement, "id">,
  chargeAttemptId: string | null,
  orderId: string | null,
  outcome: string,
): Promise<void> {
  await insertDeductionLog(
    deps.db,
    exchangeLog(exchange, agreement, chargeAttemptId, orderId, outcome),
  );
}

export { logExchange };
