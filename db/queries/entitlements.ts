import "server-only";
import { and, count, desc, eq, gt, isNull, max, sql, type Placeholder } from "drizzle-orm";
import type { Db } from "../client";
import { statement, type Slots } from "../statement";
import { entitlements, orders, type payments, products, users } from "../schema";

/** The paid order whose live grant gives this buyer the product's content, if any. */
export async function findContentGrant(
  db: Db,
  userId: string,
  productId: string,
): Promise<{ orderId: string } | undefined> {
  const [row] = await contentGrantStatement.run(db, { userId, productId });
  return row;
}

const contentGrantStatement = statement((db, slot: Slots<{ userId: string; productId: string }>) =>
  db
    .select({ orderId: entitlements.orderId })
    .from(entitlements)
    .where(
      and(
        eq(entitlements.userId, slot.userId),
        eq(entitlements.productId, slot.productId),
        eq(entitlements.kind, "content"),
        isNull(entitlements.revokedAt),
      ),
    )
    .limit(1),
);

/** Whether the buyer already owns this product's content (a live grant from a paid order). */
export async function ownsContent(db: Db, userId: string, productId: string): Promise<boolean> {
  return (await findContentGrant(db, userId, productId)) !== undefined;
}

export type NewGrant = Pick<
  typeof entitlements.$inferInsert,
  "id" | "userId" | "orderId" | "productId" | "kind" | "credits" | "startsAt" | "expiresAt"
>;

/** The buyer's membership grants that were not revoked. */
const liveMembershipGrants = (userId: string | Placeholder) =>
  and(
    eq(entitlements.userId, userId),
    eq(entitlements.kind, "membership"),
    isNull(entitlements.revokedAt),
  );

/**
 * What a settlement reads once its order is locked (lib/orders/settle.ts), in two statements
 * sent together with the order's lock (pipelined on the transaction's connection, one round
 * trip): first the buyer's row is locked, for a membership product only, so that two periods of
 * one buyer settling at once take turns; then one statement reads, with a snapshot taken after
 * both locks are held, the order the trade is recorded for (that payment row locked), the live
 * content grant of the buyer for a one-off product, and when the buyer's membership ends. They
 * find the order by its id (its buyer and product never change), so they need no answer from
 * the lock first. One statement rather than three: a payment is the shop's hottest write
 * (docs/PERFORMANCE.md, pushes).
 */
export async function lockSettlementFacts(
  tx: Db,
  orderId: string,
  provider: Provider,
  tradeNo: string,
): Promise<{
  tradeRecordedFor: string | null;
  contentOwnedBy: string | null;
  membershipEnd: Date | null;
}> {
  const [, [row]] = await Promise.all([
    lockBuyerOfOrderStatement.run(tx, { orderId }),
    settlementFactsStatement.run(tx, { orderId, provider, tradeNo }),
  ]);
  return {
    tradeRecordedFor: row?.tradeRecordedFor ?? null,
    contentOwnedBy: row?.contentOwnedBy ?? null,
    membershipEnd: row?.membershipEnd ?? null,
  };
}

type Provider = (typeof payments.$inferSelect)["provider"];

const settlementFactsStatement = statement(
  (db, slot: Slots<{ orderId: string; provider: Provider; tradeNo: string }>) =>
    db
      .select({
        // Locked: the row another settlement of the same trade would change.
        // Column names written out with their tables: drizzle leaves them unqualified in a
        // one-table select, and these subqueries refer to the outer order.
        tradeRecordedFor: sql<string | null>`(
          select p.order_id from payments p
           where p.provider = ${slot.provider} and p.provider_trade_no = ${slot.tradeNo}
             for update)`,
        contentOwnedBy: sql<string | null>`(
          select e.order_id from entitlements e
            join products pr on pr.id = orders.product_id and pr.kind = 'one_off'
           where e.user_id = orders.user_id and e.product_id = orders.product_id
             and e.kind = 'content' and e.revoked_at is null
           limit 1)`,
        membershipEnd: sql<Date | null>`(
          select max(e.expires_at) from entitlements e
           where e.user_id = orders.user_id and e.kind = 'membership'
             and e.revoked_at is null)`.mapWith(entitlements.expiresAt),
      })
      .from(orders)
      .where(eq(orders.id, slot.orderId)),
);

