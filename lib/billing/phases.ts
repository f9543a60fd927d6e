import { endAgreementWithNotice } from "@/lib/notices/triggers";
import "server-only";
import {
  endAgreement,
  findAgreementById,
  findAgreementWithAttempts,
  syncPaidPeriods,
} from "@/db/queries/agreements";
import { insertAudit } from "@/db/queries/audit";
import { applyPostponement, listUnpaidActive, listWaitingSigns } from "@/db/queries/billing";
import { closePendingOrder, findAgreementOrder } from "@/db/queries/orders";
import type { Agreement, Order } from "@/db/schema";
import type { AlertItem } from "@/lib/alerts";
import {
  chargePeriod,
  executeAttempt,
  logExchange,
  resolveByQuery,
  type Attempt,
  type ChargeResult,
} from "@/lib/subscriptions/charge";
import { checkAlipayOrder } from "@/lib/subscriptions/check-status";
import { newPeriodOrderWithAttempt, periodOrderOf } from "@/lib/subscriptions/period-order";
import { notifyUrls } from "@/lib/subscriptions/deps";
import type { BillingDeps } from "./deps";
import { billingToday, periodState, postponedDate, type PeriodState } from "./schedule";

/** What one phase did with one agreement (counted in the run's report). */
export interface ItemResult {
  kind: "charged" | "declined" | "closed" | "postponed" | "unknown" | "skipped" | "error";
  /** Something the owner should know (one alert per run collects them). */
  alert?: AlertItem;
}

const SKIPPED: ItemResult = { kind: "skipped" };

/** An agreement and the schedule's verdict on its current period, read fresh. */
async function look(
  deps: BillingDeps,
  id: string,
): Promise<{ agreement: Agreement; attempts: Attempt[]; state: PeriodState } | null> {
  const found = await findAgreementWithAttempts(deps.db, id);
  if (!found) return null;
  const { agreement, attempts } = found;
  const state = periodState(agreement, attempts, await deps.now(), deps.billing.policy);
  return { agreement, attempts, state };
}

function fromCharge(result: ChargeResult, agreement: Agreement, order: Order): ItemResult {
  const about = { agreementId: agreement.id, orderNo: order.orderNo };
  switch (result.status) {
    case "paid":
      return result.settle === "amount_mismatch" || result.settle === "order_not_payable"
        ? {
            kind: "charged",
            alert: { kind: "settle_review", ...about, message: `settled as ${result.settle}` },
          }
        : { kind: "charged" };
    case "declined":
      return { kind: "declined" };
    case "rejected":
      return {
        kind: "declined",
        alert: { kind: "not_retryable", ...about, code: result.code, message: result.message },
      };
    case "agreement_gone":
      return {
        kind: "closed",
        alert: { kind: "agreement_closed", ...about, code: result.code, message: result.message },
      };
    case "unknown":
      return { kind: "unknown" };
    default:
      return SKIPPED;
  }
}

/** Charge (a period never tried) and retry (a declined one whose day came) share this. */
async function chargeIf(
  deps: BillingDeps,
  id: string,
  runId: string,
  wanted: PeriodState["kind"],
): Promise<ItemResult> {
  const seen = await look(deps, id);
  if (!seen || seen.state.kind !== wanted) return SKIPPED;
  const { agreement } = seen;
  if (wanted === "due" && seen.attempts.length === 0 && agreement.agreementNo) {
    // A period never tried (the usual renewal): its order and first attempt in one statement.
    const made = await newPeriodOrderWithAttempt(deps, agreement, agreement.currentPeriod, runId);
    if (made) {
      const result = await executeAttempt(
        deps,
        { ...agreement, agreementNo: agreement.agreementNo },
        made.order,
        made.attempt,
      );
      return fromCharge(result, agreement, made.order);
    }
  }
  const order = await periodOrderOf(deps, agreement, agreement.currentPeriod, {
    likelyNew: wanted === "due",
  });
  if (order.status !== "pending") {
    // Paid by a notification the agreement has not caught up with: bring it up, nothing else.
    await syncPaidPeriods(deps.db, id);
    return SKIPPED;
  }
  const result = await chargePeriod(deps, seen.agreement, order, {
    billingRunId: runId,
    attempts: seen.attempts,
  });
  return fromCharge(result, seen.agreement, order);
}

