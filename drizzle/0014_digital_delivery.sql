CREATE TYPE "public"."credit_entry_kind" AS ENUM('grant', 'use', 'refund');--> statement-breakpoint
CREATE TABLE "download_counts" (
	"user_id" text NOT NULL,
	"file_id" text NOT NULL,
	"day" date NOT NULL,
	"count" integer NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "download_counts_pk" PRIMARY KEY("user_id","file_id","day"),
	CONSTRAINT "download_counts_count" CHECK ("download_counts"."count" >= 1)
);
--> statement-breakpoint
CREATE TABLE "lessons" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"product_kind" "product_kind" DEFAULT 'one_off' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"title_zh" text NOT NULL,
	"title_en" text NOT NULL,
	"body_zh" text DEFAULT '' NOT NULL,
	"body_en" text DEFAULT '' NOT NULL,
	"video_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lessons_product_kind" CHECK ("lessons"."product_kind" = 'one_off'),
	CONSTRAINT "lessons_position" CHECK ("lessons"."position" >= 0),
	CONSTRAINT "lessons_titles" CHECK (char_length("lessons"."title_zh") BETWEEN 1 AND 200 AND char_length("lessons"."title_en") BETWEEN 1 AND 200),
	CONSTRAINT "lessons_body_size" CHECK (char_length("lessons"."body_zh") <= 100000 AND char_length("lessons"."body_en") <= 100000),
	CONSTRAINT "lessons_video_url" CHECK ("lessons"."video_url" IS NULL OR ("lessons"."video_url" ~ '^https://[^\s]+$' AND char_length("lessons"."video_url") <= 2000))
);
--> statement-breakpoint
CREATE TABLE "member_posts" (
	"id" text PRIMARY KEY NOT NULL,
	"title_zh" text NOT NULL,
	"title_en" text NOT NULL,
	"body_zh" text DEFAULT '' NOT NULL,
	"body_en" text DEFAULT '' NOT NULL,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_posts_titles" CHECK (char_length("member_posts"."title_zh") BETWEEN 1 AND 200 AND char_length("member_posts"."title_en") BETWEEN 1 AND 200),
	CONSTRAINT "member_posts_body_size" CHECK (char_length("member_posts"."body_zh") <= 100000 AND char_length("member_posts"."body_en") <= 100000)
);
--> statement-breakpoint
CREATE TABLE "product_files" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text,
	"product_kind" "product_kind",
	"storage_key" text NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"byte_size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "product_files_product_kind" CHECK (COALESCE(("product_files"."product_id" IS NULL AND "product_files"."product_kind" IS NULL) OR ("product_files"."product_id" IS NOT NULL AND "product_files"."product_kind" = 'one_off'), false)),
	CONSTRAINT "product_files_content_type" CHECK ("product_files"."content_type" IN ('application/pdf', 'application/epub+zip', 'application/zip')),
	CONSTRAINT "product_files_size" CHECK ("product_files"."byte_size" > 0),
	CONSTRAINT "product_files_sha256_hex" CHECK ("product_files"."sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "product_files_file_name" CHECK (char_length("product_files"."file_name") BETWEEN 1 AND 200 AND "product_files"."file_name" !~ '[/\\[:cntrl:]]' AND "product_files"."file_name" NOT IN ('.', '..')),
	CONSTRAINT "product_files_position" CHECK ("product_files"."position" >= 0)
);
--> statement-breakpoint
CREATE TABLE "credit_balances" (
	"user_id" text PRIMARY KEY NOT NULL,
	"balance" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_balances_nonnegative" CHECK ("credit_balances"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "credit_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" "credit_entry_kind" NOT NULL,
	"delta" integer NOT NULL,
	"balance_after" integer NOT NULL,
	"order_id" text,
	"note" text,
	"actor_id" text,
	"request_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_entries_balance_after" CHECK ("credit_entries"."balance_after" >= 0),
	CONSTRAINT "credit_entries_kind_fields" CHECK (COALESCE(
        ("credit_entries"."kind" = 'grant' AND "credit_entries"."delta" > 0 AND "credit_entries"."order_id" IS NOT NULL)
        OR ("credit_entries"."kind" = 'use' AND "credit_entries"."delta" < 0 AND "credit_entries"."note" IS NOT NULL AND "credit_entries"."order_id" IS NULL
            AND char_length("credit_entries"."note") BETWEEN 1 AND 500)
        OR ("credit_entries"."kind" = 'refund' AND "credit_entries"."delta" < 0 AND "credit_entries"."order_id" IS NOT NULL),
        false))
);
--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "stamp_pdfs" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_id_kind_uq" UNIQUE("id","kind");--> statement-breakpoint
ALTER TABLE "download_counts" ADD CONSTRAINT "download_counts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "download_counts" ADD CONSTRAINT "download_counts_file_id_product_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."product_files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lessons" ADD CONSTRAINT "lessons_one_off_product_fk" FOREIGN KEY ("product_id","product_kind") REFERENCES "public"."products"("id","kind") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_files" ADD CONSTRAINT "product_files_one_off_product_fk" FOREIGN KEY ("product_id","product_kind") REFERENCES "public"."products"("id","kind") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_balances" ADD CONSTRAINT "credit_balances_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_entries" ADD CONSTRAINT "credit_entries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_entries" ADD CONSTRAINT "credit_entries_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_entries" ADD CONSTRAINT "credit_entries_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lessons_product_idx" ON "lessons" USING btree ("product_id","position");--> statement-breakpoint
CREATE INDEX "member_posts_published_idx" ON "member_posts" USING btree ("published_at");--> statement-breakpoint
CREATE UNIQUE INDEX "product_files_storage_key_uq" ON "product_files" USING btree ("storage_key");--> statement-breakpoint
CREATE INDEX "product_files_product_idx" ON "product_files" USING btree ("product_id","position");--> statement-breakpoint
CREATE INDEX "credit_entries_user_idx" ON "credit_entries" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_entries_order_kind_uq" ON "credit_entries" USING btree ("order_id","kind") WHERE "credit_entries"."order_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_entries_request_key_uq" ON "credit_entries" USING btree ("request_key") WHERE "credit_entries"."request_key" IS NOT NULL;--> statement-breakpoint--> statement-breakpoint
-- Credit packs paid before the ledger existed: one grant each, and the balances they make.
INSERT INTO "credit_entries" ("id", "user_id", "kind", "delta", "balance_after", "order_id", "created_at")
SELECT 'cre_' || "id", "user_id", 'grant', "credits",
       sum("credits") OVER (PARTITION BY "user_id" ORDER BY "created_at", "id"), "order_id", "created_at"
FROM "entitlements" WHERE "kind" = 'credits' AND "revoked_at" IS NULL;--> statement-breakpoint
INSERT INTO "credit_balances" ("user_id", "balance")
SELECT "user_id", sum("credits") FROM "entitlements"
WHERE "kind" = 'credits' AND "revoked_at" IS NULL GROUP BY "user_id";
