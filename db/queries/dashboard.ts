import "server-only";
import {
  and,
  count,
  desc,
  eq,
  gt,
  gte,
  isNotNull,
  isNull,
  like,
  lt,
  lte,
  sql,
  sum,
} from "drizzle-orm";
import type { Db } from "../client";
import {
  agreements,
  agreementStatus,
  billingRuns,
  chargeAttempts,
  entitlements,
  orders,
  products,
  users,
  webhookInbox,
  type BillingRun,
} from "../schema";
import { countInboxByStatus, type InboxStatus } from "./webhook-inbox";

export interface DashboardStats {
  buyers: number;
  activeProducts: number;
  paidOrders: number;
  revenueFen: number;
  pendingOrders: number;
  activeAgreements: number;
  /** Webhook events given up on (`dead`) and those waiting for another attempt (`failed`). */
  inboxDead: number;
  inboxFailed: number;
}

/** The admin overview's headline numbers, one round trip per table. */
export async function dashboardStats(db: Db): Promise<DashboardStats> {
  const [buyerRows, productRows, orderRows, agreementRows, inbox] = await Promise.all([
    db.select({ n: count() }).from(users).where(eq(users.role, "buyer")),
    db.select({ n: count() }).from(products).where(eq(products.active, true)),
    db
      .select({
        paid: count(sql`case when ${orders.status} = 'paid' then 1 end`),
        pending: count(sql`case when ${orders.status} = 'pending' then 1 end`),
        revenue: sum(sql`case when ${orders.status} = 'paid' then ${orders.amountFen} else 0 end`),
      })
      .from(orders),
    db
      .select({ n: count() })
      .from(agreements)
      .where(and(eq(agreements.status, "active"))),
    countInboxByStatus(db),
  ]);
  return {
    buyers: buyerRows[0]?.n ?? 0,
    activeProducts: productRows[0]?.n ?? 0,
    paidOrders: orderRows[0]?.paid ?? 0,
    pendingOrders: orderRows[0]?.pending ?? 0,
    // SUM over integers comes back as a numeric string; fen totals stay far below 2^53.
    revenueFen: Number(orderRows[0]?.revenue ?? 0),
    activeAgreements: agreementRows[0]?.n ?? 0,
    inboxDead: inbox.dead,
    inboxFailed: inbox.failed,
  };
}

/** The 30-day window of the overview: Shanghai days as `YYYY-MM-DD`, and the shop's now. */
export interface OverviewInput {
  now: Date;
  /** The first day of the chart (today − 29, Shanghai). */
  from30: string;
  /** The instant the first day begins (00:00 +08:00). */
  from30Start: Date;
  /** The instant churn is counted from (now − 30 days). */
  churnSince: Date;
  /** A `received` inbox row older than this is stuck (a few minutes: the apply budget is 3 s). */
  stuckBefore: Date;
}

export interface Overview {
  /** Paid orders by Shanghai day of payment and channel, within the window. */
  revenue: {
    day: string;
    channel: "youzan" | "alipay_first" | "alipay_renewal";
    amountFen: number;
    orders: number;
  }[];
  /** Buyers with a membership grant live now. */
  activeMembers: number;
  agreementsByStatus: Record<(typeof agreementStatus.enumValues)[number], number>;
  /** Active agreements by period length: per-period amounts summed (MRR is folded from these). */
  activeByPeriod: { periodDays: number; amountFen: number; agreements: number }[];
  /** Signed agreements that ended (closed or unsigned) since `churnSince`, and those live in the window. */
  churned: number;
  churnBase: number;
  /** Active agreements whose latest charge attempt failed. */
  failing: number;
  ordersInReview: number;
  lastBillingRuns: BillingRun[];
  inbox: Record<InboxStatus, number>;
  /** `received` rows older than `stuckBefore`: recorded, never applied. */
  inboxStuck: number;
}

const SHANGHAI = sql.raw(`'Asia/Shanghai'`);

const ts = (instant: Date) => sql`${instant.toISOString()}::timestamptz`;

/**
 * Every figure of the admin overview, as SQL aggregates in one round of parallel queries (no
 * rows are loaded into JS but the five latest billing runs). Days are Asia/Shanghai calendar days
 * of `paid_at`.
 */
