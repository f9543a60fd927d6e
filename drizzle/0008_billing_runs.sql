ALTER TABLE "agreements" ADD COLUMN "postponed_period" integer;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "billing_lease_until" timestamp with time zone;