CREATE TABLE "sandbox"."alipay_agreements" (
	"agreement_no" text PRIMARY KEY NOT NULL,
	"external_agreement_no" text,
	"buyer_user_id" text NOT NULL,
	"personal_product_code" text NOT NULL,
	"product_code" text,
	"sign_scene" text NOT NULL,
	"status" text NOT NULL,
	"period_type" text NOT NULL,
	"period" integer NOT NULL,
	"single_amount_fen" bigint NOT NULL,
	"total_amount_fen" bigint,
	"total_payments" integer,
	"deducted_fen" bigint DEFAULT 0 NOT NULL,
	"deducted_count" integer DEFAULT 0 NOT NULL,
	"next_deduct_date" text NOT NULL,
	"modify_count" integer DEFAULT 0 NOT NULL,
	"last_deduct_time" timestamp with time zone,
	"sign_time" timestamp with time zone NOT NULL,
	"valid_time" timestamp with time zone NOT NULL,
	"invalid_time" timestamp with time zone,
	"unsign_time" timestamp with time zone,
	"source" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."alipay_api_calls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"method" text NOT NULL,
	"outcome" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."alipay_keys" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"app_id" text NOT NULL,
	"app_private_key_pem" text NOT NULL,
	"app_public_key_pem" text NOT NULL,
	"alipay_private_key_pem" text NOT NULL,
	"alipay_public_key_pem" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alipay_keys_single_row" CHECK ("sandbox"."alipay_keys"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "sandbox"."alipay_notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notify_id" text NOT NULL,
	"notify_type" text NOT NULL,
	"target_url" text,
	"params" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"duplicate" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_result" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."alipay_refunds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"trade_no" text NOT NULL,
	"out_request_no" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."alipay_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"faults" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"app_gateway_url" text,
	"buyer_balance_fen" bigint DEFAULT 10000000 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."alipay_trades" (
	"trade_no" text PRIMARY KEY NOT NULL,
	"out_trade_no" text NOT NULL,
	"method" text NOT NULL,
	"agreement_no" text,
	"status" text NOT NULL,
	"total_fen" bigint NOT NULL,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"subject" text NOT NULL,
	"product_code" text,
	"fingerprint" text NOT NULL,
	"notify_url" text,
	"passback_params" text,
	"buyer_user_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "alipay_agreements_external_no_uq" ON "sandbox"."alipay_agreements" USING btree ("external_agreement_no");--> statement-breakpoint
CREATE INDEX "alipay_api_calls_method_idx" ON "sandbox"."alipay_api_calls" USING btree ("method","created_at");--> statement-breakpoint
CREATE INDEX "alipay_notifications_due_idx" ON "sandbox"."alipay_notifications" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE UNIQUE INDEX "alipay_refunds_request_uq" ON "sandbox"."alipay_refunds" USING btree ("trade_no","out_request_no");--> statement-breakpoint
CREATE UNIQUE INDEX "alipay_trades_out_trade_no_uq" ON "sandbox"."alipay_trades" USING btree ("out_trade_no");