import "server-only";
import { and, asc, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import {
  agreements,
  auditLog,
  entitlements,
  orders,
  payments,
  products,
  refunds,
  users,
  type Agreement,
  type Entitlement,
  type Order,
  type Refund,
} from "../schema";
import type { Payment } from "./payments";
import { selectAdminOrders } from "./orders";

/*
 * The admin's orders: filtered and searched in SQL, newest first, a page at a time after a
 * keyset cursor on (created_at, id) — a page costs the same at any depth of 100,000 orders. The
 * cursor's time is PostgreSQL's own text of it (microseconds: a JS Date would round them and
 * skip or repeat orders created in one millisecond). Every filter has an index that serves it
 * in that order (`orders_status_idx`, `orders_kind_created_idx`, `orders_created_idx`); the
 * search matches whole values or their beginnings only (`*_pattern_idx`, text_pattern_ops), never
 * a leading wildcard.
 */

export type OrderChannel = "youzan" | "alipay_first" | "alipay_renewal";
export const ORDER_CHANNELS: readonly OrderChannel[] = ["youzan", "alipay_first", "alipay_renewal"];

export interface AdminOrderFilters {
  status?: Order["status"];
  channel?: OrderChannel;
  kind?: Order["kind"];
  /** Half-open range on created_at: from ≤ created_at < to (the caller turns Shanghai days into instants). */
  from?: Date;
  to?: Date;
  /** An order number, a buyer's email or a provider trade number: whole, or its beginning. */
  q?: string;
}

/** Where the last page ended: its last order's created_at (PostgreSQL's text) and id. */
export interface AdminOrderCursor {
  createdAt: string;
  id: string;
}

/** `LIKE` pattern of a prefix, its wildcards escaped (backslash is LIKE's default escape). */
function prefixPattern(text: string): string {
  return `${text.replaceAll("\\", "\\\\").replaceAll("%", "\\%").replaceAll("_", "\\_")}%`;
}

/** The channel as the owner thinks of it, in terms of the order's provider and kind. */
function channelCondition(channel: OrderChannel): SQL | undefined {
  switch (channel) {
    case "youzan":
      return and(eq(orders.provider, "youzan"), eq(orders.kind, "purchase"));
    case "alipay_first":
      return and(eq(orders.provider, "alipay"), eq(orders.kind, "membership_initial"));
    case "alipay_renewal":
      return and(eq(orders.provider, "alipay"), eq(orders.kind, "renewal"));
  }
}

/**
 * The ids of orders the search names: by order number (stored upper-case), by buyer email
 * (stored lower-case) or by provider trade number — three index range scans, united.
 */
function searchCondition(q: string): SQL {
  const byOrderNo = prefixPattern(q.toUpperCase());
  const byEmail = prefixPattern(q.toLowerCase());
  const byTrade = prefixPattern(q);
  return sql`${orders.id} in (
    select o.id from ${orders} o where o.order_no like ${byOrderNo}
    union
    select o.id from ${orders} o join ${users} u on u.id = o.user_id where u.email like ${byEmail}
    union
    select p.order_id from ${payments} p where p.provider_trade_no like ${byTrade}
  )`;
}

function whereOf(filters: AdminOrderFilters, cursor: AdminOrderCursor | null): SQL | undefined {
  return and(
    filters.status ? eq(orders.status, filters.status) : undefined,
    filters.channel ? channelCondition(filters.channel) : undefined,
    filters.kind ? eq(orders.kind, filters.kind) : undefined,
    filters.from ? gte(orders.createdAt, filters.from) : undefined,
    filters.to ? lt(orders.createdAt, filters.to) : undefined,
    filters.q ? searchCondition(filters.q) : undefined,
    cursor
      ? sql`(${orders.createdAt}, ${orders.id}) < (${cursor.createdAt}::timestamptz, ${cursor.id})`
      : undefined,
  );
}

export interface AdminOrderListRow {
  order: Order;
  productNameZh: string;
  productNameEn: string;
  buyerEmail: string;
  /** The trade that paid the order (at most one: `payments_order_paid_uq`), else the latest. */
  providerTradeNo: string | null;
  refundedFen: number;
  cursor: string;
}

/**
 * One page of the admin's order list, newest first. `limit + 1` rows are read so that the next
 * cursor is given only when a next page exists.
 */
export async function listAdminOrders(
  db: Db,
  filters: AdminOrderFilters,
  page: { cursor?: AdminOrderCursor | null; limit: number },
): Promise<{ items: AdminOrderListRow[]; nextCursor: AdminOrderCursor | null }> {
  const limit = Math.max(1, Math.min(page.limit, 500));
  const rows = await selectAdminOrders(db, {
    cursor: sql<string>`${orders.createdAt}::text`,
    providerTradeNo: sql<string | null>`(
      select p.provider_trade_no from ${payments} p where p.order_id = ${orders.id}
      order by (p.status = 'paid') desc, p.created_at desc limit 1)`,
    refundedFen: sql<number>`coalesce((
      select sum(p.refunded_fen) from ${payments} p where p.order_id = ${orders.id}), 0)::int`,
  })
    .where(whereOf(filters, page.cursor ?? null))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last ? { createdAt: last.cursor, id: last.order.id } : null;
  return { items, nextCursor };
}

export interface AdminOrderDetail {
  order: Order;
  product: { id: string; slug: string; kind: string; nameZh: string; nameEn: string };
  buyer: { id: string; email: string; name: string | null };
  agreement: Pick<
    Agreement,
    "id" | "externalAgreementNo" | "agreementNo" | "status" | "periodDays"
  > | null;
  payments: Payment[];
  grant: Entitlement | null;
  refunds: (Refund & { requestedByEmail: string | null })[];
  audit: {
    id: number;
    action: string;
    actorKind: string;
    actorEmail: string | null;
    details: unknown;
    createdAt: Date;
  }[];
}

/** Everything the order's page shows, or undefined for an unknown order number. */
export async function findAdminOrder(
  db: Db,
  orderNo: string,
): Promise<AdminOrderDetail | undefined> {
  const [head] = await db
    .select({
      order: orders,
      product: {
        id: products.id,
        slug: products.slug,
        kind: products.kind,
        nameZh: products.nameZh,
        nameEn: products.nameEn,
      },
      buyer: { id: users.id, email: users.email, name: users.name },
    })
    .from(orders)
    .innerJoin(products, eq(products.id, orders.productId))
    .innerJoin(users, eq(users.id, orders.userId))
    .where(eq(orders.orderNo, orderNo));
  if (!head) return undefined;
  const orderId = head.order.id;
  const [agreement, paymentRows, grant, refundRows, audit] = await Promise.all([
    head.order.agreementId
      ? db
          .select({
            id: agreements.id,
            externalAgreementNo: agreements.externalAgreementNo,
            agreementNo: agreements.agreementNo,
            status: agreements.status,
            periodDays: agreements.periodDays,
          })
          .from(agreements)
          .where(eq(agreements.id, head.order.agreementId))
          .then((rows) => rows[0] ?? null)
      : Promise.resolve(null),
    db
      .select()
      .from(payments)
      .where(eq(payments.orderId, orderId))
      .orderBy(asc(payments.createdAt)),
    db
      .select()
      .from(entitlements)
      .where(eq(entitlements.orderId, orderId))
      .then((rows) => rows[0] ?? null),
    db
      .select({ refund: refunds, requestedByEmail: users.email })
      .from(refunds)
      .leftJoin(users, eq(users.id, refunds.requestedBy))
      .where(eq(refunds.orderId, orderId))
      .orderBy(asc(refunds.createdAt), asc(refunds.id)),
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
      // Every row about the order, its refunds included (they name the order too).
      .where(and(eq(auditLog.targetType, "order"), eq(auditLog.targetId, orderId)))
      .orderBy(desc(auditLog.id))
      .limit(200),
  ]);
  return {
    ...head,
    agreement,
    payments: paymentRows,
    grant,
    refunds: refundRows.map(({ refund, requestedByEmail }) => ({ ...refund, requestedByEmail })),
    audit,
  };
}
