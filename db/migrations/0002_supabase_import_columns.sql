ALTER TABLE "hubspot_mock_exams" ADD COLUMN "mock_exam_name" text;--> statement-breakpoint
ALTER TABLE "hubspot_bookings" ADD COLUMN "booking_status" text;--> statement-breakpoint
ALTER TABLE "hubspot_bookings" ADD COLUMN "token_refund_admin" text;--> statement-breakpoint
ALTER TABLE "hubspot_bookings" ADD COLUMN "ndecc_exam_date" text;--> statement-breakpoint
ALTER TABLE "hubspot_contact_credits" ADD COLUMN "ndecc_exam_date" text;