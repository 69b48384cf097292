CREATE TABLE "legacy_audit_log" (
	"source_key" text PRIMARY KEY NOT NULL,
	"table_name" text,
	"operation" text,
	"record_id" text,
	"changed_at" timestamp with time zone,
	"row" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hubspot_bookings" ADD COLUMN "hubspot_last_sync_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubspot_contact_credits" ADD COLUMN "hubspot_last_sync_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubspot_mock_exams" ADD COLUMN "hubspot_last_sync_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "idx_legacy_audit_record" ON "legacy_audit_log" USING btree ("table_name","record_id");