async function postpone(deps: BillingDeps, id: string): Promise<ItemResult> {
  const seen = await look(deps, id);
  if (!seen || seen.state.kind !== "postpone") return SKIPPED;
  const { agreement, state } = seen;
  const moved = await postponePeriod(deps, agreement, {
    reason: state.reason,
    audit: { actorKind: "cron", action: "agreement.postponed" },
  });
  const about = { agreementId: id, orderNo: moved.orderNo };
  switch (moved.kind) {
    case "closed":
      return {
        kind: "closed",
        alert: { kind: "agreement_closed", ...about, code: moved.code, message: moved.message },
      };
    case "failed":
      return {
        kind: "error",
        alert: {
          kind: "postpone_failed",
          ...about,
          code: moved.code,
          message: `Alipay did not move the plan to ${moved.date}: ${moved.message}`,
        },
      };
    case "skipped":
      return SKIPPED;
  }
  // A refusal was reported when it happened: the owner hears of that period once.
  if (state.reason === "not_retryable") return { kind: "postponed" };
  return {
    kind: "postponed",
    alert: {
      kind: state.reason === "date_passed" ? "date_passed" : "retries_exhausted",
      ...about,
      message: `period ${agreement.currentPeriod} not charged (${state.reason}); next charge ${moved.date}, the membership lapses at its end`,
    },
  };
}

/** What came of moving a period: moved, the agreement found gone, refused, or nothing to do. */
export type PostponeResult = { orderNo: string | undefined; date: string } & (
  | { kind: "postponed"; periods: number }
  | { kind: "closed" | "failed"; code: string; message: string }
  | { kind: "skipped" }
);

/**
 * Moves an active agreement past its current period (the billing run's postpone phase, and the
 * admin's "postpone one period"): Alipay's plan first (`executionplan.modify` to the first
 * scheduled date that has not passed), then, in one transaction, the period's unpaid order is
 * closed and the agreement moves on (`applyPostponement`, only if it is still on that period),
 * with the audit row. An agreement Alipay no longer has is closed.
 */
export async function postponePeriod(
  deps: BillingDeps,
  agreement: Agreement,
  input: {
    reason: string;
    audit: { actorKind: "cron" | "user"; actorUserId?: string; action: string };
  },
): Promise<PostponeResult> {
  const id = agreement.id;
  const period = agreement.currentPeriod;
  const target = postponedDate(
    agreement.nextChargeDate!,
    agreement.periodDays,
    billingToday(await deps.now()),
  );
  const order = await findAgreementOrder(deps.db, id, period);
  const about = { orderNo: order?.orderNo, date: target.date };
  const moved = await deps.alipay.gateway.modifyExecutionPlan({
    agreementNo: agreement.agreementNo!,
    deductDate: target.date,
    memo: `period ${period} postponed (${input.reason})`,
  });
  await logExchange(deps, moved.exchange, agreement, null, order?.id ?? null, moved.kind);
  if (moved.kind === "agreement_gone") {
    await endAgreementWithNotice(deps.db, id, "closed", await deps.now(), "provider");
    return { kind: "closed", ...about, code: moved.code, message: moved.message };
  }
  if (moved.kind !== "succeeded" && !(await alreadyMoved(deps, agreement, target.date))) {
    return { kind: "failed", ...about, code: moved.code, message: moved.message };
  }
  const applied = await applyPostponement(deps.db, {
    agreementId: id,
    period,
    periods: target.periodsSkipped,
    date: target.date,
    orderId: order?.id,
    audit: {
      ...input.audit,
      details: {
        period,
        reason: input.reason,
        from: agreement.nextChargeDate,
        to: target.date,
        periods: target.periodsSkipped,
      },
    },
  });
  if (!applied) return { kind: "skipped", ...about };
  return { kind: "postponed", ...about, periods: target.periodsSkipped };
}

/**
 * A modification refused because Alipay's plan is already there (a run that died between the
 * call and the database) counts as done: asked with `alipay.user.agreement.query`.
 */
async function alreadyMoved(deps: BillingDeps, agreement: Agreement, date: string) {
  const queried = await deps.alipay.gateway.queryAgreement(agreement.agreementNo!);
  await logExchange(deps, queried.exchange, agreement, null, null, queried.kind);
  return queried.kind === "succeeded" && queried.nextDeductDate === date;
}

