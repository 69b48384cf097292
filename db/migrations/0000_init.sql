CREATE TABLE "hubspot_mock_exams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"hubspot_id" text NOT NULL,
	"mock_type" text NOT NULL,
	"mock_set" text,
	"exam_date" date NOT NULL,
	"start_time" timestamp with time zone,
	"end_time" timestamp with time zone,
	"location" text,
	"capacity" integer DEFAULT 8 NOT NULL,
	"total_bookings" integer DEFAULT 0 NOT NULL,
	"is_active" text DEFAULT 'true' NOT NULL,
	"scheduled_activation_datetime" timestamp with time zone,
	"prerequisite_exam_ids" text[],
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"synced_at" timestamp with time zone,
	CONSTRAINT "hubspot_mock_exams_hubspot_id_unique" UNIQUE("hubspot_id"),
	CONSTRAINT "hubspot_mock_exams_capacity_non_negative" CHECK ("hubspot_mock_exams"."capacity" >= 0),
	CONSTRAINT "hubspot_mock_exams_total_bookings_non_negative" CHECK ("hubspot_mock_exams"."total_bookings" >= 0),
	CONSTRAINT "hubspot_mock_exams_is_active_valid" CHECK ("is_active" in ('true', 'false', 'scheduled')),
	CONSTRAINT "hubspot_mock_exams_scheduled_has_activation" CHECK ("hubspot_mock_exams"."is_active" <> 'scheduled' or "hubspot_mock_exams"."scheduled_activation_datetime" is not null)
);
--> statement-breakpoint
CREATE TABLE "hubspot_bookings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"hubspot_id" text,
	"booking_id" text,
	"idempotency_key" text,
	"associated_contact_id" text NOT NULL,
	"associated_mock_exam" text NOT NULL,
	"student_id" text,
	"name" text,
	"student_email" text,
	"is_active" text DEFAULT 'Active' NOT NULL,
	"exam_date" date,
	"start_time" timestamp with time zone,
	"end_time" timestamp with time zone,
	"mock_type" text,
	"mock_set" text,
	"token_used" text,
	"dominant_hand" text,
	"attending_location" text,
	"attendance" text,
	"token_refunded" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"synced_at" timestamp with time zone,
	CONSTRAINT "hubspot_bookings_hubspot_id_unique" UNIQUE("hubspot_id"),
	CONSTRAINT "hubspot_bookings_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "hubspot_bookings_is_active_valid" CHECK ("is_active" in ('Active', 'Cancelled', 'Completed')),
	CONSTRAINT "hubspot_bookings_attendance_valid" CHECK ("attendance" in ('Yes', 'No', '')),
	CONSTRAINT "hubspot_bookings_token_used_valid" CHECK ("token_used" in ('Situational Judgment Token', 'Clinical Skills Token', 'Mini-mock Token', 'Mock Discussion Token', 'Shared Token', 'Admin Override')),
	CONSTRAINT "hubspot_bookings_refund_only_when_cancelled" CHECK (not "hubspot_bookings"."token_refunded" or "hubspot_bookings"."is_active" = 'Cancelled')
);
--> statement-breakpoint
CREATE TABLE "hubspot_contact_credits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"hubspot_id" text NOT NULL,
	"student_id" text,
	"email" text,
	"firstname" text,
	"lastname" text,
	"student_name" text,
	"sj_credits" integer DEFAULT 0 NOT NULL,
	"cs_credits" integer DEFAULT 0 NOT NULL,
	"sjmini_credits" integer DEFAULT 0 NOT NULL,
	"mock_discussion_token" integer DEFAULT 0 NOT NULL,
	"shared_mock_credits" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"synced_at" timestamp with time zone,
	CONSTRAINT "hubspot_contact_credits_hubspot_id_unique" UNIQUE("hubspot_id"),
	CONSTRAINT "hubspot_contact_credits_non_negative" CHECK ("hubspot_contact_credits"."sj_credits" >= 0 and "hubspot_contact_credits"."cs_credits" >= 0 and "hubspot_contact_credits"."sjmini_credits" >= 0 and "hubspot_contact_credits"."mock_discussion_token" >= 0 and "hubspot_contact_credits"."shared_mock_credits" >= 0)
);
--> statement-breakpoint
CREATE TABLE "sync_metadata" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sync_type" text NOT NULL,
	"last_sync_time" timestamp with time zone,
	"last_modified_time" timestamp with time zone,
	"records_synced" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_metadata_sync_type_unique" UNIQUE("sync_type")
);
--> statement-breakpoint
CREATE INDEX "idx_exams_date" ON "hubspot_mock_exams" USING btree ("exam_date");--> statement-breakpoint
CREATE INDEX "idx_exams_active" ON "hubspot_mock_exams" USING btree ("is_active");--> statement-breakpoint
CREATE INDEX "idx_bookings_contact" ON "hubspot_bookings" USING btree ("associated_contact_id");--> statement-breakpoint
CREATE INDEX "idx_bookings_exam" ON "hubspot_bookings" USING btree ("associated_mock_exam");--> statement-breakpoint
CREATE INDEX "idx_bookings_date" ON "hubspot_bookings" USING btree ("exam_date");--> statement-breakpoint
CREATE UNIQUE INDEX "hubspot_bookings_one_active_per_contact_date_type" ON "hubspot_bookings" USING btree ("associated_contact_id","exam_date","mock_type") WHERE "hubspot_bookings"."is_active" <> 'Cancelled';--> statement-breakpoint
CREATE INDEX "idx_contacts_email" ON "hubspot_contact_credits" USING btree ("email");--> statement-breakpoint
CREATE INDEX "idx_contacts_student" ON "hubspot_contact_credits" USING btree ("student_id");--> statement-breakpoint
CREATE INDEX "idx_contacts_email_lower" ON "hubspot_contact_credits" USING btree (lower("email"));