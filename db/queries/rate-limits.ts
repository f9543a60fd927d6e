import "server-only";
import { and, eq, gt, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { rateLimitCounters } from "../schema";

export interface CounterSlot {
  bucket: string;
  key: string;
  windowStart: Date;
}

/**
 * Takes one slot of a window if fewer than `limit` are taken, atomically across connections and
 * instances: returns the count including this request, or null when the window is full (the
 * refused request is not counted).
 */
export async function takeCounterSlot(
  db: Db,
  slot: CounterSlot,
  limit: number,
): Promise<number | null> {
  const [row] = await db
    .insert(rateLimitCounters)
    .values({ ...slot, count: 1 })
    .onConflictDoUpdate({
      target: [rateLimitCounters.bucket, rateLimitCounters.key, rateLimitCounters.windowStart],
      set: { count: sql`${rateLimitCounters.count} + 1` },
      setWhere: lt(rateLimitCounters.count, limit),
    })
    .returning({ count: rateLimitCounters.count });
  return row?.count ?? null;
}

/** Gives a slot back (a request that turned out not to count, e.g. a form with typos). */
export async function releaseCounterSlot(db: Db, slot: CounterSlot): Promise<void> {
  await db
    .update(rateLimitCounters)
    .set({ count: sql`${rateLimitCounters.count} - 1` })
    .where(
      and(
        eq(rateLimitCounters.bucket, slot.bucket),
        eq(rateLimitCounters.key, slot.key),
        eq(rateLimitCounters.windowStart, slot.windowStart),
        gt(rateLimitCounters.count, 0),
      ),
    );
}

/** Deletes the bucket's counters of windows that started before `before` (ended windows). */
export async function pruneCounters(db: Db, bucket: string, before: Date): Promise<number> {
  const deleted = await db
    .delete(rateLimitCounters)
    .where(and(eq(rateLimitCounters.bucket, bucket), lt(rateLimitCounters.windowStart, before)))
    .returning({ key: rateLimitCounters.key });
  return deleted.length;
}

/** The count taken in one window (0 when nobody asked yet). */
export async function counterValue(db: Db, slot: CounterSlot): Promise<number> {
  const [row] = await db
    .select({ count: rateLimitCounters.count })
    .from(rateLimitCounters)
    .where(
      and(
        eq(rateLimitCounters.bucket, slot.bucket),
        eq(rateLimitCounters.key, slot.key),
        eq(rateLimitCounters.windowStart, slot.windowStart),
      ),
    );
  return row?.count ?? 0;
}
