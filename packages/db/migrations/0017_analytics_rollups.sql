CREATE INDEX "conversation_workspace_created_idx" ON "conversation" USING btree ("workspace_id","created_at");--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "deflected";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "avg_latency_ms";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "p95_latency_ms";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "feedback_helpful";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "feedback_not_helpful";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "tokens_in";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "tokens_out";--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "latency_sum_ms" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "latency_count" integer DEFAULT 0 NOT NULL;