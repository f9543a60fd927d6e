import "server-only";
import { and, asc, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import {
  agreements,
  auditLog,
  chargeAttempts,
  deductionLogs,
  orders,
  products,
  users,
  type Agreement,
} from "../schema";
import { deductionCodes } from "./deduction-codes";
import { prefixPattern } from "./like";

/*
 * The admin's subscriptions (agreements) and deduction logs: filtered, searched and sorted in
 * SQL, a page at a time after a keyset cursor (the sort key of the last row shown), so a page
 * costs the same at any depth of a long list. Emails are stored lower-case (sign-up folds them), so
 * a prefix search is a `LIKE 'x%'` on the column itself (users_email_pattern_idx). The cursor's time is PostgreSQL's own text of it
 * (microseconds; a JS Date would round them and skip or repeat rows made in one millisecond).
 */

export type AgreementStatus = Agreement["status"];
export type AgreementSort = "created" | "next_charge";

export interface AgreementFilters {
  status?: AgreementStatus;
  /** Product id of the plan. */
  plan?: string;
  /** Next charge date range (Asia/Shanghai dates, inclusive) of agreements that will renew. */
  nextFrom?: string;
  nextTo?: string;
  /** Only active agreements whose current period's last attempt failed and nothing is open. */
  failing?: boolean;
  /** Ended (unsigned or closed) on or after this instant: the dashboard's churn. */
  endedSince?: Date;
  /** A buyer's email (whole or its beginning) or either agreement number (whole or beginning). */
  q?: string;
}

/** The last row of a page: its sort value (text) and id. */
export type AgreementCursor = [sortValue: string, id: string];

/**
 * The date an agreement will next be charged: only an active one that renews has one (an ended
 * agreement keeps its last date in the row, but nothing will be charged then).
 */
const chargeDate = sql`case when ${agreements.status} = 'active' and ${agreements.autoRenew} then ${agreements.nextChargeDate} end`;
/** Sort values of `next_charge`: agreements without a coming charge come last. */
const NO_DATE = "9999-12-31";
const nextChargeKey = sql<string>`coalesce(${chargeDate}, ${NO_DATE}::date)::text`;
const createdKey = sql<string>`${agreements.createdAt}::text`;

/** The current period's attempts of the agreement in the outer query. */
const currentAttempts = (condition: SQL) => sql`exists (
  select 1 from ${chargeAttempts} c
  where c.agreement_id = ${agreements.id} and c.period_index = ${agreements.currentPeriod}
    and ${condition})`;

/** Active, its current period declined, nothing paid or in flight for it. */
export const failingCondition = and(
  eq(agreements.status, "active"),
  currentAttempts(sql`c.status = 'failed'`),
  sql`not ${currentAttempts(sql`c.status in ('succeeded', 'pending', 'unknown')`)}`,
)!;

function filterConditions(filters: AgreementFilters): SQL[] {
  const conditions: (SQL | undefined)[] = [
    filters.status ? eq(agreements.status, filters.status) : undefined,
    filters.plan ? eq(agreements.productId, filters.plan) : undefined,
    filters.nextFrom ? sql`${chargeDate} >= ${filters.nextFrom}::date` : undefined,
    filters.nextTo ? sql`${chargeDate} <= ${filters.nextTo}::date` : undefined,
    filters.failing ? failingCondition : undefined,
    filters.endedSince ? gte(agreements.unsignedAt, filters.endedSince) : undefined,
  ];
  const q = filters.q?.trim();
  if (q) {
    const pattern = prefixPattern(q);
    conditions.push(
      q.includes("@")
        ? sql`${users.email} like ${prefixPattern(q.toLowerCase())}`
        : or(
            sql`${agreements.externalAgreementNo} like ${pattern}`,
            sql`${agreements.agreementNo} like ${pattern}`,
            sql`${users.email} like ${prefixPattern(q.toLowerCase())}`,
          ),
    );
  }
  return conditions.filter((c): c is SQL => c !== undefined);
}

/** The latest attempt of the current period: one column of it. */
const lastAttempt = (column: string) =>
  sql.raw(`(select c.${column} from charge_attempts c
    where c.agreement_id = "agreements"."id" and c.period_index = "agreements"."current_period"
    order by c.attempt_no desc limit 1)`);

/** One page of agreements with their buyer, plan and the current period's last attempt. */
export async function listAdminAgreements(
  db: Db,
  filters: AgreementFilters,
  page: { sort: AgreementSort; cursor: AgreementCursor | null; limit: number },
) {
  const key = page.sort === "created" ? createdKey : nextChargeKey;
  // Newest first by creation; soonest first by next charge.
  const after = page.cursor
    ? page.sort === "created"
      ? sql`(${agreements.createdAt}, ${agreements.id}) < (${page.cursor[0]}::timestamptz, ${page.cursor[1]})`
      : sql`(coalesce(${chargeDate}, ${NO_DATE}::date), ${agreements.id}) > (${page.cursor[0]}::date, ${page.cursor[1]})`
    : undefined;
  const order =
    page.sort === "created"
      ? [desc(agreements.createdAt), desc(agreements.id)]
      : [asc(sql`coalesce(${chargeDate}, ${NO_DATE}::date)`), asc(agreements.id)];
  const rows = await db
    .select({
      id: agreements.id,
      sortKey: key,
      externalAgreementNo: agreements.externalAgreementNo,
      agreementNo: agreements.agreementNo,
      status: agreements.status,
      autoRenew: agreements.autoRenew,
      singleAmountFen: agreements.singleAmountFen,
      periodDays: agreements.periodDays,
      nextChargeDate: sql<string | null>`${chargeDate}::text`,
      currentPeriod: agreements.currentPeriod,
      paidPeriods: agreements.paidPeriods,
      createdAt: agreements.createdAt,
      unsignedAt: agreements.unsignedAt,
      userId: agreements.userId,
      buyerEmail: users.email,
      productId: agreements.productId,
      productNameZh: products.nameZh,
      productNameEn: products.nameEn,
      lastAttemptStatus: sql<string | null>`${lastAttempt("status")}::text`,
      lastAttemptCode: sql<string | null>`${lastAttempt("error_code")}`,
    })
    .from(agreements)
    .innerJoin(users, eq(users.id, agreements.userId))
    .innerJoin(products, eq(products.id, agreements.productId))
    .where(and(...filterConditions(filters), after))
    .orderBy(...order)
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  const last = items.at(-1);
  return {
    items: items.map(({ sortKey: _, ...row }) => row),
    next: more && last ? ([last.sortKey, last.id] satisfies AgreementCursor) : null,
  };
}

export type AdminAgreementRow = Awaited<ReturnType<typeof listAdminAgreements>>["items"][number];

/** The plans agreements exist for (the plan filter's choices). */
export async function listMembershipPlans(db: Db) {
  return db
    .select({ id: products.id, nameZh: products.nameZh, nameEn: products.nameEn })
    .from(products)
    .where(eq(products.kind, "membership"))
    .orderBy(asc(products.priceFen), asc(products.id));
}

/** Everything the subscription's page shows, read in one round of parallel queries. */
export async function adminAgreementDetail(db: Db, id: string) {
  const [head] = await db
    .select({
      agreement: agreements,
      buyerEmail: users.email,
      buyerName: users.name,
      productSlug: products.slug,
      productNameZh: products.nameZh,
      productNameEn: products.nameEn,
    })
    .from(agreements)
    .innerJoin(users, eq(users.id, agreements.userId))
    .innerJoin(products, eq(products.id, agreements.productId))
    .where(eq(agreements.id, id));
  if (!head) return undefined;
  const [periodOrders, attempts, logs, audit] = await Promise.all([
    db.select().from(orders).where(eq(orders.agreementId, id)).orderBy(desc(orders.periodIndex)),
    db
      .select()
      .from(chargeAttempts)
      .where(eq(chargeAttempts.agreementId, id))
      .orderBy(desc(chargeAttempts.periodIndex), desc(chargeAttempts.attemptNo)),
    db
      .select({ ...deductionLogColumns, ...deductionCodes })
      .from(deductionLogs)
      .where(eq(deductionLogs.agreementId, id))
      .orderBy(desc(deductionLogs.createdAt), desc(deductionLogs.id))
      .limit(200),
    db
      .select({
        id: auditLog.id,
        action: auditLog.action,
        actorKind: auditLog.actorKind,
        actorEmail: users.email,
        details: auditLog.details,
        createdAt: auditLog.createdAt,
      })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorUserId))
      .where(and(eq(auditLog.targetType, "agreement"), eq(auditLog.targetId, id)))
      .orderBy(desc(auditLog.id))
      .limit(50),
  ]);
  return { ...head, orders: periodOrders, attempts, logs, audit };
}

