CREATE TABLE "analytics_daily_contact" (
	"workspace_id" text NOT NULL,
	"date" date NOT NULL,
	"chatbot_id" text,
	"channel_type" "channel_type" NOT NULL,
	"contact_id" text NOT NULL,
	CONSTRAINT "analytics_daily_contact_key" UNIQUE NULLS NOT DISTINCT("workspace_id","date","chatbot_id","channel_type","contact_id")
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_handoff" (
	"workspace_id" text NOT NULL,
	"date" date NOT NULL,
	"chatbot_id" text,
	"channel_type" "channel_type" NOT NULL,
	"reason" text NOT NULL,
	"handoffs" integer NOT NULL,
	CONSTRAINT "analytics_daily_handoff_key" UNIQUE NULLS NOT DISTINCT("workspace_id","date","chatbot_id","channel_type","reason")
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_histogram" (
	"workspace_id" text NOT NULL,
	"date" date NOT NULL,
	"chatbot_id" text,
	"channel_type" "channel_type" NOT NULL,
	"metric" text NOT NULL,
	"values" bigint[] NOT NULL,
	"counts" integer[] NOT NULL,
	CONSTRAINT "analytics_daily_histogram_key" UNIQUE NULLS NOT DISTINCT("workspace_id","date","chatbot_id","channel_type","metric")
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_model" (
	"workspace_id" text NOT NULL,
	"date" date NOT NULL,
	"chatbot_id" text,
	"channel_type" "channel_type" NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"responses" integer NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	CONSTRAINT "analytics_daily_model_key" UNIQUE NULLS NOT DISTINCT("workspace_id","date","chatbot_id","channel_type","provider","model")
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_query" (
	"workspace_id" text NOT NULL,
	"date" date NOT NULL,
	"chatbot_id" text,
	"channel_type" "channel_type" NOT NULL,
	"query" text NOT NULL,
	"questions" integer NOT NULL,
	"helpful" integer NOT NULL,
	"not_helpful" integer NOT NULL,
	CONSTRAINT "analytics_daily_query_key" UNIQUE NULLS NOT DISTINCT("workspace_id","date","chatbot_id","channel_type","query")
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_workspace_histogram" (
	"workspace_id" text NOT NULL,
	"date" date NOT NULL,
	"metric" text NOT NULL,
	"values" bigint[] NOT NULL,
	"counts" integer[] NOT NULL,
	CONSTRAINT "analytics_daily_workspace_histogram_workspace_id_date_metric_pk" PRIMARY KEY("workspace_id","date","metric")
);
--> statement-breakpoint
CREATE TABLE "analytics_dirty" (
	"workspace_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_dirty_workspace_id_at_pk" PRIMARY KEY("workspace_id","at")
);
--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "ratings_helpful" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "ratings_not_helpful" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "ratings_inappropriate" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "escalated" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily_contact" ADD CONSTRAINT "analytics_daily_contact_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_contact" ADD CONSTRAINT "analytics_daily_contact_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_handoff" ADD CONSTRAINT "analytics_daily_handoff_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_handoff" ADD CONSTRAINT "analytics_daily_handoff_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_histogram" ADD CONSTRAINT "analytics_daily_histogram_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_histogram" ADD CONSTRAINT "analytics_daily_histogram_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_model" ADD CONSTRAINT "analytics_daily_model_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_model" ADD CONSTRAINT "analytics_daily_model_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_query" ADD CONSTRAINT "analytics_daily_query_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_query" ADD CONSTRAINT "analytics_daily_query_chatbot_id_chatbot_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbot"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_workspace_histogram" ADD CONSTRAINT "analytics_daily_workspace_histogram_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_dirty" ADD CONSTRAINT "analytics_dirty_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "message_escalation_idx" ON "message" USING btree ("conversation_id","created_at") WHERE ("message"."role" = 'AGENT' and "message"."kind" in ('text', 'attachment') and "message"."status" <> 'draft') or ("message"."role" = 'SYSTEM' and "message"."kind" = 'event' and "message"."metadata" ->> 'event' = 'handoff');--> statement-breakpoint
-- Custom SQL (hand-added): the triggers that mark the days to rebuild when a row changes after the
-- fact (core/analytics/rollups.ts reads and clears analytics_dirty), and a full rebuild of every
-- workspace's rollups on its next read (the new tables and analytics_daily.escalated start empty).
-- Nothing to mark while the workspace itself is being deleted (its rows cascade).
CREATE FUNCTION analytics_mark_dirty(p_workspace_id text, p_at timestamptz) RETURNS void LANGUAGE sql AS $$
  INSERT INTO analytics_dirty (workspace_id, at)
  SELECT p_workspace_id, date_bin('15 minutes', p_at, timestamptz '2000-01-01 00:00:00+00')
  WHERE EXISTS (SELECT 1 FROM workspace WHERE id = p_workspace_id)
  ON CONFLICT (workspace_id, at) DO UPDATE SET marked_at = now()
