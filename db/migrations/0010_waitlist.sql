CREATE TABLE "waitlist_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"associated_mock_exam" text NOT NULL,
	"associated_contact_id" text NOT NULL,
	"queue_order" bigint GENERATED ALWAYS AS IDENTITY (sequence name "waitlist_entries_queue_order_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"status" text DEFAULT 'waiting' NOT NULL,
	"auto_book" boolean DEFAULT true NOT NULL,
	"dominant_hand" text,
	"attending_location" text,
	"offered_at" timestamp with time zone,
	"offer_expires_at" timestamp with time zone,
	"booking_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "waitlist_entries_status_valid" CHECK ("status" in ('waiting', 'offered', 'booked', 'left', 'expired')),
	CONSTRAINT "waitlist_entries_offer_has_expiry" CHECK ("waitlist_entries"."status" <> 'offered' or "waitlist_entries"."offer_expires_at" is not null),
	CONSTRAINT "waitlist_entries_booked_has_booking" CHECK ("waitlist_entries"."status" <> 'booked' or "waitlist_entries"."booking_id" is not null)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "waitlist_entries_one_queued_per_contact_exam" ON "waitlist_entries" USING btree ("associated_contact_id","associated_mock_exam") WHERE "waitlist_entries"."status" in ('waiting', 'offered');--> statement-breakpoint
CREATE INDEX "idx_waitlist_exam_queue" ON "waitlist_entries" USING btree ("associated_mock_exam","queue_order") WHERE "waitlist_entries"."status" in ('waiting', 'offered');--> statement-breakpoint
CREATE INDEX "idx_waitlist_contact" ON "waitlist_entries" USING btree ("associated_contact_id");--> statement-breakpoint
CREATE INDEX "idx_waitlist_offer_expiry" ON "waitlist_entries" USING btree ("offer_expires_at") WHERE "waitlist_entries"."status" = 'offered';