export type AdminAgreementDetail = NonNullable<Awaited<ReturnType<typeof adminAgreementDetail>>>;

const deductionLogColumns = {
  id: deductionLogs.id,
  apiMethod: deductionLogs.apiMethod,
  outcome: deductionLogs.outcome,
  httpStatus: deductionLogs.httpStatus,
  durationMs: deductionLogs.durationMs,
  request: deductionLogs.request,
  response: deductionLogs.response,
  createdAt: deductionLogs.createdAt,
  agreementId: deductionLogs.agreementId,
  chargeAttemptId: deductionLogs.chargeAttemptId,
};

export interface DeductionFilters {
  outcome?: string;
  /** Alipay's `code` or `sub_code` of the answer. */
  code?: string;
  /** Created from the start of `from` to the end of `to` (Asia/Shanghai), as instants. */
  from?: Date;
  to?: Date;
  /** The agreement: our id, our number or Alipay's number. */
  agreement?: string;
  apiMethod?: string;
}

/** The last row of a page of logs: its creation time (PostgreSQL's text) and id. */
export type DeductionCursor = [createdAt: string, id: number];

/** One page of deduction logs, newest first. */
export async function listAdminDeductions(
  db: Db,
  filters: DeductionFilters,
  page: { cursor: DeductionCursor | null; limit: number },
) {
  const code = filters.code?.trim();
  const agreement = filters.agreement?.trim();
  const rows = await db
    .select({
      ...deductionLogColumns,
      ...deductionCodes,
      cursor: sql<string>`${deductionLogs.createdAt}::text`,
      externalAgreementNo: agreements.externalAgreementNo,
      agreementNo: agreements.agreementNo,
      orderNo: orders.orderNo,
      attemptNo: chargeAttempts.attemptNo,
      periodIndex: chargeAttempts.periodIndex,
    })
    .from(deductionLogs)
    .leftJoin(agreements, eq(agreements.id, deductionLogs.agreementId))
    .leftJoin(orders, eq(orders.id, deductionLogs.orderId))
    .leftJoin(chargeAttempts, eq(chargeAttempts.id, deductionLogs.chargeAttemptId))
    .where(
      and(
        filters.outcome ? eq(deductionLogs.outcome, filters.outcome) : undefined,
        filters.apiMethod ? eq(deductionLogs.apiMethod, filters.apiMethod) : undefined,
        code
          ? or(sql`${deductionCodes.code} = ${code}`, sql`${deductionCodes.subCode} = ${code}`)
          : undefined,
        filters.from ? gte(deductionLogs.createdAt, filters.from) : undefined,
        filters.to ? lt(deductionLogs.createdAt, filters.to) : undefined,
        agreement
          ? or(
              eq(agreements.id, agreement),
              eq(agreements.externalAgreementNo, agreement),
              eq(agreements.agreementNo, agreement),
            )
          : undefined,
        page.cursor
          ? sql`(${deductionLogs.createdAt}, ${deductionLogs.id}) < (${page.cursor[0]}::timestamptz, ${page.cursor[1]})`
          : undefined,
      ),
    )
    .orderBy(desc(deductionLogs.createdAt), desc(deductionLogs.id))
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  const last = items.at(-1);
  return {
    items: items.map(({ cursor: _, ...row }) => row),
    next: more && last ? ([last.cursor, last.id] satisfies DeductionCursor) : null,
  };
}

export type AdminDeductionRow = Awaited<ReturnType<typeof listAdminDeductions>>["items"][number];

/**
 * Takes an active agreement's billing lease for the admin's action (as a billing run claims it),
 * so no run charges or moves it meanwhile; undefined when it is not active or a run holds it.
 * Given back with `releaseAgreements`.
 */
export async function leaseAgreement(
  db: Db,
  id: string,
  now: Date,
  until: Date,
): Promise<Agreement | undefined> {
  const [row] = await db
    .update(agreements)
    .set({ billingLeaseUntil: until })
    .where(
      and(
        eq(agreements.id, id),
        eq(agreements.status, "active"),
        or(sql`${agreements.billingLeaseUntil} is null`, lt(agreements.billingLeaseUntil, now)),
      ),
    )
    .returning();
  return row;
}
