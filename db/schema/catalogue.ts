import "server-only";
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  customType,
  integer,
  pgTable,
  text,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { productKind } from "./enums";
import { createdAt, updatedAt } from "./shop-time";

/** Raw bytes (`bytea`): postgres.js hands back a Buffer, PGlite a Uint8Array. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
});

/** The largest cover image the admin may upload (lib/admin/cover-image.ts refuses more: 413). */
export const COVER_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Uploaded product covers, stored in the database by their SHA-256 (content-addressed): the
 * shop runs on stateless instances (Vercel) with no disk of its own, and a cover is small. A
 * product names its cover by hash, so a replaced cover has a new URL and the old one can be
 * cached forever. The type is the one read from the bytes' signature, never from a file name.
 */
export const coverImages = pgTable(
  "cover_images",
  {
    sha256: text("sha256").primaryKey(),
    contentType: text("content_type").notNull(),
    bytes: bytea("bytes").notNull(),
    byteSize: integer("byte_size").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check("cover_images_sha256_hex", sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
    check(
      "cover_images_content_type",
      sql`${t.contentType} IN ('image/png', 'image/jpeg', 'image/webp')`,
    ),
    check(
      "cover_images_size",
      sql`${t.byteSize} = octet_length(${t.bytes}) AND ${t.byteSize} BETWEEN 1 AND ${sql.raw(String(COVER_MAX_BYTES))}`,
    ),
    check("cover_images_dimensions", sql`${t.width} > 0 AND ${t.height} > 0`),
  ],
);

export const products = pgTable(
  "products",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    kind: productKind("kind").notNull(),
    priceFen: integer("price_fen").notNull(),
    /** Membership plans: length of one billing period. */
    periodDays: integer("period_days"),
    /** Credit packs: credits granted per purchase. */
    credits: integer("credits"),
    nameZh: text("name_zh").notNull(),
    nameEn: text("name_en").notNull(),
    descriptionZh: text("description_zh").notNull(),
    descriptionEn: text("description_en").notNull(),
    /** What a paid one-off purchase unlocks (download link or text); never shown before payment. */
    contentZh: text("content_zh"),
    contentEn: text("content_en"),
    active: boolean("active").notNull().default(true),
    /** The uploaded cover (cover_images); null: the generated one (lib/shop/artwork.tsx). */
    coverSha256: text("cover_sha256").references(() => coverImages.sha256),
    sortOrder: integer("sort_order").notNull().default(0),
    /** One-off products: PDFs are stamped with the buyer's account at download (issue #12). */
    stampPdfs: boolean("stamp_pdfs").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("products_slug_uq").on(t.slug),
    // Target of the (product_id, product_kind) foreign keys of files and lessons (delivery.ts).
    unique("products_id_kind_uq").on(t.id, t.kind),
    check("products_price_positive", sql`${t.priceFen} > 0`),
    // Alipay periodic deduction refuses DAY periods under 7 (lib/memberships/plan-rules.ts).
    check("products_membership_min_period", sql`${t.kind} <> 'membership' OR ${t.periodDays} >= 7`),
    check(
      "products_kind_fields",
      // COALESCE: a NULL comparison would make the whole CHECK unknown, which passes.
      sql`COALESCE(
        (${t.kind} = 'membership' AND ${t.periodDays} > 0 AND ${t.credits} IS NULL)
        OR (${t.kind} = 'credit_pack' AND ${t.credits} > 0 AND ${t.periodDays} IS NULL)
        OR (${t.kind} = 'one_off' AND ${t.periodDays} IS NULL AND ${t.credits} IS NULL),
        false)`,
    ),
  ],
);

export type Product = typeof products.$inferSelect;
export type CoverImage = typeof coverImages.$inferSelect;
export type NewProduct = typeof products.$inferInsert;
