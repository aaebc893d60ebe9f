DROP INDEX "provider_credential_workspace_kind_key";--> statement-breakpoint
ALTER TABLE "chatbot" ADD COLUMN "credential_id" text;--> statement-breakpoint
ALTER TABLE "provider_credential" ADD COLUMN "name" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Named credentials: the rows from before (one per kind and workspace) are named after their kind.
UPDATE "provider_credential" SET "name" = CASE "kind"
    WHEN 'OPENAI' THEN 'OpenAI'
    WHEN 'GEMINI' THEN 'Google Gemini'
    WHEN 'OPENROUTER' THEN 'OpenRouter'
    WHEN 'OPENAI_COMPATIBLE' THEN 'OpenAI-compatible server'
    ELSE "kind"::text END;--> statement-breakpoint
-- An insert that names no credential (older code paths, scripts) gets its kind's name the same way.
CREATE FUNCTION provider_credential_default_name() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW."name" IS NULL OR NEW."name" = '' THEN
    NEW."name" := CASE NEW."kind"
    WHEN 'OPENAI' THEN 'OpenAI'
    WHEN 'GEMINI' THEN 'Google Gemini'
    WHEN 'OPENROUTER' THEN 'OpenRouter'
    WHEN 'OPENAI_COMPATIBLE' THEN 'OpenAI-compatible server'
    ELSE NEW."kind"::text END;
  END IF;
  RETURN NEW;
END
$fn$;--> statement-breakpoint
CREATE TRIGGER "provider_credential_default_name" BEFORE INSERT ON "provider_credential"
  FOR EACH ROW EXECUTE FUNCTION provider_credential_default_name();--> statement-breakpoint
ALTER TABLE "chatbot" ADD CONSTRAINT "chatbot_credential_id_provider_credential_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."provider_credential"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chatbot_credential_idx" ON "chatbot" USING btree ("credential_id");--> statement-breakpoint
CREATE UNIQUE INDEX "provider_credential_workspace_name_key" ON "provider_credential" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE INDEX "provider_credential_workspace_kind_idx" ON "provider_credential" USING btree ("workspace_id","kind","created_at");