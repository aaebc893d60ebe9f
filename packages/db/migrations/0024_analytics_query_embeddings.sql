CREATE TABLE "analytics_query_embedding" (
	"workspace_id" text NOT NULL,
	"model" text NOT NULL,
	"query_hash" text NOT NULL,
	"embedding" real[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_query_embedding_pkey" PRIMARY KEY("workspace_id","model","query_hash")
);
--> statement-breakpoint
ALTER TABLE "analytics_query_embedding" ADD CONSTRAINT "analytics_query_embedding_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;