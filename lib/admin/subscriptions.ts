import { endAgreementWithNotice } from "@/lib/notices/triggers";
import "server-only";
import { z } from "zod";
import { findAgreementWithAttempts, syncPaidPeriods } from "@/db/queries/agreements";
import {
  leaseAgreement,
  listAdminAgreements,
  listAdminDeductions,
  type AdminAgreementRow,
  type AdminDeductionRow,
  type AgreementFilters,
  type DeductionFilters,
} from "@/db/queries/admin-subscriptions";
import { insertAudit } from "@/db/queries/audit";
import { releaseAgreements } from "@/db/queries/billing";
import { findAgreementOrder } from "@/db/queries/orders";
import type { Db } from "@/db/client";
import type { Agreement } from "@/db/schema";
import { postponePeriod } from "@/lib/billing/phases";
import type { BillingDeps } from "@/lib/billing/deps";
import { periodState, type PeriodState } from "@/lib/billing/schedule";
import { addDays, startOfShanghaiDate } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { ALIPAY_METHODS as METHODS, type AlipayOutcomeKind } from "@/lib/payments/alipay";
import { unsignAgreement } from "@/lib/subscriptions/cancel";
import { chargePeriod, logExchange, type ChargeResult } from "@/lib/subscriptions/charge";
import { checkAlipayOrder } from "@/lib/subscriptions/check-status";
import { periodOrderOf } from "@/lib/subscriptions/period-order";
import { dayParam, decodeCursor, encodeCursor, limitParam, type AdminPage } from "./query";

/*
 * The admin's subscriptions (Alipay agreements) and deduction logs: the lists' query strings
 * (one schema for the page and the JSON API, so a link from the dashboard and an API call mean
 * the same), and the four actions on one agreement — retry now, postpone one period, unsign,
 * refresh from Alipay. Every action holds the agreement's billing lease (no run touches it
 * meanwhile), goes through the billing code's own functions (never a second way to charge),
 * and writes an audit row with the before and after.
 */

export const AGREEMENT_STATUSES = ["pending_sign", "active", "unsigned", "closed"] as const;
export const AGREEMENT_SORTS = ["created", "next_charge"] as const;

/** The outcomes a logged exchange can have (the gateway's kinds) and the methods logged. */
export const DEDUCTION_OUTCOMES: readonly AlipayOutcomeKind[] = [
  "succeeded",
  "declined",
  "rejected",
  "agreement_gone",
  "unknown",
];
export const LOGGED_METHODS: readonly string[] = [
  METHODS.pay,
  METHODS.query,
  METHODS.close,
  METHODS.refund,
  METHODS.agreementQuery,
  METHODS.unsign,
  METHODS.modify,
];

const text = (max: number) => z.string().max(max, "too_long");

export const subscriptionQuery = z.object({
  status: z.enum(AGREEMENT_STATUSES).optional(),
  plan: text(64).optional(),
  nextFrom: dayParam.optional(),
  nextTo: dayParam.optional(),
  failing: z.enum(["1"]).optional(),
  closedFrom: dayParam.optional(),
  q: text(200).optional(),
  sort: z.enum(AGREEMENT_SORTS).default("created"),
  cursor: text(400).optional(),
  limit: limitParam,
});
export type SubscriptionQuery = z.infer<typeof subscriptionQuery>;

export const deductionQuery = z.object({
  outcome: z.enum(DEDUCTION_OUTCOMES as [AlipayOutcomeKind, ...AlipayOutcomeKind[]]).optional(),
  method: z.enum(LOGGED_METHODS as [string, ...string[]]).optional(),
  code: text(100).optional(),
  from: dayParam.optional(),
  to: dayParam.optional(),
  agreement: text(100).optional(),
  cursor: text(400).optional(),
  limit: limitParam,
});
export type DeductionQuery = z.infer<typeof deductionQuery>;

const agreementCursor = z.tuple([z.string().max(64), z.string().max(64)]);
const deductionCursor = z.tuple([z.string().max(64), z.number().int().positive()]);

