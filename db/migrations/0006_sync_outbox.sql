CREATE TABLE "sync_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text NOT NULL,
	"change" text NOT NULL,
	"payload" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	CONSTRAINT "sync_outbox_object_type_valid" CHECK ("object_type" in ('booking', 'contact', 'exam'))
);
--> statement-breakpoint
CREATE INDEX "sync_outbox_pending" ON "sync_outbox" USING btree ("object_type","object_id","id") WHERE "sync_outbox"."delivered_at" is null;--> statement-breakpoint
CREATE INDEX "sync_outbox_created" ON "sync_outbox" USING btree ("created_at");