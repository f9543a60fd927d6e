import "server-only";
import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  downloadCounts,
  entitlements,
  lessons,
  memberPosts,
  orders,
  productFiles,
  products,
  type Lesson,
  type MemberPost,
  type ProductFile,
} from "../schema";

/*
 * Reads of what a buyer owns and may open (issue #12). The rules themselves are in
 * lib/delivery/access.ts; these only fetch the rows they decide on.
 */

export interface DeliveryProduct {
  id: string;
  slug: string;
  kind: "one_off" | "membership" | "credit_pack";
  nameZh: string;
  nameEn: string;
  stampPdfs: boolean;
}

const productColumns = {
  id: products.id,
  slug: products.slug,
  kind: products.kind,
  nameZh: products.nameZh,
  nameEn: products.nameEn,
  stampPdfs: products.stampPdfs,
};

/** A file and the product it belongs to (null: the members' area). */
export async function findDeliveryFile(
  db: Db,
  fileId: string,
): Promise<{ file: ProductFile; product: DeliveryProduct | null } | undefined> {
  const [row] = await db
    .select({ file: productFiles, product: productColumns })
    .from(productFiles)
    .leftJoin(products, eq(products.id, productFiles.productId))
    .where(eq(productFiles.id, fileId))
    .limit(1);
  if (!row) return undefined;
  return { file: row.file, product: row.file.productId ? row.product : null };
}

export type GrantState =
  { state: "live"; orderNo: string } | { state: "revoked"; orderNo: string } | { state: "none" };

/**
 * The buyer's content grant for a one-off product: live (a paid order not refunded), revoked
 * (there was one, and it was taken back by a refund), or none. A live grant wins over a revoked
 * one (bought again after a refund).
 */
export async function contentGrantState(
  db: Db,
  userId: string,
  productId: string,
): Promise<GrantState> {
  const rows = await db
    .select({ orderNo: orders.orderNo, revokedAt: entitlements.revokedAt })
    .from(entitlements)
    .innerJoin(orders, eq(orders.id, entitlements.orderId))
    .where(
      and(
        eq(entitlements.userId, userId),
        eq(entitlements.productId, productId),
        eq(entitlements.kind, "content"),
      ),
    )
    .orderBy(sql`${entitlements.revokedAt} IS NOT NULL`, desc(entitlements.createdAt))
    .limit(1);
  const row = rows[0];
  if (!row) return { state: "none" };
  return row.revokedAt === null
    ? { state: "live", orderNo: row.orderNo }
    : { state: "revoked", orderNo: row.orderNo };
}

export type MembershipState =
  | { state: "running"; orderNo: string; expiresAt: Date }
  | { state: "expired"; expiredAt: Date | null }
  | { state: "none" };

/**
 * Whether a membership of any plan runs at `now`: a grant not revoked whose paid period holds
 * `now` (starts at or before it, ends after it). Periods paid in advance start later and do not
 * count until they begin; a refunded period is revoked and never counts.
 */
export async function membershipState(db: Db, userId: string, now: Date): Promise<MembershipState> {
  const [running] = await db
    .select({ orderNo: orders.orderNo, expiresAt: entitlements.expiresAt })
    .from(entitlements)
    .innerJoin(orders, eq(orders.id, entitlements.orderId))
    .where(
      and(
        eq(entitlements.userId, userId),
        eq(entitlements.kind, "membership"),
        isNull(entitlements.revokedAt),
        lte(entitlements.startsAt, now),
        gt(entitlements.expiresAt, now),
      ),
    )
    .orderBy(desc(entitlements.expiresAt))
    .limit(1);
  if (running?.expiresAt) {
    return { state: "running", orderNo: running.orderNo, expiresAt: running.expiresAt };
  }
  const [ever] = await db
    .select({ expiresAt: entitlements.expiresAt })
    .from(entitlements)
    .where(and(eq(entitlements.userId, userId), eq(entitlements.kind, "membership")))
    .orderBy(desc(entitlements.expiresAt))
    .limit(1);
  return ever ? { state: "expired", expiredAt: ever.expiresAt } : { state: "none" };
}

/**
 * Counts one download of `fileId` by the buyer on `day` (a Shanghai date) unless `limit` were
 * reached: one conditional upsert, so concurrent requests cannot both take the last one.
 * Returns the count after this download, or null when the limit was already reached.
 */
export async function countDownload(
  db: Db,
  input: { userId: string; fileId: string; day: string; at: Date; limit: number },
): Promise<number | null> {
  const rows = await db
    .insert(downloadCounts)
    .values({
      userId: input.userId,
      fileId: input.fileId,
      day: input.day,
      count: 1,
      lastAt: input.at,
    })
    .onConflictDoUpdate({
      target: [downloadCounts.userId, downloadCounts.fileId, downloadCounts.day],
      set: { count: sql`${downloadCounts.count} + 1`, lastAt: input.at },
      setWhere: sql`${downloadCounts.count} < ${input.limit}`,
    })
    .returning({ count: downloadCounts.count });
  return rows[0]?.count ?? null;
}

/** Downloads of each file by the buyer on `day`. */
export async function downloadsToday(
  db: Db,
  userId: string,
  day: string,
): Promise<Map<string, number>> {
  const rows = await db
    .select({ fileId: downloadCounts.fileId, count: downloadCounts.count })
    .from(downloadCounts)
    .where(and(eq(downloadCounts.userId, userId), eq(downloadCounts.day, day)));
  return new Map(rows.map((row) => [row.fileId, row.count]));
}