function agreementFilters(query: SubscriptionQuery): AgreementFilters {
  return {
    status: query.status,
    plan: query.plan,
    nextFrom: query.nextFrom,
    nextTo: query.nextTo,
    failing: query.failing === "1",
    endedSince: query.closedFrom ? startOfShanghaiDate(query.closedFrom) : undefined,
    q: query.q,
  };
}

/** A page of the subscriptions list (the page's first render and the JSON API). */
export async function subscriptionsPage(
  db: Db,
  query: SubscriptionQuery,
): Promise<AdminPage<AdminAgreementRow>> {
  const cursor = query.cursor ? decodeCursor(query.cursor, agreementCursor) : null;
  if (cursor && query.sort === "next_charge" && !/^\d{4}-\d{2}-\d{2}$/.test(cursor[0])) {
    throw new AppError("bad_request", "The cursor is not one this list gave out.");
  }
  if (cursor && query.sort === "created" && Number.isNaN(Date.parse(cursor[0]))) {
    throw new AppError("bad_request", "The cursor is not one this list gave out.");
  }
  const page = await listAdminAgreements(db, agreementFilters(query), {
    sort: query.sort,
    cursor,
    limit: query.limit,
  });
  return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
}

function deductionFilters(query: DeductionQuery): DeductionFilters {
  return {
    outcome: query.outcome,
    apiMethod: query.method,
    code: query.code,
    from: query.from ? startOfShanghaiDate(query.from) : undefined,
    to: query.to ? startOfShanghaiDate(addDays(query.to, 1)) : undefined,
    agreement: query.agreement,
  };
}

/** A page of the deduction logs, newest first. */
export async function deductionsPage(
  db: Db,
  query: DeductionQuery,
): Promise<AdminPage<AdminDeductionRow>> {
  const cursor = query.cursor ? decodeCursor(query.cursor, deductionCursor) : null;
  if (cursor && Number.isNaN(Date.parse(cursor[0]))) {
    throw new AppError("bad_request", "The cursor is not one this list gave out.");
  }
  const page = await listAdminDeductions(db, deductionFilters(query), {
    cursor,
    limit: query.limit,
  });
  return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
}

// ——— Actions ———

export const SUBSCRIPTION_ACTIONS = ["retry", "postpone", "unsign", "refresh"] as const;
export type SubscriptionAction = (typeof SUBSCRIPTION_ACTIONS)[number];

/**
 * What an action did, for the page to say: `done` with the detail, or `refused` with a reason
 * code (nothing changed here; the owner can act on the reason) — both are answers, not errors.
 */
export type ActionResult =
  | { status: "done"; outcome: string; code?: string; message?: string }
  | { status: "refused"; reason: string; code?: string; message?: string };

/** How long an admin action keeps billing runs away from the agreement (given back at the end). */
const ACTION_LEASE_MS = 2 * 60_000;

interface Actor {
  id: string;
}

/** An agreement's fields an audit row keeps as before/after. */
function snapshot(agreement: Agreement) {
  return {
    status: agreement.status,
    currentPeriod: agreement.currentPeriod,
    paidPeriods: agreement.paidPeriods,
    nextChargeDate: agreement.nextChargeDate,
    autoRenew: agreement.autoRenew,
  };
}

async function audit(
  deps: BillingDeps,
  actor: Actor,
  action: SubscriptionAction,
  before: Agreement,
  result: ActionResult,
): Promise<void> {
  const after = (await findAgreementWithAttempts(deps.db, before.id))?.agreement ?? before;
  await insertAudit(deps.db, {
    actorKind: "user",
    actorUserId: actor.id,
    action: `subscription.${action}`,
    targetType: "agreement",
    targetId: before.id,
    details: { result, before: snapshot(before), after: snapshot(after) },
  });
}

/**
 * Runs an action holding the agreement's billing lease: refused (`billing_busy`) while a run
 * holds it, `not_active` for an agreement that is not active.
 */