/** An attempt whose outcome is unknown (or a stale pending one): asked about, never repeated. */
async function reconcile(deps: BillingDeps, id: string): Promise<ItemResult> {
  const seen = await look(deps, id);
  if (!seen || seen.state.kind !== "unknown") return SKIPPED;
  const { agreement, state, attempts } = seen;
  const attempt = attempts.find((a) => a.attemptNo === state.attemptNo)!;
  const order = await findAgreementOrder(deps.db, id, agreement.currentPeriod);
  if (!order) return SKIPPED;
  const known = await resolveByQuery(deps, agreement, order, attempt);
  if (known === null) return { kind: "unknown" };
  if (known.status === "paid" && known.settle !== "settled" && known.settle !== "already_settled") {
    return {
      kind: "charged",
      alert: {
        kind: "reconcile_mismatch",
        agreementId: id,
        orderNo: order.orderNo,
        message: `a charge found by trade.query settled as ${known.settle}`,
      },
    };
  }
  return known.status === "paid" ? { kind: "charged" } : { kind: "declined" };
}

/**
 * Agreements whose sign notification may have been missed (opened 5 minutes to 2 days ago and
 * still waiting): the same status question the checkout's poll asks, throttled per order.
 */
export async function reconcileWaitingSigns(
  deps: BillingDeps,
  limit: number,
): Promise<{ checked: number; signed: number }> {
  const now = await deps.now();
  const ids = await listWaitingSigns(deps.db, {
    createdAfter: new Date(now.getTime() - 2 * 86_400_000),
    createdBefore: new Date(now.getTime() - 5 * 60_000),
    limit,
  });
  let signed = 0;
  for (const id of ids) {
    const order = await findAgreementOrder(deps.db, id, 1);
    if (!order) continue;
    const check = await checkAlipayOrder(deps, order);
    if (check.checked && check.outcome !== "not_signed" && check.outcome !== "unpaid") signed++;
  }
  return { checked: ids.length, signed };
}

/** How long a signed agreement may wait for its first period to be paid before it is unsigned. */
export const UNPAID_AGREEMENT_TTL_MS = 2 * 86_400_000;

/**
 * Agreements signed but never paid (the first charge was declined and the buyer did not retry
 * within two days) are unsigned at Alipay and closed, with their first order: a membership the
 * buyer never had must not start charging a period later, like Stripe's incomplete
 * subscriptions that expire.
 */
export async function expireUnpaidAgreements(
  deps: BillingDeps,
  limit: number,
): Promise<{ expired: number; alerts: AlertItem[] }> {
  const now = await deps.now();
  const ids = await listUnpaidActive(deps.db, {
    signedBefore: new Date(now.getTime() - UNPAID_AGREEMENT_TTL_MS),
    limit,
  });
  const alerts: AlertItem[] = [];
  let expired = 0;
  for (const id of ids) {
    const agreement = await findAgreementById(deps.db, id);
    if (!agreement?.agreementNo) continue;
    const result = await deps.alipay.gateway.unsignAgreement({
      agreementNo: agreement.agreementNo,
      notifyUrl: notifyUrls(deps.alipay.appUrl).gateway,
    });
    await logExchange(deps, result.exchange, agreement, null, null, result.kind);
    if (result.kind !== "succeeded" && result.kind !== "agreement_gone") {
      alerts.push({
        kind: "unsign_failed",
        agreementId: id,
        code: result.code,
        message: `an agreement never paid could not be unsigned: ${result.message}`,
      });
      continue;
    }
    if (!(await endAgreement(deps.db, id, "closed", await deps.now()))) continue;
    const order = await findAgreementOrder(deps.db, id, 1);
    if (order) await closePendingOrder(deps.db, order.id, "the first period was never paid");
    await insertAudit(deps.db, {
      actorKind: "cron",
      action: "agreement.expired_unpaid",
      targetType: "agreement",
      targetId: id,
      details: { agreementNo: agreement.agreementNo, alipay: result.kind },
    });
    expired++;
  }
  return { expired, alerts };
}

async function describe(deps: BillingDeps, id: string): Promise<string> {
  return (await look(deps, id))?.state.kind ?? "gone";
}

export const PHASE_WORK = {
  charge: (deps: BillingDeps, id: string, runId: string) => chargeIf(deps, id, runId, "due"),
  retry: (deps: BillingDeps, id: string, runId: string) => chargeIf(deps, id, runId, "retry_due"),
  postpone: (deps: BillingDeps, id: string) => postpone(deps, id),
  reconcile: (deps: BillingDeps, id: string) => reconcile(deps, id),
  describe,
};
