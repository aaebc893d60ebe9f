import { type SQL, sql } from "drizzle-orm";

/**
 * The definitions every analytics query shares, in SQL over a `message` aliased `m` (docs/analytics.md
 * says the same in words).
 */

/** A message someone wrote to someone: customer, bot and agent texts and attachments; no notes, events or drafts. */
export const isCounted = sql`(m.role in ('USER', 'BOT', 'AGENT') and m.kind in ('text', 'attachment') and m.status <> 'draft')`;
export const isCustomerMessage = sql`(m.role = 'USER' and m.kind in ('text', 'attachment'))`;
export const isBotResponse = sql`(m.role = 'BOT' and m.kind in ('text', 'attachment') and m.status <> 'draft')`;
/** A person's reply (in Tandem or, echoed, from the platform's own tool); never a bot's. */
export const isHumanReply = sql`(m.role = 'AGENT' and m.kind in ('text', 'attachment') and m.status <> 'draft')`;
/** The SYSTEM note `handOffConversation` writes, whoever decided the handoff. */
export const isHandoff = sql`(m.role = 'SYSTEM' and m.kind = 'event' and m.metadata ->> 'event' = 'handoff')`;
/** A handoff because the bot's answer could not be generated (the provider failed for good, or nothing was configured). */
export const isFailedGeneration = sql`(${isHandoff} and m.metadata ? 'errorCode')`;

/** The workspace's local day of a timestamp. */
export const localDay = (column: SQL, timeZone: string) => sql`((${column}) at time zone ${timeZone})::date`;

/** The first instant of a local day (YYYY-MM-DD) in the time zone. */
export const dayStart = (day: string, timeZone: string) => sql`(${day}::date::timestamp at time zone ${timeZone})`;

/** The first instant after a local day. */
export const dayEnd = (day: string, timeZone: string) => sql`((${day}::date + 1)::timestamp at time zone ${timeZone})`;

/**
 * A customer's text as it is grouped: NFKC, lower case, runs of white space as one space, punctuation
 * and spaces trimmed from both ends ("  Where is my ORDER?? " → "where is my order").
 */
export const normalizedQuery = (text: SQL) =>
  sql`regexp_replace(regexp_replace(lower(normalize(${text}, NFKC)), '[[:space:]]+', ' ', 'g'), '^[[:punct:] ]+|[[:punct:] ]+$', '', 'g')`;

/**
 * Milliseconds as the histograms keep them (`analytics_daily_histogram`): whole milliseconds below
 * 1,000, else rounded to 3 significant digits (1,234 → 1,230; 288,049 → 288,000: at most 0.5 % off).
 */
export const roundedMs = (ms: SQL) =>
  sql`(case when (${ms}) < 1000 then round((${ms})::numeric) else round((${ms})::numeric, 2 - floor(log((${ms})::numeric))::int) end)::bigint`;