async function withLease(
  deps: BillingDeps,
  id: string,
  work: (agreement: Agreement & { agreementNo: string }) => Promise<ActionResult>,
): Promise<ActionResult> {
  const now = await deps.now();
  const leased = await leaseAgreement(deps.db, id, now, new Date(now.getTime() + ACTION_LEASE_MS));
  if (!leased) {
    const found = await findAgreementWithAttempts(deps.db, id);
    if (!found) throw new AppError("not_found", "There is no such subscription.");
    return found.agreement.status === "active"
      ? { status: "refused", reason: "billing_busy" }
      : { status: "refused", reason: "not_active" };
  }
  try {
    if (!leased.agreementNo) return { status: "refused", reason: "not_active" };
    return await work({ ...leased, agreementNo: leased.agreementNo });
  } finally {
    await releaseAgreements(deps.db, [id]);
  }
}

/** Whether "retry now" may charge the current period, from the schedule's verdict. */
export function retryVerdict(
  state: PeriodState,
  firstPeriod: boolean,
): { ok: true } | { ok: false; reason: string } {
  switch (state.kind) {
    case "due":
    case "retry_due":
    case "retry_wait":
    case "unknown":
      return { ok: true };
    case "postpone":
      // The owner fixed the cause (the buyer topped up): another try is theirs to make, but
      // Alipay takes no deduction once the period's date has passed.
      return state.reason === "date_passed" && !firstPeriod
        ? { ok: false, reason: "window_passed" }
        : { ok: true };
    case "not_due":
      // The first period is charged when signed, whatever its date.
      return firstPeriod ? { ok: true } : { ok: false, reason: "not_due" };
    case "paid":
      return { ok: false, reason: "already_paid" };
    case "in_flight":
      return { ok: false, reason: "billing_busy" };
    case "inactive":
      return { ok: false, reason: "not_active" };
  }
}

function chargeOutcome(result: ChargeResult): ActionResult {
  switch (result.status) {
    case "paid":
      return { status: "done", outcome: "paid" };
    case "already_paid":
      return { status: "refused", reason: "already_paid" };
    case "busy":
      return { status: "refused", reason: "billing_busy" };
    case "unknown":
      return { status: "done", outcome: "unknown", code: result.code };
    default:
      return { status: "done", outcome: result.status, code: result.code, message: result.message };
  }
}

/**
 * "Retry now": charges the current period at once with a new attempt (or settles an attempt
 * whose outcome was unknown by asking Alipay first), through `chargePeriod` — the billing run's
 * own function, so a period is never charged twice.
 */
export async function retryNow(deps: BillingDeps, id: string, actor: Actor) {
  return act(deps, id, actor, "retry", async (agreement) => {
    const found = await findAgreementWithAttempts(deps.db, id);
    const attempts = found?.attempts ?? [];
    const state = periodState(agreement, attempts, await deps.now(), deps.billing.policy);
    const verdict = retryVerdict(state, agreement.paidPeriods === 0);
    if (!verdict.ok) return { status: "refused", reason: verdict.reason };
    const order = await periodOrderOf(deps, agreement, agreement.currentPeriod);
    if (order.status === "paid") {
      await syncPaidPeriods(deps.db, id);
      return { status: "refused", reason: "already_paid" };
    }
    if (order.status !== "pending") return { status: "refused", reason: "order_not_payable" };
    return chargeOutcome(await chargePeriod(deps, agreement, order, { attempts }));
  });
}

/**
 * "Postpone one period": the current period is not charged; Alipay's plan and the agreement move
 * to the next scheduled date (the billing run's own postponement). Not while an attempt is in
 * flight or unknown (it may have charged).
 */
