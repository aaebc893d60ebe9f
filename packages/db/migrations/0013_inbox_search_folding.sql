-- Inbox search that finds words (issue #18 item 8): accent-insensitive ("zoe" finds "Zoë") and a
-- word inside Thai, Japanese or Chinese text, which has no spaces to split words at. The folding
-- table is kept equal to `FOLD_FROM` / `FOLD_TO` of packages/core/src/conversations/search-text.ts
-- (a test compares them). lower() alone leaves accented capitals under the C locale, so the table
-- maps both cases.
CREATE FUNCTION tandem_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT translate(lower(value),
    'ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćĈĉĊċČčĎďĐđÈÉÊËèéêëĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħÌÍÎÏìíîïĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłÑñŃńŅņŇňÒÓÔÕÖØòóôõöøŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųŴŵÝýÿŸŶŷŹźŻżŽž',
    'aaaaaaaaaaaaaaaaaaccccccccccddddeeeeeeeeeeeeeeeeeegggggggghhhhiiiiiiiiiiiiiiiiiijjkkllllllllllnnnnnnnnoooooooooooooooooorrrrrrssssssssttttttuuuuuuuuuuuuuuuuuuuuwwyyyyyyzzzzzz')
$fn$;--> statement-breakpoint
-- The characters of scripts written without spaces (Thai, Lao, Myanmar, Khmer, kana, CJK ideographs),
-- every other character replaced by a space, so each run stands alone.
CREATE FUNCTION tandem_unspaced(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT regexp_replace(value, '[^\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+', ' ', 'g')
$fn$;--> statement-breakpoint
-- The character bigrams of those runs (none across a run's ends).
CREATE FUNCTION tandem_run_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT coalesce(array_agg(DISTINCT b), '{}')
  FROM regexp_split_to_table(tandem_unspaced(value), ' ') AS run,
    LATERAL (SELECT substr(run, i, 2) AS b FROM generate_series(1, char_length(run) - 1) AS i) AS pairs
$fn$;--> statement-breakpoint
CREATE FUNCTION tandem_search_vector(value text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT to_tsvector('simple'::regconfig, tandem_fold(value)) || array_to_tsvector(tandem_run_bigrams(value))
$fn$;--> statement-breakpoint
DROP INDEX IF EXISTS "contact_name_trgm_idx";--> statement-breakpoint
DROP INDEX "contact_name_bigram_idx";--> statement-breakpoint
ALTER TABLE "message" drop column "search";--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (tandem_search_vector(coalesce("text", ''))) STORED;--> statement-breakpoint
CREATE INDEX "message_search_idx" ON "message" USING gin ("search");--> statement-breakpoint
-- pg_trgm may be missing (see 0002): the trigram index only where it exists.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE $ddl$CREATE INDEX "contact_name_trgm_idx" ON "contact" USING gin (tandem_fold("name") gin_trgm_ops)$ddl$;
  END IF;
END $$;--> statement-breakpoint
CREATE INDEX "contact_name_bigram_idx" ON "contact" USING gin (tandem_bigrams(tandem_fold("name")));