$$;
--> statement-breakpoint
-- A message's day, and the days that depend on it elsewhere in its conversation: the conversation's
-- (its deflection and, without a chatbot, its wait), its handoffs' (their waits) and the next message's
-- (an answer rated against this question). A conversation being deleted marks its own day.
CREATE FUNCTION analytics_mark_message(p_workspace_id text, p_conversation_id text, p_at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  conversation_at timestamptz;
  other record;
BEGIN
  PERFORM analytics_mark_dirty(p_workspace_id, p_at);
  SELECT created_at INTO conversation_at FROM conversation WHERE id = p_conversation_id;
  IF NOT FOUND THEN RETURN; END IF;
  PERFORM analytics_mark_dirty(p_workspace_id, conversation_at);
  FOR other IN
    SELECT created_at FROM message
    WHERE conversation_id = p_conversation_id AND role = 'SYSTEM' AND kind = 'event' AND metadata ->> 'event' = 'handoff'
    UNION
    (SELECT created_at FROM message WHERE conversation_id = p_conversation_id AND created_at > p_at
     ORDER BY created_at LIMIT 1)
  LOOP
    PERFORM analytics_mark_dirty(p_workspace_id, other.created_at);
  END LOOP;
END $$;
--> statement-breakpoint
CREATE FUNCTION analytics_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM analytics_mark_message(OLD.workspace_id, OLD.conversation_id, OLD.created_at);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM analytics_mark_message(NEW.workspace_id, NEW.conversation_id, NEW.created_at);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- New messages mark their own day through refreshAnalyticsRollups (created since the last refresh);
-- a person's reply or a handoff also changes older days (the wait it ends, the conversation's deflection).
CREATE TRIGGER analytics_message_inserted AFTER INSERT ON message FOR EACH ROW
  WHEN (NEW.role = 'AGENT' OR (NEW.role = 'SYSTEM' AND NEW.kind = 'event' AND NEW.metadata ->> 'event' = 'handoff'))
  EXECUTE FUNCTION analytics_message_changed();
--> statement-breakpoint
CREATE TRIGGER analytics_message_updated AFTER UPDATE ON message FOR EACH ROW
  WHEN (OLD.conversation_id IS DISTINCT FROM NEW.conversation_id OR OLD.role IS DISTINCT FROM NEW.role
    OR OLD.kind IS DISTINCT FROM NEW.kind OR (OLD.status = 'draft') IS DISTINCT FROM (NEW.status = 'draft')
    OR OLD.text IS DISTINCT FROM NEW.text OR OLD.created_at IS DISTINCT FROM NEW.created_at
    OR OLD.sender_contact_id IS DISTINCT FROM NEW.sender_contact_id OR OLD.latency_ms IS DISTINCT FROM NEW.latency_ms
    OR OLD.provider IS DISTINCT FROM NEW.provider OR OLD.model IS DISTINCT FROM NEW.model
    OR OLD.usage IS DISTINCT FROM NEW.usage
    OR OLD.metadata -> 'event' IS DISTINCT FROM NEW.metadata -> 'event'
    OR OLD.metadata -> 'reason' IS DISTINCT FROM NEW.metadata -> 'reason'
    OR OLD.metadata -> 'errorCode' IS DISTINCT FROM NEW.metadata -> 'errorCode')
  EXECUTE FUNCTION analytics_message_changed();
--> statement-breakpoint
CREATE TRIGGER analytics_message_deleted AFTER DELETE ON message FOR EACH ROW
  EXECUTE FUNCTION analytics_message_changed();
--> statement-breakpoint
-- A conversation moved to another chatbot or channel, its contact erased, or deleted: its own day and
-- every day it has messages or ratings on (a deletion's messages and ratings mark theirs as they go).
CREATE FUNCTION analytics_conversation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_dirty(OLD.workspace_id, OLD.created_at);
  IF TG_OP = 'UPDATE' THEN
    PERFORM analytics_mark_dirty(NEW.workspace_id, NEW.created_at);
    INSERT INTO analytics_dirty (workspace_id, at)
    SELECT DISTINCT NEW.workspace_id, date_bin('15 minutes', created_at, timestamptz '2000-01-01 00:00:00+00')
    FROM (SELECT created_at FROM message WHERE conversation_id = NEW.id
          UNION ALL SELECT created_at FROM feedback WHERE conversation_id = NEW.id) changed
    WHERE EXISTS (SELECT 1 FROM workspace WHERE id = NEW.workspace_id)
    ON CONFLICT (workspace_id, at) DO UPDATE SET marked_at = now();
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_conversation_updated AFTER UPDATE ON conversation FOR EACH ROW
  WHEN (OLD.chatbot_id IS DISTINCT FROM NEW.chatbot_id OR OLD.channel_id IS DISTINCT FROM NEW.channel_id
    OR OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.is_playground IS DISTINCT FROM NEW.is_playground
    OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION analytics_conversation_changed();
--> statement-breakpoint
CREATE TRIGGER analytics_conversation_deleted AFTER DELETE ON conversation FOR EACH ROW
  EXECUTE FUNCTION analytics_conversation_changed();
--> statement-breakpoint
-- A rating given, changed or taken back: its own day (the ratings of the period) and the rated
-- answer's day (its question's ratings).
CREATE FUNCTION analytics_feedback_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rated feedback;
BEGIN
  IF TG_OP = 'DELETE' THEN rated := OLD; ELSE rated := NEW; END IF;
  PERFORM analytics_mark_dirty(rated.workspace_id, rated.created_at);
  IF TG_OP = 'UPDATE' THEN PERFORM analytics_mark_dirty(OLD.workspace_id, OLD.created_at); END IF;
  PERFORM analytics_mark_dirty(rated.workspace_id, m.created_at) FROM message m WHERE m.id = rated.message_id;
  IF TG_OP = 'UPDATE' AND OLD.message_id IS DISTINCT FROM NEW.message_id THEN
    PERFORM analytics_mark_dirty(OLD.workspace_id, m.created_at) FROM message m WHERE m.id = OLD.message_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_feedback_changed AFTER INSERT OR UPDATE OR DELETE ON feedback FOR EACH ROW
  EXECUTE FUNCTION analytics_feedback_changed();
--> statement-breakpoint
UPDATE workspace SET settings = settings - 'analyticsRollups' WHERE settings ? 'analyticsRollups';
