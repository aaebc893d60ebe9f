DROP INDEX "job_name_key_key";--> statement-breakpoint
DROP INDEX "job_waiting_idx";--> statement-breakpoint
ALTER TABLE "job" ADD COLUMN "workspace_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "job_name_key_key" ON "job" USING btree ("name",coalesce("workspace_id", ''),"job_key");--> statement-breakpoint
CREATE INDEX "job_waiting_idx" ON "job" USING btree ("name",coalesce("workspace_id", ''),"run_at","id") WHERE "job"."status" = 'waiting';