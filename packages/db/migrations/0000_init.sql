CREATE TYPE "public"."member_role" AS ENUM('OWNER', 'ADMIN', 'AGENT');--> statement-breakpoint
CREATE TYPE "public"."provider_kind" AS ENUM('OPENAI', 'GEMINI', 'OPENROUTER', 'OPENAI_COMPATIBLE', 'OFFLINE');--> statement-breakpoint
CREATE TYPE "public"."chatbot_status" AS ENUM('active', 'inactive', 'testing');--> statement-breakpoint
CREATE TYPE "public"."prompt_generation_status" AS ENUM('pending', 'processing', 'completed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."prompt_method" AS ENUM('manual', 'ai_generated', 'rollback');--> statement-breakpoint
CREATE TYPE "public"."channel_status" AS ENUM('active', 'reconnect_needed', 'disconnected', 'error');--> statement-breakpoint
CREATE TYPE "public"."channel_type" AS ENUM('messenger', 'line', 'web', 'api');--> statement-breakpoint
CREATE TYPE "public"."data_deletion_status" AS ENUM('pending', 'completed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."inbound_event_status" AS ENUM('pending', 'processing', 'processed', 'failed', 'ignored');--> statement-breakpoint
CREATE TYPE "public"."conversation_status" AS ENUM('OPEN', 'SNOOZED', 'CLOSED');--> statement-breakpoint
CREATE TYPE "public"."message_kind" AS ENUM('text', 'attachment', 'note', 'event');--> statement-breakpoint
CREATE TYPE "public"."message_role" AS ENUM('USER', 'AGENT', 'BOT', 'SYSTEM');--> statement-breakpoint
CREATE TYPE "public"."message_status" AS ENUM('received', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'draft');--> statement-breakpoint
CREATE TYPE "public"."knowledge_source_type" AS ENUM('document', 'faq', 'shopify', 'url', 'text');--> statement-breakpoint
CREATE TYPE "public"."knowledge_status" AS ENUM('pending', 'processing', 'ready', 'failed');--> statement-breakpoint
CREATE TYPE "public"."shopify_store_status" AS ENUM('active', 'syncing', 'error', 'disconnected');--> statement-breakpoint
CREATE TYPE "public"."feedback_rating" AS ENUM('helpful', 'not_helpful', 'inappropriate');--> statement-breakpoint
CREATE TYPE "public"."moderation_decision" AS ENUM('approved', 'removed', 'escalated');--> statement-breakpoint
CREATE TYPE "public"."moderation_source" AS ENUM('automated', 'member');--> statement-breakpoint
CREATE TYPE "public"."audit_actor_type" AS ENUM('user', 'token', 'system');--> statement-breakpoint
CREATE TYPE "public"."job_status" AS ENUM('waiting', 'active', 'completed', 'failed');--> statement-breakpoint
CREATE TABLE "api_token" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"hint" text NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitation" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"email" text NOT NULL,
	"role" "member_role" DEFAULT 'AGENT' NOT NULL,
	"token_hash" text NOT NULL,
	"invited_by_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" "member_role" DEFAULT 'AGENT' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" text NOT NULL,
	"workspace_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"ip" text,
	"user_agent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_user" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"password_hash" text,
	"last_seen_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workspace" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider_credential" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"kind" "provider_kind" NOT NULL,
	"api_key_encrypted" text,
	"key_hint" text,
	"base_url" text,
	"default_model" text,
	"embedding_model" text,
	"extra_headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_test_status" text,
	"last_test_error" text,
	"last_tested_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chatbot_translation" (
	"id" text PRIMARY KEY NOT NULL,
	"chatbot_id" text NOT NULL,
	"language_code" text NOT NULL,
	"translations" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"system_prompt" text,
	"welcome_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chatbot" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" "chatbot_status" DEFAULT 'testing' NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"provider_kind" "provider_kind" DEFAULT 'OFFLINE' NOT NULL,
	"model" text,
	"temperature" real DEFAULT 0.3 NOT NULL,
	"max_tokens" integer DEFAULT 512 NOT NULL,
	"timeout_ms" integer DEFAULT 30000 NOT NULL,
	"system_prompt" text DEFAULT '' NOT NULL,
	"current_prompt_version_id" text,
	"prompt_variables" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"welcome_message" text,
	"language" text DEFAULT 'en' NOT NULL,
	"guardrails" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"memory_settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"knowledge_filters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"faq_entries" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"widget_config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"api_key_hash" text,
	"api_key_hint" text,
	"created_by_id" text,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "playground_session" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"chatbot_id" text NOT NULL,
	"user_id" text,
	"overrides" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"conversation_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"ended_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prompt_generation_job" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"chatbot_id" text NOT NULL,
	"requested_by_id" text,
	"status" "prompt_generation_status" DEFAULT 'pending' NOT NULL,
	"input_files" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"context" text,
	"tone" text,
	"instructions" text,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"generated_prompt" text,
	"error" text,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prompt_version" (
	"id" text PRIMARY KEY NOT NULL,
	"chatbot_id" text NOT NULL,
	"version" integer NOT NULL,
	"text" text NOT NULL,
	"author_id" text,
	"method" "prompt_method" DEFAULT 'manual' NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"chatbot_id" text,
	"type" "channel_type" NOT NULL,
	"name" text NOT NULL,
	"external_id" text,
	"secrets_encrypted" text,
	"secret_hints" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" "channel_status" DEFAULT 'active' NOT NULL,
	"status_reason" text,
	"subscribed" boolean DEFAULT false NOT NULL,
	"subscribed_fields" text[] DEFAULT '{}'::text[] NOT NULL,
	"last_event_at" timestamp with time zone,
	"events_received" integer DEFAULT 0 NOT NULL,
	"events_failed" integer DEFAULT 0 NOT NULL,
	"signature_rejections" integer DEFAULT 0 NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"unknown_page_events" integer DEFAULT 0 NOT NULL,
	"disconnected_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "data_deletion_request" (
	"id" text PRIMARY KEY NOT NULL,
	"platform" "channel_type" NOT NULL,
	"platform_user_id" text NOT NULL,
	"confirmation_code" text NOT NULL,
	"status" "data_deletion_status" DEFAULT 'pending' NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "inbound_event" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text,
	"workspace_id" text,
	"source" "channel_type" NOT NULL,
	"external_id" text,
	"payload" jsonb NOT NULL,
	"signature_ok" boolean NOT NULL,
	"status" "inbound_event_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "contact" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"platform_user_id" text NOT NULL,
	"name" text,
	"first_name" text,
	"last_name" text,
	"locale" text,
	"timezone" text,
	"picture_url" text,
	"email" text,
	"phone" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"profile_fetched_at" timestamp with time zone,
	"erased_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversation" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text,
	"chatbot_id" text,
	"contact_id" text,
	"status" "conversation_status" DEFAULT 'OPEN' NOT NULL,
	"snoozed_until" timestamp with time zone,
	"auto_bot" boolean DEFAULT true NOT NULL,
	"needs_human" boolean DEFAULT false NOT NULL,
	"assignee_id" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"notes" text,
	"unread_count" integer DEFAULT 0 NOT NULL,
	"last_message_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_message_preview" text,
	"last_inbound_at" timestamp with time zone,
	"summary" text,
	"summary_message_count" integer DEFAULT 0 NOT NULL,
	"consecutive_bot_replies" integer DEFAULT 0 NOT NULL,
	"handoff_at" timestamp with time zone,
	"handoff_reason" text,
	"human_replied_at" timestamp with time zone,
	"is_playground" boolean DEFAULT false NOT NULL,
	"external_session_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversation_channel_contact_check" CHECK ("conversation"."is_playground" or ("conversation"."channel_id" is not null and "conversation"."contact_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "message" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"conversation_id" text NOT NULL,
	"channel_id" text,
	"role" "message_role" NOT NULL,
	"kind" "message_kind" DEFAULT 'text' NOT NULL,
	"text" text,
	"attachments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"payload" text,
	"status" "message_status" NOT NULL,
	"platform_message_id" text,
	"author_member_id" text,
	"sent_from_outside" boolean DEFAULT false NOT NULL,
	"reply_to_id" text,
	"provider" "provider_kind",
	"model" text,
	"usage" jsonb,
	"latency_ms" integer,
	"prompt_version_id" text,
	"retrieved_sources" jsonb,
	"error_code" text,
	"error_message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"reactions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"flagged" boolean DEFAULT false NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', coalesce("text", ''))) STORED,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chunk" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"document_id" text NOT NULL,
	"source_id" text NOT NULL,
	"chatbot_id" text,
	"ordinal" integer NOT NULL,
	"content" text NOT NULL,
	"token_count" integer DEFAULT 0 NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', "content")) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"source_id" text NOT NULL,
	"product_id" text,
	"title" text NOT NULL,
	"mime_type" text,
	"category" text,
	"document_type" text,
	"language" text,
	"content" text DEFAULT '' NOT NULL,
	"checksum" text,
	"size_bytes" integer DEFAULT 0 NOT NULL,
	"status" "knowledge_status" DEFAULT 'pending' NOT NULL,
	"error" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "knowledge_source" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"chatbot_id" text,
	"shopify_store_id" text,
	"type" "knowledge_source_type" NOT NULL,
	"name" text NOT NULL,
	"category" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" "knowledge_status" DEFAULT 'pending' NOT NULL,
	"last_synced_at" timestamp with time zone,
	"error" text,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "product" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"store_id" text NOT NULL,
	"platform_id" text NOT NULL,
	"handle" text,
	"title" text NOT NULL,
	"description" text,
	"vendor" text,
	"product_type" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text,
	"url" text,
	"price_min" numeric(14, 4),
	"price_max" numeric(14, 4),
	"currency" text,
	"available" boolean DEFAULT true NOT NULL,
	"variants" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"raw" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at_platform" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shopify_store" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"shop_domain" text NOT NULL,
	"access_token_encrypted" text NOT NULL,
	"access_token_hint" text,
	"webhook_secret_encrypted" text,
	"name" text,
	"currency" text,
	"primary_domain_url" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" "shopify_store_status" DEFAULT 'active' NOT NULL,
	"last_synced_at" timestamp with time zone,
	"sync_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"message_id" text NOT NULL,
	"conversation_id" text NOT NULL,
	"rating" "feedback_rating" NOT NULL,
	"comment" text,
	"identifier" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "moderation_flag" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"message_id" text NOT NULL,
	"conversation_id" text NOT NULL,
	"flag_type" text NOT NULL,
	"source" "moderation_source" NOT NULL,
	"flagged_by_member_id" text,
	"reason" text,
	"confidence" real,
	"reviewed" boolean DEFAULT false NOT NULL,
	"reviewed_by_id" text,
	"decision" "moderation_decision",
	"reviewed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"actor_type" "audit_actor_type" NOT NULL,
	"actor_user_id" text,
	"actor_token_id" text,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text,
	"before" jsonb,
	"after" jsonb,
	"ip" text,
	"user_agent" text,
	"request_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_daily" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"chatbot_id" text,
	"channel_type" "channel_type" NOT NULL,
	"date" date NOT NULL,
	"conversations" integer DEFAULT 0 NOT NULL,
	"messages_in" integer DEFAULT 0 NOT NULL,
	"messages_out_bot" integer DEFAULT 0 NOT NULL,
	"messages_out_agent" integer DEFAULT 0 NOT NULL,
	"unique_contacts" integer DEFAULT 0 NOT NULL,
	"handoffs" integer DEFAULT 0 NOT NULL,
	"failed_generations" integer DEFAULT 0 NOT NULL,
	"deflected" integer DEFAULT 0 NOT NULL,
	"avg_latency_ms" integer,
	"p95_latency_ms" integer,
	"feedback_helpful" integer DEFAULT 0 NOT NULL,
	"feedback_not_helpful" integer DEFAULT 0 NOT NULL,
	"tokens_in" bigint DEFAULT 0 NOT NULL,
	"tokens_out" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_daily_key" UNIQUE NULLS NOT DISTINCT("workspace_id","chatbot_id","channel_type","date")
);
--> statement-breakpoint
CREATE TABLE "job" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"job_key" text,
	"payload" jsonb NOT NULL,
	"status" "job_status" DEFAULT 'waiting' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 1 NOT NULL,
	"stalls" integer DEFAULT 0 NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_at" timestamp with time zone,
	"locked_by" text,
	"lease_expires_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_user_id_app_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."app_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_invited_by_id_app_user_id_fk" FOREIGN KEY ("invited_by_id") REFERENCES "public"."app_user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member" ADD CONSTRAINT "member_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member" ADD CONSTRAINT "member_user_id_app_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."app_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_user_id_app_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."app_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_credential" ADD CONSTRAINT "provider_credential_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chatbot_translation" ADD CONSTRAINT "chatbot_translation_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chatbot" ADD CONSTRAINT "chatbot_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chatbot" ADD CONSTRAINT "chatbot_current_prompt_version_id_prompt_version_id_fk" FOREIGN KEY ("current_prompt_version_id") REFERENCES "public"."prompt_version"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chatbot" ADD CONSTRAINT "chatbot_created_by_id_app_user_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."app_user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playground_session" ADD CONSTRAINT "playground_session_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playground_session" ADD CONSTRAINT "playground_session_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playground_session" ADD CONSTRAINT "playground_session_user_id_app_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."app_user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playground_session" ADD CONSTRAINT "playground_session_conversation_id_conversation_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversation"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_generation_job" ADD CONSTRAINT "prompt_generation_job_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_generation_job" ADD CONSTRAINT "prompt_generation_job_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_generation_job" ADD CONSTRAINT "prompt_generation_job_requested_by_id_app_user_id_fk" FOREIGN KEY ("requested_by_id") REFERENCES "public"."app_user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_version" ADD CONSTRAINT "prompt_version_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_version" ADD CONSTRAINT "prompt_version_author_id_app_user_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."app_user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel" ADD CONSTRAINT "channel_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel" ADD CONSTRAINT "channel_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_event" ADD CONSTRAINT "inbound_event_channel_id_channel_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channel"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_event" ADD CONSTRAINT "inbound_event_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact" ADD CONSTRAINT "contact_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact" ADD CONSTRAINT "contact_channel_id_channel_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channel"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation" ADD CONSTRAINT "conversation_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation" ADD CONSTRAINT "conversation_channel_id_channel_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channel"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation" ADD CONSTRAINT "conversation_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation" ADD CONSTRAINT "conversation_contact_id_contact_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contact"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation" ADD CONSTRAINT "conversation_assignee_id_member_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."member"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message" ADD CONSTRAINT "message_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message" ADD CONSTRAINT "message_conversation_id_conversation_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message" ADD CONSTRAINT "message_channel_id_channel_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channel"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message" ADD CONSTRAINT "message_author_member_id_member_id_fk" FOREIGN KEY ("author_member_id") REFERENCES "public"."member"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message" ADD CONSTRAINT "message_reply_to_id_message_id_fk" FOREIGN KEY ("reply_to_id") REFERENCES "public"."message"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message" ADD CONSTRAINT "message_prompt_version_id_prompt_version_id_fk" FOREIGN KEY ("prompt_version_id") REFERENCES "public"."prompt_version"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chunk" ADD CONSTRAINT "chunk_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chunk" ADD CONSTRAINT "chunk_document_id_document_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."document"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chunk" ADD CONSTRAINT "chunk_source_id_knowledge_source_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."knowledge_source"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chunk" ADD CONSTRAINT "chunk_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document" ADD CONSTRAINT "document_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document" ADD CONSTRAINT "document_source_id_knowledge_source_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."knowledge_source"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document" ADD CONSTRAINT "document_product_id_product_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."product"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_source" ADD CONSTRAINT "knowledge_source_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_source" ADD CONSTRAINT "knowledge_source_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_source" ADD CONSTRAINT "knowledge_source_shopify_store_id_shopify_store_id_fk" FOREIGN KEY ("shopify_store_id") REFERENCES "public"."shopify_store"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product" ADD CONSTRAINT "product_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product" ADD CONSTRAINT "product_store_id_shopify_store_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."shopify_store"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shopify_store" ADD CONSTRAINT "shopify_store_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_message_id_message_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."message"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_conversation_id_conversation_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_flag" ADD CONSTRAINT "moderation_flag_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_flag" ADD CONSTRAINT "moderation_flag_message_id_message_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."message"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_flag" ADD CONSTRAINT "moderation_flag_conversation_id_conversation_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_flag" ADD CONSTRAINT "moderation_flag_flagged_by_member_id_member_id_fk" FOREIGN KEY ("flagged_by_member_id") REFERENCES "public"."member"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_flag" ADD CONSTRAINT "moderation_flag_reviewed_by_id_app_user_id_fk" FOREIGN KEY ("reviewed_by_id") REFERENCES "public"."app_user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_user_id_app_user_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."app_user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_token_id_api_token_id_fk" FOREIGN KEY ("actor_token_id") REFERENCES "public"."api_token"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD CONSTRAINT "analytics_daily_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD CONSTRAINT "analytics_daily_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_token_hash_key" ON "api_token" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_token_workspace_user_idx" ON "api_token" USING btree ("workspace_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invitation_token_hash_key" ON "invitation" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "invitation_workspace_idx" ON "invitation" USING btree ("workspace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invitation_pending_email_key" ON "invitation" USING btree ("workspace_id",lower("email")) WHERE "invitation"."accepted_at" is null and "invitation"."revoked_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "member_workspace_user_key" ON "member" USING btree ("workspace_id","user_id");--> statement-breakpoint
CREATE INDEX "member_user_idx" ON "member" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "session_token_hash_key" ON "session" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "session_user_idx" ON "session" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "app_user_email_key" ON "app_user" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "provider_credential_workspace_kind_key" ON "provider_credential" USING btree ("workspace_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "chatbot_translation_chatbot_language_key" ON "chatbot_translation" USING btree ("chatbot_id","language_code");--> statement-breakpoint
CREATE INDEX "chatbot_workspace_idx" ON "chatbot" USING btree ("workspace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "chatbot_api_key_hash_key" ON "chatbot" USING btree ("api_key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "chatbot_default_per_workspace_key" ON "chatbot" USING btree ("workspace_id") WHERE "chatbot"."is_default" and "chatbot"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "playground_session_chatbot_idx" ON "playground_session" USING btree ("chatbot_id");--> statement-breakpoint
CREATE INDEX "prompt_generation_job_chatbot_idx" ON "prompt_generation_job" USING btree ("chatbot_id","created_at");--> statement-breakpoint
CREATE INDEX "prompt_generation_job_status_idx" ON "prompt_generation_job" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "prompt_version_chatbot_version_key" ON "prompt_version" USING btree ("chatbot_id","version");--> statement-breakpoint
CREATE INDEX "channel_workspace_idx" ON "channel" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "channel_chatbot_idx" ON "channel" USING btree ("chatbot_id");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_type_external_id_key" ON "channel" USING btree ("type","external_id") WHERE "channel"."external_id" is not null and "channel"."disconnected_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "data_deletion_request_confirmation_code_key" ON "data_deletion_request" USING btree ("confirmation_code");--> statement-breakpoint
CREATE INDEX "data_deletion_request_user_idx" ON "data_deletion_request" USING btree ("platform","platform_user_id");--> statement-breakpoint
CREATE INDEX "inbound_event_status_received_idx" ON "inbound_event" USING btree ("status","received_at");--> statement-breakpoint
CREATE INDEX "inbound_event_channel_received_idx" ON "inbound_event" USING btree ("channel_id","received_at");--> statement-breakpoint
CREATE INDEX "inbound_event_workspace_received_idx" ON "inbound_event" USING btree ("workspace_id","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "contact_channel_platform_user_key" ON "contact" USING btree ("channel_id","platform_user_id");--> statement-breakpoint
CREATE INDEX "contact_workspace_idx" ON "contact" USING btree ("workspace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "conversation_channel_contact_key" ON "conversation" USING btree ("channel_id","contact_id") WHERE not "conversation"."is_playground";--> statement-breakpoint
CREATE INDEX "conversation_inbox_idx" ON "conversation" USING btree ("workspace_id","last_message_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "conversation_status_idx" ON "conversation" USING btree ("workspace_id","status","last_message_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "conversation_assignee_idx" ON "conversation" USING btree ("workspace_id","assignee_id");--> statement-breakpoint
CREATE INDEX "conversation_tags_idx" ON "conversation" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "conversation_contact_idx" ON "conversation" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "conversation_chatbot_idx" ON "conversation" USING btree ("chatbot_id");--> statement-breakpoint
CREATE UNIQUE INDEX "message_channel_platform_id_key" ON "message" USING btree ("channel_id","platform_message_id");--> statement-breakpoint
CREATE INDEX "message_conversation_created_idx" ON "message" USING btree ("conversation_id","created_at","id");--> statement-breakpoint
CREATE INDEX "message_workspace_created_idx" ON "message" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE INDEX "message_search_idx" ON "message" USING gin ("search");--> statement-breakpoint
CREATE UNIQUE INDEX "chunk_document_ordinal_key" ON "chunk" USING btree ("document_id","ordinal");--> statement-breakpoint
CREATE INDEX "chunk_workspace_source_idx" ON "chunk" USING btree ("workspace_id","source_id");--> statement-breakpoint
CREATE INDEX "chunk_search_idx" ON "chunk" USING gin ("search");--> statement-breakpoint
CREATE INDEX "document_workspace_idx" ON "document" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "document_source_idx" ON "document" USING btree ("source_id");--> statement-breakpoint
CREATE UNIQUE INDEX "document_source_product_key" ON "document" USING btree ("source_id","product_id") WHERE "document"."product_id" is not null;--> statement-breakpoint
CREATE INDEX "knowledge_source_workspace_idx" ON "knowledge_source" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "knowledge_source_chatbot_idx" ON "knowledge_source" USING btree ("chatbot_id");--> statement-breakpoint
CREATE UNIQUE INDEX "product_store_platform_id_key" ON "product" USING btree ("store_id","platform_id");--> statement-breakpoint
CREATE INDEX "product_workspace_idx" ON "product" USING btree ("workspace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "shopify_store_workspace_domain_key" ON "shopify_store" USING btree ("workspace_id","shop_domain");--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_message_identifier_key" ON "feedback" USING btree ("message_id","identifier");--> statement-breakpoint
CREATE INDEX "feedback_workspace_created_idx" ON "feedback" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE INDEX "moderation_flag_queue_idx" ON "moderation_flag" USING btree ("workspace_id","reviewed","created_at");--> statement-breakpoint
CREATE INDEX "moderation_flag_message_idx" ON "moderation_flag" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "audit_log_workspace_created_idx" ON "audit_log" USING btree ("workspace_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("workspace_id","entity_type","entity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "job_name_key_key" ON "job" USING btree ("name","job_key");--> statement-breakpoint
CREATE INDEX "job_status_run_at_idx" ON "job" USING btree ("status","run_at");--> statement-breakpoint
CREATE INDEX "job_lease_idx" ON "job" USING btree ("lease_expires_at") WHERE "job"."status" = 'active';--> statement-breakpoint
-- pgvector is optional (Debian's PostgreSQL has no package for it): the extension and the
-- embedding table are created only where the server offers it; full-text search works without.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS vector;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pgvector is available but this role cannot create it: embeddings disabled';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
    EXECUTE $ddl$CREATE TABLE "chunk_embedding" (
	"chunk_id" text NOT NULL,
	"workspace_id" text NOT NULL,
	"model" text NOT NULL,
	"dimensions" integer NOT NULL,
	"embedding" vector NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chunk_embedding_pkey" PRIMARY KEY("chunk_id","model")
)$ddl$;
    EXECUTE $ddl$ALTER TABLE "chunk_embedding" ADD CONSTRAINT "chunk_embedding_chunk_id_chunk_id_fk" FOREIGN KEY ("chunk_id") REFERENCES "public"."chunk"("id") ON DELETE cascade ON UPDATE no action$ddl$;
    EXECUTE $ddl$ALTER TABLE "chunk_embedding" ADD CONSTRAINT "chunk_embedding_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action$ddl$;
    EXECUTE $ddl$CREATE INDEX "chunk_embedding_workspace_model_idx" ON "chunk_embedding" USING btree ("workspace_id","model")$ddl$;
  END IF;
END $$;
