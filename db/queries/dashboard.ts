import "server-only";
import { and, count, eq, sql, sum } from "drizzle-orm";
import type { Db } from "../client";
import { agreements, orders, products, users } from "../schema";
import { countInboxByStatus } from "./webhook-inbox";

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