export async function postponeNow(deps: BillingDeps, id: string, actor: Actor) {
  return act(deps, id, actor, "postpone", async (agreement) => {
    const found = await findAgreementWithAttempts(deps.db, id);
    const state = periodState(agreement, found?.attempts ?? [], await deps.now());
    if (state.kind === "paid") return { status: "refused", reason: "already_paid" };
    if (state.kind === "in_flight" || state.kind === "unknown") {
      return { status: "refused", reason: "attempt_open" };
    }
    if (agreement.paidPeriods === 0) return { status: "refused", reason: "first_period" };
    const moved = await postponePeriod(deps, agreement, {
      reason: "admin",
      audit: { actorKind: "user", actorUserId: actor.id, action: "agreement.postponed" },
    });
    switch (moved.kind) {
      case "postponed":
        return { status: "done", outcome: "postponed", message: moved.date };
      case "closed":
        return { status: "done", outcome: "closed", code: moved.code, message: moved.message };
      case "failed":
        return {
          status: "refused",
          reason: "alipay_refused",
          code: moved.code,
          message: moved.message,
        };
      case "skipped":
        return { status: "refused", reason: "moved_meanwhile" };
    }
  });
}

/** "Unsign": the agreement is unsigned at Alipay and closed here; the paid time stays. */
export async function unsignNow(deps: BillingDeps, id: string, actor: Actor) {
  return act(deps, id, actor, "unsign", async (agreement) => {
    const result = await unsignAgreement(deps, agreement, {
      actorKind: "user",
      actorUserId: actor.id,
      action: "agreement.unsigned_by_admin",
    });
    return result.ended
      ? { status: "done", outcome: result.alipay }
      : { status: "refused", reason: "alipay_refused", code: result.code, message: result.message };
  });
}

/**
 * "Refresh from Alipay": asks `alipay.user.agreement.query` and brings the agreement in line —
 * one Alipay no longer has (or has stopped) is ended here as unsigned; one waiting for its
 * signature is checked as the checkout checks it (signed → activated and charged once).
 */
export async function refreshNow(deps: BillingDeps, id: string, actor: Actor) {
  const found = await findAgreementWithAttempts(deps.db, id);
  if (!found) throw new AppError("not_found", "There is no such subscription.");
  const before = found.agreement;
  let result: ActionResult;
  if (before.status === "pending_sign") {
    const order = await findAgreementOrder(deps.db, id, 1);
    const checked = order ? await checkAlipayOrder(deps, order) : null;
    result = { status: "done", outcome: checked?.checked ? checked.outcome : "not_checked" };
  } else if (!before.agreementNo || before.status !== "active") {
    result = { status: "refused", reason: "not_active" };
  } else {
    result = await withLease(deps, id, async (agreement) => {
      const queried = await deps.alipay.gateway.queryAgreement(agreement.agreementNo);
      await logExchange(deps, queried.exchange, agreement, null, null, queried.kind);
      if (queried.kind !== "succeeded") {
        return {
          status: "refused",
          reason: "alipay_refused",
          code: queried.code,
          message: queried.message,
        };
      }
      if (!queried.found || queried.status === "STOP") {
        await endAgreementWithNotice(deps.db, id, "unsigned", await deps.now(), "provider");
        return { status: "done", outcome: "ended", code: queried.status ?? "not_found" };
      }
      return {
        status: "done",
        outcome: "in_sync",
        code: queried.status ?? undefined,
        message: queried.nextDeductDate ?? undefined,
      };
    });
  }
  await audit(deps, actor, "refresh", before, result);
  return result;
}

async function act(
  deps: BillingDeps,
  id: string,
  actor: Actor,
  action: SubscriptionAction,
  work: (agreement: Agreement & { agreementNo: string }) => Promise<ActionResult>,
): Promise<ActionResult> {
  const found = await findAgreementWithAttempts(deps.db, id);
  if (!found) throw new AppError("not_found", "There is no such subscription.");
  const result = await withLease(deps, id, work);
  await audit(deps, actor, action, found.agreement, result);
  return result;
}

/** The action of a `POST /api/admin/subscriptions/{id}/{action}`. */
export const SUBSCRIPTION_ACTION_RUNNERS: Record<
  SubscriptionAction,
  (deps: BillingDeps, id: string, actor: Actor) => Promise<ActionResult>
> = { retry: retryNow, postpone: postponeNow, unsign: unsignNow, refresh: refreshNow };
