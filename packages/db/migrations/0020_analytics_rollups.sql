ALTER TABLE "analytics_daily" ADD COLUMN "latency_sum_ms" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "latency_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "conversation_workspace_created_idx" ON "conversation" USING btree ("workspace_id","created_at");