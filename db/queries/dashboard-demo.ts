import "server-only";
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../client";
import {
  agreements,
  billingRuns,
  chargeAttempts,
  entitlements,
  orders,
  payments,
  products,
  users,
  webhookInbox,
} from "../schema";

/*
 * Writes the sandbox's demo data for the admin overview (lib/admin/dashboard-demo.ts decides
 * what; this only inserts it, in one transaction). Sandbox mode only: the route that calls it
 * is a 404 in live mode.
 */

export interface DemoRows {
  users: (typeof users.$inferInsert)[];
  agreements: (typeof agreements.$inferInsert)[];
  orders: (typeof orders.$inferInsert)[];
  payments: (typeof payments.$inferInsert)[];
  chargeAttempts: (typeof chargeAttempts.$inferInsert)[];
  entitlements: (typeof entitlements.$inferInsert)[];
  billingRuns: (typeof billingRuns.$inferInsert)[];
  inbox: (typeof webhookInbox.$inferInsert)[];
}

export async function findProductsBySlug(db: Db, slugs: readonly string[]) {
  return db
    .select({
      id: products.id,
      slug: products.slug,
      kind: products.kind,
      priceFen: products.priceFen,
      periodDays: products.periodDays,
    })
    .from(products)
    .where(inArray(products.slug, [...slugs]));
}

export async function userExists(db: Db, email: string): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  return row !== undefined;
}

/** Inserts everything at once (a half-seeded shop would show half-true figures). */
export async function insertDemoRows(db: Db, rows: DemoRows): Promise<void> {
  await db.transaction(async (tx) => {
    // Parents before children: users, agreements, orders, then what hangs off orders.
    if (rows.users.length) await tx.insert(users).values(rows.users);
    if (rows.agreements.length) await tx.insert(agreements).values(rows.agreements);
    if (rows.orders.length) await tx.insert(orders).values(rows.orders);
    if (rows.payments.length) await tx.insert(payments).values(rows.payments);
    if (rows.billingRuns.length) await tx.insert(billingRuns).values(rows.billingRuns);
    if (rows.chargeAttempts.length) await tx.insert(chargeAttempts).values(rows.chargeAttempts);
    if (rows.entitlements.length) await tx.insert(entitlements).values(rows.entitlements);
    if (rows.inbox.length) await tx.insert(webhookInbox).values(rows.inbox);
  });
}
