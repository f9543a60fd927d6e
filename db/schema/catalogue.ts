import "server-only";
import { sql } from "drizzle-orm";
import { boolean, check, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { productKind } from "./enums";
import { createdAt, updatedAt } from "./shop-time";

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
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("products_slug_uq").on(t.slug),
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
export type NewProduct = typeof products.$inferInsert;
