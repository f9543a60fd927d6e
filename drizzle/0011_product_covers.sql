CREATE TABLE "cover_images" (
	"sha256" text PRIMARY KEY NOT NULL,
	"content_type" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	"byte_size" integer NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cover_images_sha256_hex" CHECK ("cover_images"."sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "cover_images_content_type" CHECK ("cover_images"."content_type" IN ('image/png', 'image/jpeg', 'image/webp')),
	CONSTRAINT "cover_images_size" CHECK ("cover_images"."byte_size" = octet_length("cover_images"."bytes") AND "cover_images"."byte_size" BETWEEN 1 AND 2097152),
	CONSTRAINT "cover_images_dimensions" CHECK ("cover_images"."width" > 0 AND "cover_images"."height" > 0)
);
--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "cover_sha256" text;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_cover_sha256_cover_images_sha256_fk" FOREIGN KEY ("cover_sha256") REFERENCES "public"."cover_images"("sha256") ON DELETE no action ON UPDATE no action;