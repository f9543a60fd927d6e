import "server-only";
import { and, count, desc, eq, gt, isNull, max, type Placeholder } from "drizzle-orm";
import type { Db } from "../client";
import { statement, type Slots } from "../statement";
import { entitlements, users } from "../schema";

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
 * When the buyer's membership ends (the latest live membership grant), null if never; locks the
 * buyer's row so that settlements of two periods of one buyer take turns.
 */
export async function lockMembershipEnd(tx: Db, userId: string): Promise<Date | null> {
  // Two statements on purpose: under READ COMMITTED a subquery in the locking statement keeps
  // the snapshot taken before the lock wait, so it would miss the end the other settlement just
  // wrote (settle.test.ts "periods of one buyer settling at once stack" fails on PostgreSQL).
  // Sent together (pipelined on the transaction's connection): the server runs the read after
  // the lock is held, with a snapshot of its own, in one round trip.
  const [, [row]] = await Promise.all([
    lockUserStatement.run(tx, { userId }),
    membershipEndStatement.run(tx, { userId }),
  ]);
  return row?.end ?? null;
}

const lockUserStatement = statement((db, slot: Slots<{ userId: string }>) =>
  db.select({ id: users.id }).from(users).where(eq(users.id, slot.userId)).for("update"),
);

const membershipEndStatement = statement((db, slot: Slots<{ userId: string }>) =>
  db
    .select({ end: max(entitlements.expiresAt) })
    .from(entitlements)
    .where(liveMembershipGrants(slot.userId)),
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
