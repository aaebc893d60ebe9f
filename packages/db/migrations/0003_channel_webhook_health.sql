ALTER TABLE "channel" ADD COLUMN "last_signature_rejection_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channel" DROP COLUMN "unknown_page_events";