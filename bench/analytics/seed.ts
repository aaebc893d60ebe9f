/** Set-based seeding for the analytics benchmark (`queries.ts`). */
import type { Db } from "@tandem/db";
import { createChatbot, createTestWorkspace } from "@tandem/db/testing";
import { sql } from "drizzle-orm";

/**
 * Set-based seed: `messages` messages in conversations of 10 (a customer question, a bot answer with
 * latency, model and tokens, …), over 4 channels of 4 types and 3 chatbots (a tenth without one), one
 * handoff in 8 conversations (half of them answered by an agent), ratings on one bot answer in 20.
 */
export async function seed(
  db: Db,
  messages: number,
  print: (row: Record<string, unknown>) => void,
): Promise<{ workspaceId: string; chatbotId: string }> {
  const ws = await createTestWorkspace(db, { name: "Analytics bench" });
  const workspaceId = ws.workspace.id;
  const bots = [];
  for (const name of ["Sales", "Support", "Web"]) bots.push((await createChatbot(db, { workspaceId, name })).id);
  const conversations = Math.floor(messages / 10);
  const started = performance.now();
  await db.execute(sql`
    insert into channel (id, workspace_id, type, name, external_id, subscribed)
    select 'ch_bench_' || t, ${workspaceId}, t::channel_type, 'Bench ' || t, case when t in ('messenger', 'line') then 'ext-' || t end, true
    from unnest(array['messenger', 'line', 'web', 'api']) t`);
  await db.execute(sql`
    insert into contact (id, workspace_id, channel_id, platform_user_id, name)
    select 'ct_bench_' || g, ${workspaceId}, 'ch_bench_' || (array['messenger', 'line', 'web', 'api'])[1 + g % 4], 'u' || g, 'Customer ' || g
    from generate_series(1, ${conversations}) g`);
  await db.execute(sql`
    insert into conversation (id, workspace_id, channel_id, contact_id, chatbot_id, status, created_at, last_message_at)
    select 'cv_bench_' || g, ${workspaceId}, 'ch_bench_' || (array['messenger', 'line', 'web', 'api'])[1 + g % 4], 'ct_bench_' || g,
      case when g % 10 = 0 then null else (${sql.raw(`array['${bots.join("','")}']`)})[1 + g % 3] end,
      case when g % 3 = 0 then 'CLOSED'::conversation_status else 'OPEN'::conversation_status end,
      now() - make_interval(secs => (g::float8 / ${conversations}) * 120 * 86400),
      now() - make_interval(secs => (g::float8 / ${conversations}) * 120 * 86400) + interval '10 minutes'
    from generate_series(1, ${conversations}) g`);
  await db.execute(sql`
    insert into message (id, workspace_id, conversation_id, channel_id, role, kind, text, status, provider, model, usage, latency_ms, metadata, created_at)
    select 'ms_bench_' || g || '_' || i, ${workspaceId}, 'cv_bench_' || g, 'ch_bench_' || (array['messenger', 'line', 'web', 'api'])[1 + g % 4],
      (case when i = 9 and g % 8 = 0 then 'SYSTEM' when i = 10 and g % 16 = 0 then 'AGENT' when i % 2 = 1 then 'USER' else 'BOT' end)::message_role,
      (case when i = 9 and g % 8 = 0 then 'event' else 'text' end)::message_kind,
      case when i % 2 = 1 then (array['Where is my order?', 'Do you ship to Chiang Mai?', 'refund please', 'Opening hours?', 'ขอคืนเงินได้ไหมคะ', 'Order #' || g])[1 + (g + i) % 6] else 'Answer' end,
      (case when i % 2 = 1 and not (i = 9 and g % 8 = 0) then 'received' else 'sent' end)::message_status,
      case when i % 2 = 0 and not (i = 10 and g % 16 = 0) then 'OPENAI'::provider_kind end,
      case when i % 2 = 0 and not (i = 10 and g % 16 = 0) then (array['gpt-4o-mini', 'gemini-2.5-flash'])[1 + g % 2] end,
      case when i % 2 = 0 then jsonb_build_object('inputTokens', 800 + g % 400, 'outputTokens', 100 + g % 200) end,
      case when i % 2 = 0 then 400 + (g * 37 + i * 101) % 3000 end,
      case when i = 9 and g % 8 = 0 then jsonb_build_object('event', 'handoff', 'reason', (array['human_requested', 'low_confidence', 'max_bot_replies'])[1 + g % 3]) else '{}'::jsonb end,
      now() - make_interval(secs => (g::float8 / ${conversations}) * 120 * 86400) + make_interval(secs => i * 60)
    from generate_series(1, ${conversations}) g, generate_series(1, 10) i`);
  await db.execute(sql`
    insert into feedback (id, workspace_id, message_id, conversation_id, rating, identifier, created_at)
    select 'fb_bench_' || g, ${workspaceId}, 'ms_bench_' || g || '_2', 'cv_bench_' || g,
      (case when g % 3 = 0 then 'not_helpful' else 'helpful' end)::feedback_rating, 'visitor:' || g,
      now() - make_interval(secs => (g::float8 / ${conversations}) * 120 * 86400) + interval '5 minutes'
    from generate_series(20, ${conversations}, 20) g`);
  await db.execute(sql`analyze`);
  print({ name: "seed", messages, conversations, seconds: +((performance.now() - started) / 1000).toFixed(1) });
  return { workspaceId, chatbotId: bots[0]! };
}
