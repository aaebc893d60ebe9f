ALTER TABLE "shopify_store" ADD COLUMN "refresh_token_encrypted" text;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD COLUMN "refresh_token_expires_at" timestamp with time zone;