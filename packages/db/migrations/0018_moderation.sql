ALTER TYPE "public"."notification_kind" ADD VALUE 'moderation_escalated';--> statement-breakpoint
ALTER TABLE "moderation_flag" ADD COLUMN "review_note" text;--> statement-breakpoint
CREATE UNIQUE INDEX "moderation_flag_automated_key" ON "moderation_flag" USING btree ("message_id","flag_type") WHERE "moderation_flag"."source" = 'automated';