import "server-only";
import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../client";
import { coverImages, products, type NewProduct, type Product } from "../schema";

/** The product editor's writes; every caller runs them in a transaction with the audit row. */

/** Every product: those on sale first, each group in the catalogue's order. */
export async function listProductsForAdmin(db: Db): Promise<Product[]> {
  return db
    .select()
    .from(products)
    .orderBy(desc(products.active), asc(products.sortOrder), asc(products.slug));
}

/** The product, its row locked until the transaction ends (edits of one product queue). */
export async function lockProduct(tx: Db, id: string): Promise<Product | undefined> {
  const [row] = await tx.select().from(products).where(eq(products.id, id)).for("update");
  return row;
}

/** Whether another product than `exceptId` already has the slug. */
export async function slugTaken(db: Db, slug: string, exceptId?: string): Promise<boolean> {
  const [row] = await db
    .select({ id: products.id })
    .from(products)
    .where(and(eq(products.slug, slug), exceptId ? ne(products.id, exceptId) : undefined))
    .limit(1);
  return row !== undefined;
}

/** Inserts unless the slug exists; `undefined` means the slug is taken. */
export async function insertProduct(tx: Db, values: NewProduct): Promise<Product | undefined> {
  const [row] = await tx
    .insert(products)
    .values(values)
    .onConflictDoNothing({ target: products.slug })
    .returning();
  return row;
}

export type ProductChanges = Partial<
  Pick<
    NewProduct,
    | "slug"
    | "nameZh"
    | "nameEn"
    | "descriptionZh"
    | "descriptionEn"
    | "contentZh"
    | "contentEn"
    | "priceFen"
    | "periodDays"
    | "credits"
    | "sortOrder"
    | "active"
    | "coverSha256"
  >
>;

export async function updateProduct(
  tx: Db,
  id: string,
  changes: ProductChanges,
): Promise<Product | undefined> {
  const [row] = await tx.update(products).set(changes).where(eq(products.id, id)).returning();
  return row;
}

export interface NewCoverImage {
  sha256: string;
  contentType: string;
  bytes: Uint8Array;
  byteSize: number;
  width: number;
  height: number;
}

/** Stores an image under its hash; the same bytes uploaded twice are stored once. */
export async function insertCoverImage(tx: Db, image: NewCoverImage): Promise<void> {
  await tx
    .insert(coverImages)
    .values({ ...image, bytes: Buffer.from(image.bytes) })
    .onConflictDoNothing({ target: coverImages.sha256 });
}

/** Deletes a stored image no product names any more (a replaced or removed cover). */
export async function deleteUnusedCoverImage(tx: Db, sha256: string): Promise<boolean> {
  const rows = await tx
    .delete(coverImages)
    .where(
      and(
        eq(coverImages.sha256, sha256),
        sql`NOT EXISTS (SELECT 1 FROM ${products} WHERE ${products.coverSha256} = ${sha256})`,
      ),
    )
    .returning({ sha256: coverImages.sha256 });
  return rows.length > 0;
}

/** Facts about a stored cover (no bytes): the editor shows its type, size and dimensions. */
export async function findCoverFacts(
  db: Db,
  sha256: string,
): Promise<Omit<NewCoverImage, "bytes"> | undefined> {
  const [row] = await db
    .select({
      sha256: coverImages.sha256,
      contentType: coverImages.contentType,
      byteSize: coverImages.byteSize,
      width: coverImages.width,
      height: coverImages.height,
    })
    .from(coverImages)
    .where(eq(coverImages.sha256, sha256));
  return row;
}