export async function dashboardOverview(db: Db, input: OverviewInput): Promise<Overview> {
  const day = sql<string>`to_char((${orders.paidAt} at time zone ${SHANGHAI})::date, 'YYYY-MM-DD')`;
  const channel = sql<Overview["revenue"][number]["channel"]>`case
    when ${orders.kind} = 'membership_initial' then 'alipay_first'
    when ${orders.kind} = 'renewal' then 'alipay_renewal'
    else 'youzan' end`;
  const latestAttempt = sql`(select ${chargeAttempts.status} from ${chargeAttempts}
    where ${chargeAttempts.agreementId} = ${agreements.id}
    order by ${chargeAttempts.createdAt} desc, ${chargeAttempts.attemptNo} desc, ${chargeAttempts.id} desc
    limit 1)`;
  const [revenue, members, byStatus, byPeriod, churn, failing, review, runs, inbox, stuck] =
    await Promise.all([
      db
        .select({
          day,
          channel,
          amountFen: sql<string>`sum(${orders.amountFen})`,
          orders: count(),
        })
        .from(orders)
        .where(and(eq(orders.status, "paid"), gte(orders.paidAt, input.from30Start)))
        .groupBy(sql`1`, sql`2`),
      db
        .select({ n: sql<number>`count(distinct ${entitlements.userId})`.mapWith(Number) })
        .from(entitlements)
        .where(
          and(
            eq(entitlements.kind, "membership"),
            isNull(entitlements.revokedAt),
            lte(entitlements.startsAt, input.now),
            gt(entitlements.expiresAt, input.now),
          ),
        ),
      db
        .select({ status: agreements.status, n: count() })
        .from(agreements)
        .groupBy(agreements.status),
      db
        .select({
          periodDays: agreements.periodDays,
          amountFen: sql<string>`sum(${agreements.singleAmountFen})`,
          agreements: count(),
        })
        .from(agreements)
        .where(eq(agreements.status, "active"))
        .groupBy(agreements.periodDays),
      db
        .select({
          // Raw SQL gets instants as text: postgres.js does not serialise a Date inside sql``.
          churned: count(
            sql`case when ${agreements.status} in ('closed', 'unsigned')
            and ${agreements.unsignedAt} >= ${ts(input.churnSince)} then 1 end`,
          ),
          base: count(
            sql`case when ${agreements.signedAt} <= ${ts(input.now)} and (${agreements.unsignedAt} is null
            or ${agreements.unsignedAt} >= ${ts(input.churnSince)}) then 1 end`,
          ),
        })
        .from(agreements)
        .where(isNotNull(agreements.signedAt)),
      db
        .select({ n: count() })
        .from(agreements)
        .where(and(eq(agreements.status, "active"), sql`${latestAttempt} = 'failed'`)),
      db.select({ n: count() }).from(orders).where(eq(orders.status, "review")),
      db
        .select()
        .from(billingRuns)
        .where(like(billingRuns.job, "billing:%"))
        .orderBy(desc(billingRuns.startedAt), desc(billingRuns.id))
        .limit(5),
      countInboxByStatus(db),
      db
        .select({ n: count() })
        .from(webhookInbox)
        .where(
          and(eq(webhookInbox.status, "received"), lt(webhookInbox.receivedAt, input.stuckBefore)),
        ),
    ]);
  const agreementsByStatus = Object.fromEntries(
    agreementStatus.enumValues.map((s) => [s, 0]),
  ) as Overview["agreementsByStatus"];
  for (const row of byStatus) agreementsByStatus[row.status] = row.n;
  return {
    // SUM over integers comes back as a numeric string; fen totals stay far below 2^53.
    revenue: revenue.map((r) => ({ ...r, amountFen: Number(r.amountFen) })),
    activeMembers: members[0]?.n ?? 0,
    agreementsByStatus,
    activeByPeriod: byPeriod.map((r) => ({ ...r, amountFen: Number(r.amountFen) })),
    churned: churn[0]?.churned ?? 0,
    churnBase: churn[0]?.base ?? 0,
    failing: failing[0]?.n ?? 0,
    ordersInReview: review[0]?.n ?? 0,
    lastBillingRuns: runs,
    inbox,
    inboxStuck: stuck[0]?.n ?? 0,
  };
}
