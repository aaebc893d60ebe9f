import { channels, type Db } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import type { ChatbotRow } from "../bots/chatbot-for.ts";

export type PublicChannelKind = "web" | "api";
export type PublicChannelRow = typeof channels.$inferSelect;

/**
 * What differs between the two kinds of public session, in one place: the channel's name, who rates
 * on feedback rows (`visitor:` or `api:`), and whether the chatbot's "require verified identity"
 * applies (to widget visitors; an API caller is the site's own server).
 */
export const PUBLIC_KINDS: Record<
  PublicChannelKind,
  { name: string; rater: "visitor" | "api"; identityVerified: boolean }
> = {
  web: { name: "Website", rater: "visitor", identityVerified: true },
  api: { name: "API", rater: "api", identityVerified: false },
};

/**
 * The chatbot's channel of a kind — `web` for the widget, `api` for the public chat API — created on
 * first use: one per chatbot and kind (`externalId` = the chatbot id, unique among connected channels
 * of a type), in the chatbot's workspace and answered by it. Two first messages at once create it
 * once (the insert does nothing on the unique key, and both read the same row).
 */
export async function publicChannel(
  db: Db,
  chatbot: Pick<ChatbotRow, "id" | "workspaceId" | "name">,
  kind: PublicChannelKind,
): Promise<PublicChannelRow> {
  const existing = await findPublicChannel(db, chatbot.id, kind);
  if (existing) return existing;
  await db
    .insert(channels)
    .values({
      workspaceId: chatbot.workspaceId,
      chatbotId: chatbot.id,
      type: kind,
      name: `${chatbot.name} · ${PUBLIC_KINDS[kind].name}`,
      externalId: chatbot.id,
    })
    .onConflictDoNothing();
  const created = await findPublicChannel(db, chatbot.id, kind);
  if (!created) throw new Error(`the ${kind} channel of chatbot ${chatbot.id} could not be created`);
  return created;
}

/** The channel, or null before the chatbot's first conversation of that kind. */
export async function findPublicChannel(
  db: Db,
  chatbotId: string,
  kind: PublicChannelKind,
): Promise<PublicChannelRow | null> {
  const [row] = await db
    .select()
    .from(channels)
    .where(and(eq(channels.type, kind), eq(channels.externalId, chatbotId), isNull(channels.disconnectedAt)))
    .limit(1);
  return row ?? null;
}
