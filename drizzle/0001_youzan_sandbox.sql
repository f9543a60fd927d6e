CREATE TABLE "sandbox"."youzan_api_calls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"api" text NOT NULL,
	"version" text NOT NULL,
	"qr_id" text,
	"outcome" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."youzan_pushes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"msg_id" text,
	"type" text NOT NULL,
	"tid" text,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"send_count" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_result" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."youzan_qr_codes" (
	"qr_id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sandbox"."youzan_qr_codes_qr_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1000001 CACHE 1),
	"kdt_id" text NOT NULL,
	"qr_type" text NOT NULL,
	"qr_name" text NOT NULL,
	"qr_price_fen" integer,
	"qr_source" text,
	"label_ids" text,
	"qr_url" text NOT NULL,
	"qr_code" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."youzan_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"faults" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"push_url" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."youzan_tokens" (
	"token" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"kdt_id" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sandbox"."youzan_trades" (
	"tid" text PRIMARY KEY NOT NULL,
	"qr_id" integer NOT NULL,
	"kdt_id" text NOT NULL,
	"status" text NOT NULL,
	"order_status" text NOT NULL,
	"close_type" integer DEFAULT 0 NOT NULL,
	"real_price_fen" integer,
	"pay_type" text,
	"payer_nick" text,
	"created_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"success_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"visible_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "youzan_api_calls_api_idx" ON "sandbox"."youzan_api_calls" USING btree ("api","created_at");--> statement-breakpoint
CREATE INDEX "youzan_pushes_due_idx" ON "sandbox"."youzan_pushes" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "youzan_trades_qr_idx" ON "sandbox"."youzan_trades" USING btree ("qr_id","created_at");