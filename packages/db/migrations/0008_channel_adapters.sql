ALTER TABLE "inbound_event" ADD COLUMN "dedupe_key" text;--> statement-breakpoint
ALTER TABLE "contact" ADD COLUMN "unfollowed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "sender_contact_id" text;--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "unsent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "message" ADD CONSTRAINT "message_sender_contact_id_contact_id_fk" FOREIGN KEY ("sender_contact_id") REFERENCES "public"."contact"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_event_source_dedupe_key" ON "inbound_event" USING btree ("source","dedupe_key") WHERE "inbound_event"."dedupe_key" is not null;