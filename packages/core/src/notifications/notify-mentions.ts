import { rooms, SOCKET_EVENTS } from "@tandem/contracts";
import { members, notifications } from "@tandem/db";
import { and, eq, inArray } from "drizzle-orm";
import { afterCommit, type Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { loadNotificationDtos } from "./to-dto.ts";

/**
 * The members a note may mention: ids of this workspace's members, each once, in the order given.
 * An id that is not a member here is refused (400 naming `mentions`), so a note never names a stranger.
 */
export async function resolveMentions(ctx: Pick<Ctx, "db" | "workspaceId">, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const found = await ctx.db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.workspaceId, ctx.workspaceId), inArray(members.id, unique)));
  const known = new Set(found.map((m) => m.id));
  const unknown = unique.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new DomainError("invalid_input", "Only members of this workspace can be mentioned", {
      details: unknown.map((id) => ({ path: `mentions.${ids.indexOf(id)}`, message: `${id} is not a member here` })),
    });
  }
  return unique;
}

/**
 * One notification per mentioned member (the author excepted), in the note's transaction; each is
 * pushed to that member's sockets once the transaction commits.
 */
export async function notifyMentions(
  ctx: Ctx,
  note: { id: string; conversationId: string },
  mentioned: string[],
  authorMemberId: string | null,
): Promise<void> {
  const recipients = mentioned.filter((id) => id !== authorMemberId);
  if (recipients.length === 0) return;
  const rows = await ctx.db
    .insert(notifications)
    .values(
      recipients.map((memberId) => ({
        workspaceId: ctx.workspaceId,
        memberId,
        kind: "mention" as const,
        conversationId: note.conversationId,
        messageId: note.id,
        actorUserId: ctx.actor.type === "system" ? null : ctx.actor.userId,
      })),
    )
    .returning();
  const realtime = ctx.realtime;
  if (!realtime) return;
  const dtos = await loadNotificationDtos(ctx, rows);
  afterCommit(ctx, () => {
    for (const [i, row] of rows.entries()) {
      const dto = dtos[i];
      if (dto) realtime.emit(rooms.member(row.memberId), SOCKET_EVENTS.notificationNew, dto);
    }
  });
}
