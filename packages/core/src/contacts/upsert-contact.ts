import { type channels, contacts, type Db } from "@tandem/db";
import { sql } from "drizzle-orm";

type ContactRow = typeof contacts.$inferSelect;

/**
 * The contact of a platform id on a channel, created on first sight (unique on channel + platform id);
 * `seenAt` when the customer themself did something. `metadata` is written only when the row is new
 * (a LINE group or room is a contact too: `{ kind: "group" }`).
 */
export async function upsertContact(
  tx: Db,
  channel: Pick<typeof channels.$inferSelect, "id" | "workspaceId">,
  platformUserId: string,
  options: { seenAt?: Date | undefined; metadata?: Record<string, unknown> } = {},
): Promise<ContactRow> {
  const { seenAt } = options;
  const seen = seenAt
    ? { lastSeenAt: sql`greatest(${contacts.lastSeenAt}, ${seenAt.toISOString()}::timestamptz)` }
    : {};
  const [contact] = await tx
    .insert(contacts)
    .values({
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      platformUserId,
      lastSeenAt: seenAt ?? null,
      ...(options.metadata ? { metadata: options.metadata } : {}),
    })
    .onConflictDoUpdate({
      target: [contacts.channelId, contacts.platformUserId],
      set: { updatedAt: sql`now()`, ...seen },
    })
    .returning();
  return contact!;
}
