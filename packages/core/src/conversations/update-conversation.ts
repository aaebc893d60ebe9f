import type { ConversationDto, UpdateConversationInput } from "@tandem/contracts";
import { conversations, members } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { getConversationInWorkspace } from "./get-conversation-in-workspace.ts";
import { emitConversation } from "./notify.ts";
import { normalizeTags } from "./tags.ts";
import { effectiveStatus, loadConversationDtos } from "./to-dto.ts";

/**
 * Status, snooze, assignee, tags and notes from the inbox toolbar and side panel. Only the given
 * fields change. `SNOOZED` takes an optional `snoozedUntil` (none: until the customer writes again);
 * any other status clears it. Tags are normalised (trimmed, lower case) and deduplicated. Closing
 * clears "needs a person".
 */
export async function updateConversation(
  ctx: Ctx,
  conversationId: string,
  input: UpdateConversationInput,
): Promise<ConversationDto> {
  assertActorCan(ctx, "conversations.work");
  const current = await getConversationInWorkspace(ctx, conversationId);
  const set: Partial<typeof conversations.$inferInsert> = {};

  const status = input.status ?? effectiveStatus(current);
  if (input.status !== undefined) set.status = input.status;
  // Closing answers "needs a person" as replying does; the handoff's time and reason stay for the record.
  if (input.status === "CLOSED") set.needsHuman = false;
  if (input.snoozedUntil) {
    if (status !== "SNOOZED") {
      throw new DomainError("invalid_input", "snoozedUntil is only for a SNOOZED conversation", {
        details: [{ path: "snoozedUntil", message: "Set status SNOOZED to snooze until a time" }],
      });
    }
    const until = new Date(input.snoozedUntil);
    if (until.getTime() <= Date.now()) {
      throw new DomainError("invalid_input", "snoozedUntil must be in the future", {
        details: [{ path: "snoozedUntil", message: "Must be in the future" }],
      });
    }
    set.snoozedUntil = until;
    set.status = "SNOOZED";
  } else if (input.snoozedUntil === null || input.status !== undefined) {
    set.snoozedUntil = null;
  }

  if (input.assigneeId !== undefined) {
    if (input.assigneeId !== null) await assertAssignable(ctx, input.assigneeId);
    set.assigneeId = input.assigneeId;
  }
  if (input.tags !== undefined) set.tags = normalizeTags(input.tags);
  if (input.notes !== undefined) set.notes = input.notes?.trim() ? input.notes : null;

  await ctx.db
    .update(conversations)
    .set(set)
    .where(and(eq(conversations.id, current.id), eq(conversations.workspaceId, ctx.workspaceId)));
  const [dto] = await loadConversationDtos(ctx.db, ctx.workspaceId, [current.id]);
  emitConversation(ctx, dto!);
  return dto!;
}

export async function assertAssignable(ctx: Ctx, memberId: string): Promise<void> {
  const [member] = await ctx.db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.id, memberId), eq(members.workspaceId, ctx.workspaceId)))
    .limit(1);
  if (!member) {
    throw new DomainError("invalid_assignee", "The assignee must be a member of this workspace", {
      details: [{ path: "assigneeId", message: "Not a member of this workspace" }],
    });
  }
}