export type FileSummary = Pick<
  ProductFile,
  "id" | "productId" | "fileName" | "contentType" | "byteSize" | "position"
>;
export type LessonSummary = Pick<Lesson, "id" | "productId" | "position" | "titleZh" | "titleEn">;

const fileSummary = {
  id: productFiles.id,
  productId: productFiles.productId,
  fileName: productFiles.fileName,
  contentType: productFiles.contentType,
  byteSize: productFiles.byteSize,
  position: productFiles.position,
};

const lessonSummary = {
  id: lessons.id,
  productId: lessons.productId,
  position: lessons.position,
  titleZh: lessons.titleZh,
  titleEn: lessons.titleEn,
};

export interface OwnedProduct {
  product: DeliveryProduct;
  orderNo: string;
  paidAt: Date | null;
  files: FileSummary[];
  lessons: LessonSummary[];
}

/** The one-off products the buyer owns (a live content grant), newest purchase first. */
export async function ownedProducts(db: Db, userId: string): Promise<OwnedProduct[]> {
  const grants = await db
    .select({ product: productColumns, orderNo: orders.orderNo, paidAt: orders.paidAt })
    .from(entitlements)
    .innerJoin(orders, eq(orders.id, entitlements.orderId))
    .innerJoin(products, eq(products.id, entitlements.productId))
    .where(
      and(
        eq(entitlements.userId, userId),
        eq(entitlements.kind, "content"),
        isNull(entitlements.revokedAt),
      ),
    )
    .orderBy(desc(entitlements.createdAt));
  // One entry per product (a product bought twice shows once, with its latest order).
  const seen = new Set<string>();
  const unique = grants.filter(({ product }) => !seen.has(product.id) && seen.add(product.id));
  if (unique.length === 0) return [];
  const ids = unique.map(({ product }) => product.id);
  const [files, lessonRows] = await Promise.all([
    db
      .select(fileSummary)
      .from(productFiles)
      .where(inArray(productFiles.productId, ids))
      .orderBy(asc(productFiles.position), asc(productFiles.createdAt)),
    db
      .select(lessonSummary)
      .from(lessons)
      .where(inArray(lessons.productId, ids))
      .orderBy(asc(lessons.position), asc(lessons.createdAt)),
  ]);
  return unique.map((grant) => ({
    ...grant,
    files: files.filter((file) => file.productId === grant.product.id),
    lessons: lessonRows.filter((lesson) => lesson.productId === grant.product.id),
  }));
}

/** The members' area: its files and its published posts (newest first). */
export async function membersArea(
  db: Db,
  now: Date,
): Promise<{
  files: FileSummary[];
  posts: Pick<MemberPost, "id" | "titleZh" | "titleEn" | "publishedAt">[];
}> {
  const [files, posts] = await Promise.all([
    db
      .select(fileSummary)
      .from(productFiles)
      .where(isNull(productFiles.productId))
      .orderBy(asc(productFiles.position), asc(productFiles.createdAt)),
    db
      .select({
        id: memberPosts.id,
        titleZh: memberPosts.titleZh,
        titleEn: memberPosts.titleEn,
        publishedAt: memberPosts.publishedAt,
      })
      .from(memberPosts)
      .where(and(isNotNull(memberPosts.publishedAt), lte(memberPosts.publishedAt, now)))
      .orderBy(desc(memberPosts.publishedAt))
      .limit(100),
  ]);
  return { files, posts };
}

/** A published members' post. */
export async function findPublishedPost(
  db: Db,
  postId: string,
  now: Date,
): Promise<MemberPost | undefined> {
  const [row] = await db
    .select()
    .from(memberPosts)
    .where(
      and(
        eq(memberPosts.id, postId),
        isNotNull(memberPosts.publishedAt),
        lte(memberPosts.publishedAt, now),
      ),
    )
    .limit(1);
  return row;
}

/** A one-off product by slug with its lessons in order (for the course pages). */
export async function courseBySlug(
  db: Db,
  slug: string,
): Promise<{ product: DeliveryProduct; lessons: LessonSummary[] } | undefined> {
  const [product] = await db
    .select(productColumns)
    .from(products)
    .where(and(eq(products.slug, slug), eq(products.kind, "one_off")))
    .limit(1);
  if (!product) return undefined;
  const rows = await db
    .select(lessonSummary)
    .from(lessons)
    .where(eq(lessons.productId, product.id))
    .orderBy(asc(lessons.position), asc(lessons.createdAt));
  return { product, lessons: rows };
}

export async function findLesson(db: Db, lessonId: string): Promise<Lesson | undefined> {
  const [row] = await db.select().from(lessons).where(eq(lessons.id, lessonId)).limit(1);
  return row;
}

/** What a one-off product hands over, for its page before purchase: counts and file types. */
export async function productContents(
  db: Db,
  productId: string,
): Promise<{ files: number; types: string[]; lessons: number }> {
  const [files, [lessonCount]] = await Promise.all([
    db
      .select({ contentType: productFiles.contentType })
      .from(productFiles)
      .where(eq(productFiles.productId, productId)),
    db.select({ n: count() }).from(lessons).where(eq(lessons.productId, productId)),
  ]);
  return {
    files: files.length,
    types: [...new Set(files.map((file) => file.contentType))].sort(),
    lessons: lessonCount?.n ?? 0,
  };
}
