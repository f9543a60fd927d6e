CREATE SCHEMA "sandbox";
--> statement-breakpoint
CREATE TYPE "public"."actor_kind" AS ENUM('user', 'system', 'cron', 'provider');--> statement-breakpoint
CREATE TYPE "public"."agreement_status" AS ENUM('pending_sign', 'active', 'unsigned', 'closed');--> statement-breakpoint
CREATE TYPE "public"."billing_run_status" AS ENUM('running', 'completed', 'failed', 'aborted');--> statement-breakpoint
CREATE TYPE "public"."charge_attempt_status" AS ENUM('pending', 'succeeded', 'failed', 'unknown');--> statement-breakpoint
CREATE TYPE "public"."entitlement_kind" AS ENUM('content', 'membership', 'credits');--> statement-breakpoint
CREATE TYPE "public"."inbox_status" AS ENUM('received', 'processed', 'failed', 'ignored', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."order_kind" AS ENUM('purchase', 'membership_initial', 'renewal');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('pending', 'paid', 'expired', 'closed', 'review', 'refunded');--> statement-breakpoint
CREATE TYPE "public"."payment_provider" AS ENUM('youzan', 'alipay');--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('paid', 'refunded', 'mismatch');--> statement-breakpoint
CREATE TYPE "public"."product_kind" AS ENUM('one_off', 'membership', 'credit_pack');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('buyer', 'admin');--> statement-breakpoint
CREATE TABLE "agreements" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"product_id" text NOT NULL,
	"external_agreement_no" text NOT NULL,
	"agreement_no" text,
	"alipay_user_id" text,
	"status" "agreement_status" DEFAULT 'pending_sign' NOT NULL,
	"single_amount_fen" integer NOT NULL,
	"period_days" integer NOT NULL,
	"next_charge_date" date,
	"current_period" integer DEFAULT 1 NOT NULL,
	"auto_renew" boolean DEFAULT true NOT NULL,
	"signed_at" timestamp with time zone,
	"unsigned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agreements_amount_positive" CHECK ("agreements"."single_amount_fen" > 0),
	CONSTRAINT "agreements_period_positive" CHECK ("agreements"."period_days" > 0 AND "agreements"."current_period" > 0)
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor_kind" "actor_kind" NOT NULL,
	"actor_user_id" text,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"job" text NOT NULL,
	"status" "billing_run_status" DEFAULT 'running' NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"claimed" integer DEFAULT 0 NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"unknown" integer DEFAULT 0 NOT NULL,
	"postponed" integer DEFAULT 0 NOT NULL,
	"summary" jsonb,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "charge_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"agreement_id" text NOT NULL,
	"order_id" text NOT NULL,
	"period_index" integer NOT NULL,
	"attempt_no" integer NOT NULL,
	"out_trade_no" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"status" charge_attempt_status DEFAULT 'pending' NOT NULL,
	"trade_no" text,
	"error_code" text,
	"error_message" text,
	"billing_run_id" text,
	"next_retry_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "charge_attempts_amount_positive" CHECK ("charge_attempts"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "deduction_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider" "payment_provider" NOT NULL,
	"api_method" text NOT NULL,
	"agreement_id" text,
	"charge_attempt_id" text,
	"order_id" text,
	"request" jsonb,
	"response" jsonb,
	"http_status" integer,
	"outcome" text NOT NULL,
	"duration_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "entitlements" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"order_id" text NOT NULL,
	"product_id" text NOT NULL,
	"kind" "entitlement_kind" NOT NULL,
	"credits" integer,
	"starts_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "entitlements_kind_fields" CHECK (COALESCE(
        ("entitlements"."kind" = 'credits' AND "entitlements"."credits" > 0)
        OR ("entitlements"."kind" = 'membership' AND "entitlements"."expires_at" IS NOT NULL)
        OR ("entitlements"."kind" = 'content'),
        false))
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"order_no" text NOT NULL,
	"user_id" text NOT NULL,
	"product_id" text NOT NULL,
	"kind" "order_kind" NOT NULL,
	"provider" "payment_provider" NOT NULL,
	"amount_fen" integer NOT NULL,
	"status" "order_status" DEFAULT 'pending' NOT NULL,
	"qr_id" text,
	"qr_url" text,
	"qr_image" text,
	"agreement_id" text,
	"period_index" integer,
	"review_reason" text,
	"expires_at" timestamp with time zone,
	"last_checked_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_amount_positive" CHECK ("orders"."amount_fen" > 0),
	CONSTRAINT "orders_renewal_fields" CHECK (COALESCE(
        ("orders"."kind" = 'purchase') OR ("orders"."agreement_id" IS NOT NULL AND "orders"."period_index" > 0),
        false)),
	CONSTRAINT "orders_paid_at" CHECK ("orders"."status" <> 'paid' OR "orders"."paid_at" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"provider" "payment_provider" NOT NULL,
	"provider_trade_no" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"status" "payment_status" NOT NULL,
	"buyer_ref" text,
	"paid_at" timestamp with time zone,
	"refunded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_amount_nonnegative" CHECK ("payments"."amount_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"kind" "product_kind" NOT NULL,
	"price_fen" integer NOT NULL,
	"period_days" integer,
	"credits" integer,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"description_zh" text NOT NULL,
	"description_en" text NOT NULL,
	"content_zh" text,
	"content_en" text,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_price_positive" CHECK ("products"."price_fen" > 0),
	CONSTRAINT "products_kind_fields" CHECK (COALESCE(
        ("products"."kind" = 'membership' AND "products"."period_days" > 0 AND "products"."credits" IS NULL)
        OR ("products"."kind" = 'credit_pack' AND "products"."credits" > 0 AND "products"."period_days" IS NULL)
        OR ("products"."kind" = 'one_off' AND "products"."period_days" IS NULL AND "products"."credits" IS NULL),
        false))
);
--> statement-breakpoint
CREATE TABLE "sandbox"."clock" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"offset_ms" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "clock_single_row" CHECK ("sandbox"."clock"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "signin_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"ip" text NOT NULL,
	"succeeded" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"password_hash" text NOT NULL,
	"role" "user_role" DEFAULT 'buyer' NOT NULL,
	"locale" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_lowercase" CHECK ("users"."email" = lower("users"."email"))
);
--> statement-breakpoint
CREATE TABLE "webhook_inbox" (
	"id" text PRIMARY KEY NOT NULL,
	"provider" "payment_provider" NOT NULL,
	"event_key" text,
	"event_type" text,
	"signature_valid" boolean NOT NULL,
	"headers" jsonb,
	"body" text NOT NULL,
	"status" "inbox_status" DEFAULT 'received' NOT NULL,
	"outcome" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"deliveries" integer DEFAULT 1 NOT NULL,
	"last_error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "charge_attempts" ADD CONSTRAINT "charge_attempts_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "charge_attempts" ADD CONSTRAINT "charge_attempts_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "charge_attempts" ADD CONSTRAINT "charge_attempts_billing_run_id_billing_runs_id_fk" FOREIGN KEY ("billing_run_id") REFERENCES "public"."billing_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deduction_logs" ADD CONSTRAINT "deduction_logs_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deduction_logs" ADD CONSTRAINT "deduction_logs_charge_attempt_id_charge_attempts_id_fk" FOREIGN KEY ("charge_attempt_id") REFERENCES "public"."charge_attempts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deduction_logs" ADD CONSTRAINT "deduction_logs_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_external_no_uq" ON "agreements" USING btree ("external_agreement_no");--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_agreement_no_uq" ON "agreements" USING btree ("agreement_no");--> statement-breakpoint
CREATE INDEX "agreements_due_idx" ON "agreements" USING btree ("status","next_charge_date");--> statement-breakpoint
CREATE INDEX "agreements_user_idx" ON "agreements" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "audit_log_created_idx" ON "audit_log" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "billing_runs_job_idx" ON "billing_runs" USING btree ("job","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "charge_attempts_out_trade_no_uq" ON "charge_attempts" USING btree ("out_trade_no");--> statement-breakpoint
CREATE UNIQUE INDEX "charge_attempts_period_attempt_uq" ON "charge_attempts" USING btree ("agreement_id","period_index","attempt_no");--> statement-breakpoint
CREATE UNIQUE INDEX "charge_attempts_period_succeeded_uq" ON "charge_attempts" USING btree ("agreement_id","period_index") WHERE "charge_attempts"."status" = 'succeeded';--> statement-breakpoint
CREATE INDEX "charge_attempts_status_idx" ON "charge_attempts" USING btree ("status","next_retry_at");--> statement-breakpoint
CREATE INDEX "deduction_logs_agreement_idx" ON "deduction_logs" USING btree ("agreement_id","created_at");--> statement-breakpoint
CREATE INDEX "deduction_logs_attempt_idx" ON "deduction_logs" USING btree ("charge_attempt_id");--> statement-breakpoint
CREATE UNIQUE INDEX "entitlements_order_uq" ON "entitlements" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "entitlements_user_idx" ON "entitlements" USING btree ("user_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_order_no_uq" ON "orders" USING btree ("order_no");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_qr_id_uq" ON "orders" USING btree ("qr_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_agreement_period_uq" ON "orders" USING btree ("agreement_id","period_index");--> statement-breakpoint
CREATE INDEX "orders_user_idx" ON "orders" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_status_idx" ON "orders" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_provider_trade_uq" ON "payments" USING btree ("provider","provider_trade_no");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_order_paid_uq" ON "payments" USING btree ("order_id") WHERE "payments"."status" = 'paid';--> statement-breakpoint
CREATE UNIQUE INDEX "products_slug_uq" ON "products" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "signin_attempts_email_idx" ON "signin_attempts" USING btree ("email","created_at");--> statement-breakpoint
CREATE INDEX "signin_attempts_ip_idx" ON "signin_attempts" USING btree ("ip","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_uq" ON "users" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_inbox_event_uq" ON "webhook_inbox" USING btree ("provider","event_key");--> statement-breakpoint
CREATE INDEX "webhook_inbox_status_idx" ON "webhook_inbox" USING btree ("status","received_at");