CREATE TYPE "public"."shopify_auth_method" AS ENUM('access_token', 'client_credentials', 'oauth');--> statement-breakpoint
CREATE TABLE "shopify_webhook_event" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"store_id" text NOT NULL,
	"webhook_id" text NOT NULL,
	"topic" text NOT NULL,
	"triggered_at" timestamp with time zone,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "product_cards" jsonb;--> statement-breakpoint
ALTER TABLE "product" ADD COLUMN "image_url" text;--> statement-breakpoint
ALTER TABLE "product" ADD COLUMN "total_inventory" integer;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "auth_method" "shopify_auth_method" DEFAULT 'access_token' NOT NULL;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "access_token_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "client_id" text;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "client_secret_encrypted" text;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "scopes" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "webhook_subscriptions" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "webhook_error" text;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "status_reason" text;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "sync_state" jsonb DEFAULT '{"state":"idle","kind":null,"mode":null,"done":0,"total":null,"startedAt":null,"finishedAt":null,"error":null}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "disconnected_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shopify_webhook_event" ADD CONSTRAINT "shopify_webhook_event_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shopify_webhook_event" ADD CONSTRAINT "shopify_webhook_event_store_id_shopify_store_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."shopify_store"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "shopify_webhook_event_store_webhook_key" ON "shopify_webhook_event" USING btree ("store_id","webhook_id");--> statement-breakpoint
CREATE INDEX "shopify_webhook_event_received_idx" ON "shopify_webhook_event" USING btree ("created_at");