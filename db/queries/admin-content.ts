import "server-only";
import { asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  lessons,
  memberPosts,
  productFiles,
  products,
  type Lesson,
  type MemberPost,
  type Product,
  type ProductFile,
} from "../schema";
import { shopNow } from "../schema/shop-time";

/*
 * The admin's content writes and reads (issue #12): a one-off product's files and lessons, the
 * members' area's files (`product_id` null) and posts. Every write runs in the caller's
 * transaction with its audit row.
 */

/** Where files hang: a one-off product, or the members' area (null). */
export type FileOwner = string | null;

const ownerIs = (productId: FileOwner) =>
  productId === null ? isNull(productFiles.productId) : eq(productFiles.productId, productId);

/** The product, its row locked until the transaction ends (its files' positions queue). */
export async function lockContentProduct(
  tx: Db,
  id: string,
): Promise<Pick<Product, "id" | "kind" | "slug"> | undefined> {
  const [row] = await tx
    .select({ id: products.id, kind: products.kind, slug: products.slug })
    .from(products)
    .where(eq(products.id, id))
    .for("update");
  return row;
}

export async function findContentProduct(
  db: Db,
  id: string,
): Promise<Pick<Product, "id" | "kind" | "slug"> | undefined> {
  const [row] = await db
    .select({ id: products.id, kind: products.kind, slug: products.slug })
    .from(products)
    .where(eq(products.id, id));
  return row;
}

/**
 * Serialises the members' area's file writes (it has no product row to lock): a transaction
 * advisory lock on a fixed key, released at commit.
 */
