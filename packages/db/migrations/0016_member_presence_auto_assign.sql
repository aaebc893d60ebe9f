ALTER TABLE "member" ADD COLUMN "online_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "member" ADD COLUMN "last_auto_assigned_at" timestamp with time zone;