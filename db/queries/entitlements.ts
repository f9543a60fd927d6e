import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { entitlements } from "../schema";

/** The paid order whose live grant gives this buyer the product's content, if any. */
export async function findContentGrant(
  db: Db,
  userId: string,
  productId: string,
): Promise<{ orderId: string } | undefined> {
  const [row] = await db
    .select({ orderId: entitlements.orderId })
    .from(entitlements)
    .where(
      and(
        eq(entitlements.userId, userId),
        eq(entitlements.productId, productId),
        eq(entitlements.kind, "content"),
        isNull(entitlements.revokedAt),
      ),
    )
    .limit(1);
  return row;
}

/** Whether the buyer already owns this product's content (a live grant from a paid order). */
export async function ownsContent(db: Db, userId: string, productId: string): Promise<boolean> {
  return (await findContentGrant(db, userId, productId)) !== undefined;
}

export type NewGrant = Pick<
  typeof entitlements.$inferInsert,
  "id" | "userId" | "orderId" | "productId" | "kind" | "credits" | "startsAt"
>;

/** One grant per order (`entitlements_order_uq`): a second attempt changes nothing. */
export async function insertGrant(tx: Db, values: NewGrant): Promise<void> {
  await tx
    .insert(entitlements)
    .values(values)
    .onConflictDoNothing({ target: entitlements.orderId });
}
