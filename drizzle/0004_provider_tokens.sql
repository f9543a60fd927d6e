CREATE TABLE "provider_tokens" (
	"key" text PRIMARY KEY NOT NULL,
	"token" text,
	"expires_at_ms" bigint,
	"minting_until_ms" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