/**
 * When the order's buyer's membership ends (the latest live membership grant), null if never;
 * for a membership product, locks the buyer's row first so that settlements of two periods of
 * one buyer take turns.
 */
export async function lockMembershipEndOfOrder(tx: Db, orderId: string): Promise<Date | null> {
  // Two statements on purpose: under READ COMMITTED a subquery in the locking statement keeps
  // the snapshot taken before the lock wait, so it would miss the end the other settlement just
  // wrote (settle.test.ts "periods of one buyer settling at once stack" fails on PostgreSQL).
  // Sent together (pipelined on the transaction's connection): the server runs the read after
  // the lock is held, with a snapshot of its own, in one round trip.
  const [, [row]] = await Promise.all([
    lockBuyerOfOrderStatement.run(tx, { orderId }),
    membershipEndOfOrderStatement.run(tx, { orderId }),
  ]);
  return row?.end ?? null;
}

const lockBuyerOfOrderStatement = statement((db, slot: Slots<{ orderId: string }>) =>
  db
    .select({ id: users.id })
    .from(users)
    .innerJoin(orders, and(eq(orders.id, slot.orderId), eq(orders.userId, users.id)))
    .innerJoin(products, and(eq(products.id, orders.productId), eq(products.kind, "membership")))
    .for("update", { of: users }),
);

const membershipEndOfOrderStatement = statement((db, slot: Slots<{ orderId: string }>) =>
  db
    .select({ end: max(entitlements.expiresAt) })
    .from(entitlements)
    .innerJoin(orders, and(eq(orders.id, slot.orderId), eq(orders.userId, entitlements.userId)))
    .where(and(eq(entitlements.kind, "membership"), isNull(entitlements.revokedAt))),
);

/** The buyer's membership: when it ends (null: never had one) and since when it runs. */
export async function membershipOf(
  db: Db,
  userId: string,
): Promise<{ endsAt: Date | null; grants: number }> {
  const [row] = await db
    .select({ end: max(entitlements.expiresAt), grants: count() })
    .from(entitlements)
    .where(liveMembershipGrants(userId));
  return { endsAt: row?.end ?? null, grants: row?.grants ?? 0 };
}

/** One grant per order (`entitlements_order_uq`): a second attempt changes nothing. */
export async function insertGrant(tx: Db, values: NewGrant): Promise<void> {
  await insertGrantStatement.run(tx, {
    ...values,
    credits: values.credits ?? null,
    expiresAt: values.expiresAt ?? null,
  });
}

const insertGrantStatement = statement((db, slot: Slots<Required<NewGrant>>) =>
  db
    .insert(entitlements)
    .values({
      id: slot.id,
      userId: slot.userId,
      orderId: slot.orderId,
      productId: slot.productId,
      kind: slot.kind,
      credits: slot.credits,
      startsAt: slot.startsAt,
      expiresAt: slot.expiresAt,
    })
    .onConflictDoNothing({ target: entitlements.orderId }),
);

/** The plan behind the buyer's running membership (the live grant that ends last), if it runs. */
export async function runningMembershipPlan(
  db: Db,
  userId: string,
  now: Date,
): Promise<{ productId: string; expiresAt: Date } | undefined> {
  const [row] = await db
    .select({ productId: entitlements.productId, expiresAt: entitlements.expiresAt })
    .from(entitlements)
    .where(
      and(
        eq(entitlements.userId, userId),
        eq(entitlements.kind, "membership"),
        isNull(entitlements.revokedAt),
        gt(entitlements.expiresAt, now),
      ),
    )
    .orderBy(desc(entitlements.expiresAt))
    .limit(1);
  return row?.expiresAt ? { productId: row.productId, expiresAt: row.expiresAt } : undefined;
}