export async function lockMembersArea(tx: Db): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('xiaopu.members_files'))`);
}

/** The product's (or the members' area's) files in order. */
export async function listFiles(db: Db, productId: FileOwner): Promise<ProductFile[]> {
  return db
    .select()
    .from(productFiles)
    .where(ownerIs(productId))
    .orderBy(asc(productFiles.position), asc(productFiles.createdAt), asc(productFiles.id));
}

export async function findFile(db: Db, id: string): Promise<ProductFile | undefined> {
  const [row] = await db.select().from(productFiles).where(eq(productFiles.id, id));
  return row;
}

export async function lockFile(tx: Db, id: string): Promise<ProductFile | undefined> {
  const [row] = await tx.select().from(productFiles).where(eq(productFiles.id, id)).for("update");
  return row;
}

/** The position after the owner's last file. */
export async function nextFilePosition(tx: Db, productId: FileOwner): Promise<number> {
  const [row] = await tx
    .select({ next: sql<number>`coalesce(max(${productFiles.position}) + 1, 0)::int` })
    .from(productFiles)
    .where(ownerIs(productId));
  return row?.next ?? 0;
}

export async function insertFile(
  tx: Db,
  values: typeof productFiles.$inferInsert,
): Promise<ProductFile> {
  const [row] = await tx.insert(productFiles).values(values).returning();
  return row!;
}

export type FileChanges = Partial<
  Pick<
    typeof productFiles.$inferInsert,
    "fileName" | "storageKey" | "contentType" | "byteSize" | "sha256" | "position"
  >
>;

export async function updateFile(
  tx: Db,
  id: string,
  changes: FileChanges,
): Promise<ProductFile | undefined> {
  const [row] = await tx
    .update(productFiles)
    .set(changes)
    .where(eq(productFiles.id, id))
    .returning();
  return row;
}

export async function deleteFile(tx: Db, id: string): Promise<void> {
  await tx.delete(productFiles).where(eq(productFiles.id, id));
}

/** `ids[i]` gets position i (the caller checked they are exactly the owner's files). */
export async function setFilePositions(tx: Db, ids: readonly string[]): Promise<void> {
  for (const [position, id] of ids.entries()) {
    await tx.update(productFiles).set({ position }).where(eq(productFiles.id, id));
  }
}

// ---- lessons ----------------------------------------------------------------------------------

export async function listLessons(db: Db, productId: string): Promise<Lesson[]> {
  return db
    .select()
    .from(lessons)
    .where(eq(lessons.productId, productId))
    .orderBy(asc(lessons.position), asc(lessons.createdAt), asc(lessons.id));
}

export async function lockLesson(tx: Db, id: string): Promise<Lesson | undefined> {
  const [row] = await tx.select().from(lessons).where(eq(lessons.id, id)).for("update");
  return row;
}

export async function nextLessonPosition(tx: Db, productId: string): Promise<number> {
  const [row] = await tx
    .select({ next: sql<number>`coalesce(max(${lessons.position}) + 1, 0)::int` })
    .from(lessons)
    .where(eq(lessons.productId, productId));
  return row?.next ?? 0;
}

export async function insertLesson(tx: Db, values: typeof lessons.$inferInsert): Promise<Lesson> {
  const [row] = await tx.insert(lessons).values(values).returning();
  return row!;
}

export type LessonChanges = Partial<
  Pick<typeof lessons.$inferInsert, "titleZh" | "titleEn" | "bodyZh" | "bodyEn" | "videoUrl">
>;

export async function updateLesson(
  tx: Db,
  id: string,
  changes: LessonChanges,
): Promise<Lesson | undefined> {
  const [row] = await tx.update(lessons).set(changes).where(eq(lessons.id, id)).returning();
  return row;
}

export async function deleteLesson(tx: Db, id: string): Promise<void> {
  await tx.delete(lessons).where(eq(lessons.id, id));
}

export async function setLessonPositions(tx: Db, ids: readonly string[]): Promise<void> {
  for (const [position, id] of ids.entries()) {
    await tx.update(lessons).set({ position }).where(eq(lessons.id, id));
  }
}

// ---- members' posts ---------------------------------------------------------------------------

/** Drafts first, then the newest published. */
export async function listPosts(db: Db): Promise<MemberPost[]> {
  return db
    .select()
    .from(memberPosts)
    .orderBy(
      sql`${memberPosts.publishedAt} is not null`,
      desc(memberPosts.publishedAt),
      desc(memberPosts.createdAt),
    );
}

export async function findPost(db: Db, id: string): Promise<MemberPost | undefined> {
  const [row] = await db.select().from(memberPosts).where(eq(memberPosts.id, id));
  return row;
}

export async function lockPost(tx: Db, id: string): Promise<MemberPost | undefined> {
  const [row] = await tx.select().from(memberPosts).where(eq(memberPosts.id, id)).for("update");
  return row;
}

export async function insertPost(
  tx: Db,
  values: typeof memberPosts.$inferInsert,
): Promise<MemberPost> {
  const [row] = await tx.insert(memberPosts).values(values).returning();
  return row!;
}

export type PostChanges = Partial<
  Pick<typeof memberPosts.$inferInsert, "titleZh" | "titleEn" | "bodyZh" | "bodyEn">
>;

export async function updatePost(
  tx: Db,
  id: string,
  changes: PostChanges,
): Promise<MemberPost | undefined> {
  const [row] = await tx.update(memberPosts).set(changes).where(eq(memberPosts.id, id)).returning();
  return row;
}

/** Publishes now (on the shop's clock) or back to a draft. */
export async function setPostPublished(
  tx: Db,
  id: string,
  published: boolean,
): Promise<MemberPost | undefined> {
  const [row] = await tx
    .update(memberPosts)
    .set({
      publishedAt: published ? shopNow() : null,
    })
    .where(eq(memberPosts.id, id))
    .returning();
  return row;
}

export async function deletePost(tx: Db, id: string): Promise<void> {
  await tx.delete(memberPosts).where(eq(memberPosts.id, id));
}

/** The product's PDF stamping switch (issue #12), set by the product editor. */
export async function setProductStampPdfs(tx: Db, id: string, stampPdfs: boolean): Promise<void> {
  await tx.update(products).set({ stampPdfs }).where(eq(products.id, id));
}
