import { desc, eq } from "drizzle-orm";
import type { Db } from "../client";
import {
  billingRuns,
  orderStatus,
  orders,
  products,
  users,
  webhookInbox,
  inboxStatus,
  type BillingRun,
  type Order,
  type WebhookInboxRow,
} from "../schema";

export type OrderStatus = (typeof orderStatus.enumValues)[number];
export type InboxStatus = (typeof inboxStatus.enumValues)[number];

export function toOrderStatus(value: unknown): OrderStatus | undefined {
  return orderStatus.enumValues.find((s) => s === value);
}

export function toInboxStatus(value: unknown): InboxStatus | undefined {
  return inboxStatus.enumValues.find((s) => s === value);
}

export interface AdminOrderRow {
  order: Order;
  productNameZh: string;
  productNameEn: string;
  buyerEmail: string;
}

/** Newest first, optionally one status only (e.g. `review`: the orders that need the owner). */
export async function listOrdersForAdmin(
  db: Db,
  filter: { status?: OrderStatus; limit?: number } = {},
): Promise<AdminOrderRow[]> {
  return db
    .select({
      order: orders,
      productNameZh: products.nameZh,
      productNameEn: products.nameEn,
      buyerEmail: users.email,
    })
    .from(orders)
    .innerJoin(products, eq(products.id, orders.productId))
    .innerJoin(users, eq(users.id, orders.userId))
    .where(filter.status ? eq(orders.status, filter.status) : undefined)
    .orderBy(desc(orders.createdAt))
    .limit(filter.limit ?? 100);
}

export async function listInbox(
  db: Db,
  filter: { status?: InboxStatus; limit?: number } = {},
): Promise<WebhookInboxRow[]> {
  return db
    .select()
    .from(webhookInbox)
    .where(filter.status ? eq(webhookInbox.status, filter.status) : undefined)
    .orderBy(desc(webhookInbox.receivedAt))
    .limit(filter.limit ?? 100);
}

export async function listRuns(db: Db, limit = 50): Promise<BillingRun[]> {
  return db.select().from(billingRuns).orderBy(desc(billingRuns.startedAt)).limit(limit);
}
