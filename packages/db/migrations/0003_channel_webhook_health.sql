ALTER TABLE "channel" ADD COLUMN "last_signature_rejection_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contact" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channel" DROP COLUMN "unknown_page_events";--> statement-breakpoint
-- Every chatbot gets a current prompt version (its prompt as stored; empty = the default template),
-- so bot messages always name the prompt they were written with.
WITH missing AS (
  SELECT c.id, c.system_prompt, c.created_by_id,
    'pv_' || upper(substr(md5(random()::text || c.id), 1, 26)) AS version_id
  FROM "chatbot" c WHERE c.current_prompt_version_id IS NULL
), inserted AS (
  INSERT INTO "prompt_version" (id, chatbot_id, version, text, author_id, method, metadata)
  SELECT m.version_id, m.id,
    coalesce((SELECT max(p.version) FROM "prompt_version" p WHERE p.chatbot_id = m.id), 0) + 1,
    m.system_prompt, m.created_by_id, 'manual',
    jsonb_build_object('source', 'backfill') || CASE WHEN m.system_prompt = '' THEN '{"defaultTemplate": true}'::jsonb ELSE '{}'::jsonb END
  FROM missing m
  RETURNING chatbot_id, id
)
UPDATE "chatbot" c SET current_prompt_version_id = i.id FROM inserted i WHERE c.id = i.chatbot_id;
