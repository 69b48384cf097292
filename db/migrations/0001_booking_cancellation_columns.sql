ALTER TABLE "hubspot_bookings" ADD COLUMN "token_refunded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubspot_bookings" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubspot_bookings" ADD COLUMN "cancellation_reason" text;