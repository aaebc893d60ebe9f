ALTER TABLE "analytics_daily" DROP COLUMN "deflected";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "avg_latency_ms";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "p95_latency_ms";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "feedback_helpful";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "feedback_not_helpful";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "tokens_in";--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP COLUMN "tokens_out";