CREATE TABLE "admin_audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"admin_subject" text NOT NULL,
	"admin_email" text,
	"admin_role" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_ids" text[] NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"reason" text,
	"request_id" text
);
--> statement-breakpoint
CREATE INDEX "idx_admin_audit_at" ON "admin_audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "idx_admin_audit_admin" ON "admin_audit_log" USING btree ("admin_subject","at");--> statement-breakpoint
CREATE INDEX "idx_admin_audit_targets" ON "admin_audit_log" USING gin ("target_ids");