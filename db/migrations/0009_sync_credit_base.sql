CREATE TABLE "sync_credit_base" (
	"contact_id" text PRIMARY KEY NOT NULL,
	"base" jsonb NOT NULL,
	"pending" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
