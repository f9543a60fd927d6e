CREATE TABLE "notice_settings" (
	"kind" text PRIMARY KEY NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notice_unsubscribes" (
	"user_id" text NOT NULL,
	"category" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notice_unsubscribes_pk" PRIMARY KEY("user_id","category"),
	CONSTRAINT "notice_unsubscribes_category" CHECK ("notice_unsubscribes"."category" in ('reminders'))
);
--> statement-breakpoint
CREATE TABLE "notices" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"channel" text DEFAULT 'email' NOT NULL,
	"event_key" text NOT NULL,
	"recipient" text NOT NULL,
	"user_id" text,
	"locale" text DEFAULT 'zh-CN' NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone,
	"last_error" text,
	"skip_reason" text,
	"subject" text,
	"message_id" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notices_kind" CHECK ("notices"."kind" in ('receipt', 'membership_started', 'renewal_reminder', 'renewal_succeeded', 'renewal_failed', 'membership_lapsed', 'auto_renew_cancelled', 'refund', 'password_reset', 'owner_new_order', 'owner_digest')),
	CONSTRAINT "notices_status" CHECK ("notices"."status" in ('pending', 'sent', 'dead', 'skipped')),
	CONSTRAINT "notices_channel" CHECK ("notices"."channel" in ('email', 'dingtalk')),
	CONSTRAINT "notices_locale" CHECK ("notices"."locale" in ('zh-CN', 'en')),
	CONSTRAINT "notices_attempts" CHECK ("notices"."attempts" >= 0),
	CONSTRAINT "notices_sent_at" CHECK (("notices"."status" = 'sent') = ("notices"."sent_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "password_reset_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "password_reset_tokens_hash_hex" CHECK ("password_reset_tokens"."token_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "sandbox"."mail" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"mail_from" text NOT NULL,
	"mail_to" text NOT NULL,
	"subject" text NOT NULL,
	"html" text,
	"text" text NOT NULL,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"raw" text NOT NULL,
	"notice_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notice_settings" ADD CONSTRAINT "notice_settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_unsubscribes" ADD CONSTRAINT "notice_unsubscribes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_reset_tokens" ADD CONSTRAINT "password_reset_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notices_event_recipient_kind_uq" ON "notices" USING btree ("event_key","recipient","kind");--> statement-breakpoint
CREATE INDEX "notices_due_idx" ON "notices" USING btree ("next_attempt_at") WHERE "notices"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "notices_created_idx" ON "notices" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "notices_user_idx" ON "notices" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "password_reset_tokens_hash_uq" ON "password_reset_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "password_reset_tokens_user_idx" ON "password_reset_tokens" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "password_reset_tokens_one_live_uq" ON "password_reset_tokens" USING btree ("user_id") WHERE "password_reset_tokens"."used_at" is null and "password_reset_tokens"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "sandbox_mail_received_idx" ON "sandbox"."mail" USING btree ("received_at","id");--> statement-breakpoint
CREATE INDEX "sandbox_mail_to_idx" ON "sandbox"."mail" USING btree ("mail_to");