CREATE TABLE "rate_limit_counters" (
	"bucket" text NOT NULL,
	"key" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "rate_limit_counters_pk" PRIMARY KEY("bucket","key","window_start")
);
--> statement-breakpoint
ALTER TABLE "signin_attempts" ADD COLUMN "device" text;--> statement-breakpoint
ALTER TABLE "signin_attempts" ADD COLUMN "known" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "session_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_inbox" ADD COLUMN "body_bytes" integer;--> statement-breakpoint
ALTER TABLE "webhook_inbox" ADD COLUMN "body_sha256" text;--> statement-breakpoint
ALTER TABLE "webhook_inbox" ADD COLUMN "client_address" text;--> statement-breakpoint
ALTER TABLE "webhook_inbox" ADD COLUMN "claimed_until" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "rate_limit_counters_window_idx" ON "rate_limit_counters" USING btree ("bucket","window_start");--> statement-breakpoint
CREATE INDEX "signin_attempts_device_idx" ON "signin_attempts" USING btree ("email","device");--> statement-breakpoint
CREATE INDEX "webhook_inbox_rejected_client_idx" ON "webhook_inbox" USING btree ("client_address","received_at") WHERE "webhook_inbox"."status" = 'rejected';