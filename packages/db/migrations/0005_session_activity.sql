ALTER TABLE "session" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "app_user" ADD COLUMN "last_workspace_id" text;--> statement-breakpoint
ALTER TABLE "app_user" ADD CONSTRAINT "app_user_last_workspace_id_workspace_id_fk" FOREIGN KEY ("last_workspace_id") REFERENCES "public"."workspace"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "session_expires_idx" ON "session" USING btree ("expires_at");