import "server-only";
import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  date,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { products } from "./catalogue";
import { productKind } from "./enums";
import { createdAt, tstz, updatedAt } from "./shop-time";
import { users } from "./users";

/*
 * What a paid buyer receives (issue #12). A one-off product has files (e-books) and/or lessons
 * (a course); the members' area (posts and files with no product) is open to every buyer with a
 * running membership of any plan. Files and lessons may only hang off one-off products: the
 * `(product_id, product_kind)` foreign key onto `products (id, kind)` with `product_kind` fixed to
 * 'one_off' makes the database refuse a course lesson on a membership plan, and refuse turning a
 * product with lessons into a plan.
 */

/** The three kinds of file the shop hands out, read from the bytes (lib/delivery/file-type.ts). */
export const DELIVERY_CONTENT_TYPES = [
  "application/pdf",
  "application/epub+zip",
  "application/zip",
] as const;
export type DeliveryContentType = (typeof DELIVERY_CONTENT_TYPES)[number];

const contentTypeList = sql.raw(DELIVERY_CONTENT_TYPES.map((type) => `'${type}'`).join(", "));

export const productFiles = pgTable(
  "product_files",
  {
    id: text("id").primaryKey(),
    /** The one-off product whose buyers get the file; null: the members' area. */
    productId: text("product_id"),
    productKind: productKind("product_kind"),
    /** Where the bytes are (lib/storage key `files/<id>`); never derived from the file name. */
    storageKey: text("storage_key").notNull(),
    /** The name the buyer's download gets (Chinese allowed, no path). */
    fileName: text("file_name").notNull(),
    contentType: text("content_type").notNull(),
    byteSize: bigint("byte_size", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    /** Order within the product (or the members' area), ascending. */
    position: integer("position").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("product_files_storage_key_uq").on(t.storageKey),
    index("product_files_product_idx").on(t.productId, t.position),
    foreignKey({
      name: "product_files_one_off_product_fk",
      columns: [t.productId, t.productKind],
      foreignColumns: [products.id, products.kind],
    }),
    check(
      "product_files_product_kind",
      sql`COALESCE((${t.productId} IS NULL AND ${t.productKind} IS NULL) OR (${t.productId} IS NOT NULL AND ${t.productKind} = 'one_off'), false)`,
    ),
    check("product_files_content_type", sql`${t.contentType} IN (${contentTypeList})`),
    check("product_files_size", sql`${t.byteSize} > 0`),
    check("product_files_sha256_hex", sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
    check(
      "product_files_file_name",
      sql`char_length(${t.fileName}) BETWEEN 1 AND 200 AND ${t.fileName} !~ '[/\\\\[:cntrl:]]' AND ${t.fileName} NOT IN ('.', '..')`,
    ),
    check("product_files_position", sql`${t.position} >= 0`),
  ],
);

export const lessons = pgTable(
  "lessons",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull(),
    productKind: productKind("product_kind").notNull().default("one_off"),
    position: integer("position").notNull().default(0),
    titleZh: text("title_zh").notNull(),
    titleEn: text("title_en").notNull(),
    /** Markdown (rendered without raw HTML). */
    bodyZh: text("body_zh").notNull().default(""),
    bodyEn: text("body_en").notNull().default(""),
    /** An https video the lesson embeds or links to (hosted elsewhere). */
    videoUrl: text("video_url"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("lessons_product_idx").on(t.productId, t.position),
    foreignKey({
      name: "lessons_one_off_product_fk",
      columns: [t.productId, t.productKind],
      foreignColumns: [products.id, products.kind],
    }),
    check("lessons_product_kind", sql`${t.productKind} = 'one_off'`),
    check("lessons_position", sql`${t.position} >= 0`),
    check(
      "lessons_titles",
      sql`char_length(${t.titleZh}) BETWEEN 1 AND 200 AND char_length(${t.titleEn}) BETWEEN 1 AND 200`,
    ),
    check(
      "lessons_body_size",
      sql`char_length(${t.bodyZh}) <= 100000 AND char_length(${t.bodyEn}) <= 100000`,
    ),
    check(
      "lessons_video_url",
      sql`${t.videoUrl} IS NULL OR (${t.videoUrl} ~ '^https://[^\\s]+$' AND char_length(${t.videoUrl}) <= 2000)`,
    ),
  ],
);

/** Members-only posts: readable while a membership of any plan runs. Drafts have no date. */
export const memberPosts = pgTable(
  "member_posts",
  {
    id: text("id").primaryKey(),
    titleZh: text("title_zh").notNull(),
    titleEn: text("title_en").notNull(),
    bodyZh: text("body_zh").notNull().default(""),
    bodyEn: text("body_en").notNull().default(""),
    /** When the post went up; null: a draft, shown to the owner only. */
    publishedAt: tstz("published_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("member_posts_published_idx").on(t.publishedAt),
    check(
      "member_posts_titles",
      sql`char_length(${t.titleZh}) BETWEEN 1 AND 200 AND char_length(${t.titleEn}) BETWEEN 1 AND 200`,
    ),
    check(
      "member_posts_body_size",
      sql`char_length(${t.bodyZh}) <= 100000 AND char_length(${t.bodyEn}) <= 100000`,
    ),
  ],
);

/**
 * Downloads per buyer, file and day (Asia/Shanghai calendar date): the daily limit against link
 * sharing (`DOWNLOADS_PER_DAY`) is one conditional upsert on this row.
 */
export const downloadCounts = pgTable(
  "download_counts",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    fileId: text("file_id")
      .notNull()
      .references(() => productFiles.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    count: integer("count").notNull(),
    lastAt: tstz("last_at").notNull(),
  },
  (t) => [
    primaryKey({ name: "download_counts_pk", columns: [t.userId, t.fileId, t.day] }),
    check("download_counts_count", sql`${t.count} >= 1`),
  ],
);

export type ProductFile = typeof productFiles.$inferSelect;
export type Lesson = typeof lessons.$inferSelect;
export type MemberPost = typeof memberPosts.$inferSelect;

/**
 * The buyer-stamped copies of PDFs (lib/delivery/download.ts, storage key
 * `stamps/<file id>/<hex>`): one per file version and stamp text, made at the first download and
 * served from storage after. Each is recorded here with when it was last served, so that
 * `/api/cron/files/sweep` can delete the copies nobody downloaded for a while and those of a
 * file replaced or deleted since (lib/delivery/sweep-stamps.ts); a later download stamps again.
 * No foreign key onto product_files: a copy outlives its file until the sweep deletes its bytes.
 */
export const stampedCopies = pgTable(
  "stamped_copies",
  {
    key: text("key").primaryKey(),
    fileId: text("file_id").notNull(),
    /** The file version the copy was stamped from (product_files.sha256 then). */
    fileSha256: text("file_sha256").notNull(),
    byteSize: bigint("byte_size", { mode: "number" }).notNull(),
    createdAt: createdAt(),
    lastServedAt: tstz("last_served_at").notNull(),
  },
  (t) => [
    index("stamped_copies_last_served_idx").on(t.lastServedAt),
    index("stamped_copies_file_idx").on(t.fileId),
    check("stamped_copies_key", sql`${t.key} ~ '^stamps/[A-Za-z0-9_-]+/[0-9a-f]+$'`),
    check("stamped_copies_sha256_hex", sql`${t.fileSha256} ~ '^[0-9a-f]{64}$'`),
    check("stamped_copies_size", sql`${t.byteSize} > 0`),
  ],
);
