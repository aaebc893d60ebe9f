CREATE TYPE "public"."chatbot_error_kind" AS ENUM('generation', 'send', 'retrieval', 'embedding');--> statement-breakpoint
CREATE TABLE "chatbot_error" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"chatbot_id" text,
	"kind" "chatbot_error_kind" NOT NULL,
	"code" text NOT NULL,
	"message" text,
	"provider" "provider_kind",
	"model" text,
	"channel_id" text,
	"conversation_id" text,
	"message_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chatbot_error" ADD CONSTRAINT "chatbot_error_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chatbot_error" ADD CONSTRAINT "chatbot_error_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chatbot_error_chatbot_created_idx" ON "chatbot_error" USING btree ("chatbot_id","created_at");--> statement-breakpoint
CREATE INDEX "chatbot_error_created_idx" ON "chatbot_error" USING btree ("created_at");