import { type Db, members } from "@tandem/db";
import { and, eq, inArray, isNotNull, notInArray, sql } from "drizzle-orm";

/** How long a presence report holds: web processes renew it well before (`PRESENCE_RENEW_MS`). */
export const PRESENCE_TTL_MS = 2 * 60_000;
export const PRESENCE_RENEW_MS = 60_000;

/**
 * Who in a workspace has the dashboard open now, as a web process computed it from every process's
 * sockets: their `online_until` moves forward, everyone else's is cleared. Round-robin assignment
 * reads it (`autoAssignConversation`). A process that dies stops renewing, so its members lapse after
 * `PRESENCE_TTL_MS` instead of staying online forever.
 */
export async function recordMemberPresence(
  db: Db,
  workspaceId: string,
  onlineUserIds: readonly string[],
  now = new Date(),
): Promise<void> {
  const until = new Date(now.getTime() + PRESENCE_TTL_MS);
  const inWorkspace = eq(members.workspaceId, workspaceId);
  if (onlineUserIds.length > 0) {
    await db
      .update(members)
      .set({ onlineUntil: until })
      .where(and(inWorkspace, inArray(members.userId, [...onlineUserIds])));
  }
  await db
    .update(members)
    .set({ onlineUntil: null })
    .where(
      and(
        inWorkspace,
        isNotNull(members.onlineUntil),
        onlineUserIds.length > 0 ? notInArray(members.userId, [...onlineUserIds]) : sql`true`,
      ),
    );
}
