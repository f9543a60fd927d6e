ALTER TABLE "agreements" ADD COLUMN "sign_flow" text DEFAULT 'page_sign' NOT NULL;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "paid_periods" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_open_sign_uq" ON "agreements" USING btree ("user_id","product_id") WHERE "agreements"."status" = 'pending_sign';--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_membership_min_period" CHECK ("products"."kind" <> 'membership' OR "products"."period_days" >= 7);--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_sign_flow" CHECK ("agreements"."sign_flow" IN ('page_sign', 'app_pay'));--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_paid_periods" CHECK ("agreements"."paid_periods" >= 0);--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_active_fields" CHECK ("agreements"."status" <> 'active' OR ("agreements"."agreement_no" IS NOT NULL AND "agreements"."next_charge_date" IS NOT NULL));