-- Inbox search by contact name ("name contains the text, any case") uses a pg_trgm index. pg_trgm
-- ships with PostgreSQL (contrib) and PGlite loads it, but a server or role may lack it: the index
-- is then left out and the search reads the contact names instead, with the same results.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pg_trgm is available but this role cannot create it: contact name search runs without its index';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE $ddl$CREATE INDEX "contact_name_trgm_idx" ON "contact" USING gin ("name" gin_trgm_ops)$ddl$;
  END IF;
END $$;--> statement-breakpoint
-- pg_trgm only narrows text with three "word" characters in a row, and which characters count depends
-- on the server's locale: under C (PGlite, many containers) Thai or Japanese never do. The distinct
-- character bigrams of the lower-cased name index every script; the search asks for the names holding
-- all of the text's bigrams and rechecks them with ILIKE.
CREATE FUNCTION tandem_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT coalesce(array_agg(DISTINCT substr(lower(value), i, 2)), '{}')
  FROM generate_series(1, char_length(value) - 1) AS i
$fn$;--> statement-breakpoint
CREATE INDEX "contact_name_bigram_idx" ON "contact" USING gin (tandem_bigrams("name"));--> statement-breakpoint
CREATE INDEX "contact_workspace_platform_user_idx" ON "contact" USING btree ("workspace_id","platform_user_id");
