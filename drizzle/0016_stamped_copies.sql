CREATE TABLE "stamped_copies" (
	"key" text PRIMARY KEY NOT NULL,
	"file_id" text NOT NULL,
	"file_sha256" text NOT NULL,
	"byte_size" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_served_at" timestamp with time zone NOT NULL,
	CONSTRAINT "stamped_copies_key" CHECK ("stamped_copies"."key" ~ '^stamps/[A-Za-z0-9_-]+/[0-9a-f]+$'),
	CONSTRAINT "stamped_copies_sha256_hex" CHECK ("stamped_copies"."file_sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "stamped_copies_size" CHECK ("stamped_copies"."byte_size" > 0)
);
--> statement-breakpoint
CREATE INDEX "stamped_copies_last_served_idx" ON "stamped_copies" USING btree ("last_served_at");--> statement-breakpoint
CREATE INDEX "stamped_copies_file_idx" ON "stamped_copies" USING btree ("file_id");