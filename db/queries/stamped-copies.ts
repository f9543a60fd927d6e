import "server-only";
import { and, asc, eq, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { productFiles, stampedCopies } from "../schema";

/*
 * The record of buyer-stamped PDF copies in storage (db/schema/delivery.ts `stamped_copies`):
 * written when a copy is made or served, read and deleted by the sweep
 * (lib/delivery/sweep-stamps.ts).
 */

export interface StampedCopyServed {
  key: string;
  fileId: string;
  fileSha256: string;
  byteSize: number;
  at: Date;
}

/** A copy was made or served now: recorded, or its last-served time moved on. */
export async function recordStampedCopy(db: Db, copy: StampedCopyServed): Promise<void> {
  await db
    .insert(stampedCopies)
    .values({
      key: copy.key,
      fileId: copy.fileId,
      fileSha256: copy.fileSha256,
      byteSize: copy.byteSize,
      lastServedAt: copy.at,
    })
    .onConflictDoUpdate({
      target: stampedCopies.key,
      set: { lastServedAt: sql`GREATEST(${stampedCopies.lastServedAt}, excluded.last_served_at)` },
    });
}

export type StaleReason = "unused" | "file_gone" | "file_replaced";

export interface StaleStampedCopy {
  key: string;
  byteSize: number;
  lastServedAt: Date;
  reason: StaleReason;
}

/**
 * Copies the sweep may delete, oldest use first: not served since `servedBefore`, or stamped
 * from a file that is gone or has been replaced (its bytes changed) since.
 */
export async function staleStampedCopies(
  db: Db,
  { servedBefore, limit }: { servedBefore: Date; limit: number },
): Promise<StaleStampedCopy[]> {
  const rows = await db
    .select({
      key: stampedCopies.key,
      byteSize: stampedCopies.byteSize,
      lastServedAt: stampedCopies.lastServedAt,
      currentSha256: productFiles.sha256,
      fileSha256: stampedCopies.fileSha256,
    })
    .from(stampedCopies)
    .leftJoin(productFiles, eq(productFiles.id, stampedCopies.fileId))
    .where(
      or(
        lt(stampedCopies.lastServedAt, servedBefore),
        isNull(productFiles.id),
        ne(productFiles.sha256, stampedCopies.fileSha256),
      ),
    )
    .orderBy(asc(stampedCopies.lastServedAt), asc(stampedCopies.key))
    .limit(limit);
  return rows.map(({ currentSha256, fileSha256, ...row }) => ({
    ...row,
    reason:
      currentSha256 === null
        ? "file_gone"
        : currentSha256 !== fileSha256
          ? "file_replaced"
          : "unused",
  }));
}

/**
 * The copy's record goes, unless it was served after the sweep read it (then its bytes are
 * stamped again at the next download, and the record stays). True when it went.
 */
export async function forgetStampedCopy(
  db: Db,
  copy: { key: string; lastServedAt: Date },
): Promise<boolean> {
  const gone = await db
    .delete(stampedCopies)
    .where(and(eq(stampedCopies.key, copy.key), eq(stampedCopies.lastServedAt, copy.lastServedAt)))
    .returning({ key: stampedCopies.key });
  return gone.length > 0;
}
