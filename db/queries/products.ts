import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { coverImages, products, type Product } from "../schema";

export async function listActiveProducts(db: Db): Promise<Product[]> {
  return db
    .select()
    .from(products)
    .where(eq(products.active, true))
    .orderBy(asc(products.sortOrder), asc(products.slug));
}

export async function listAllProducts(db: Db): Promise<Product[]> {
  return db.select().from(products).orderBy(asc(products.sortOrder), asc(products.slug));
}

export async function findActiveProductBySlug(db: Db, slug: string): Promise<Product | undefined> {
  const [row] = await db
    .select()
    .from(products)
    .where(and(eq(products.slug, slug), eq(products.active, true)));
  return row;
}

export async function findProductById(db: Db, id: string): Promise<Product | undefined> {
  const [row] = await db.select().from(products).where(eq(products.id, id));
  return row;
}

/** An uploaded cover's bytes and type by its hash (the shop's cover route serves them). */
export async function findCoverImage(
  db: Db,
  sha256: string,
): Promise<{ contentType: string; bytes: Uint8Array } | undefined> {
  const [row] = await db
    .select({ contentType: coverImages.contentType, bytes: coverImages.bytes })
    .from(coverImages)
    .where(eq(coverImages.sha256, sha256));
  return row;
}
