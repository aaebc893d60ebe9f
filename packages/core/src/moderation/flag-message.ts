import type { FlagDto, FlagMessageInput } from "@tandem/contracts";
import { messages, moderationFlags } from "@tandem/db";
import { and, eq, inArray, ne } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { messageColumns } from "../conversations/to-dto.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { publishModeration } from "./message-moderation.ts";
import { loadFlagDtos } from "./to-dto.ts";

/**
 * A member flags a message from the inbox (`POST /api/v1/messages/{id}/flags`): a customer's message,
 * a bot answer or an agent's reply — not a note, an event or a draft. The flag joins the review
 * queue (source `member`, confidence 1) and the thread shows the message as flagged. Flagging the same
 * message again with a type that is still open answers 409 `message_already_flagged`.
 */
export async function flagMessage(ctx: Ctx, input: FlagMessageInput & { messageId: string }): Promise<FlagDto> {
  assertActorCan(ctx, "conversations.work");
  if (ctx.actor.type === "system") throw new DomainError("forbidden", "Flags are raised by a member");
  const memberId = ctx.actor.memberId;
  const { flag, message } = await withTransaction(ctx, async (tx) => {
    const [message] = await tx.db
      .select(messageColumns)
      .from(messages)
      .where(
        and(
          eq(messages.id, input.messageId),
          eq(messages.workspaceId, ctx.workspaceId),
          inArray(messages.role, ["USER", "BOT", "AGENT"]),
          inArray(messages.kind, ["text", "attachment"]),
          ne(messages.status, "draft"),
        ),
      )
      .for("update");
    if (!message) throw new DomainError("message_not_found", "Message not found");
    const [open] = await tx.db
      .select({ id: moderationFlags.id })
      .from(moderationFlags)
      .where(
        and(
          eq(moderationFlags.messageId, message.id),
          eq(moderationFlags.flagType, input.type),
          eq(moderationFlags.reviewed, false),
        ),
      )
      .limit(1);
    if (open) {
      throw new DomainError("message_already_flagged", "This message already has an open flag of this type", {
        details: { flagId: open.id },
      });
    }
    const [flag] = await tx.db
      .insert(moderationFlags)
      .values({
        workspaceId: ctx.workspaceId,
        messageId: message.id,
        conversationId: message.conversationId,
        flagType: input.type,
        source: "member",
        flaggedByMemberId: memberId,
        reason: input.reason,
        confidence: 1,
      })
      .returning();
    await recordAudit(tx, {
      action: "moderation_flag.create",
      entityType: "moderation_flag",
      entityId: flag!.id,
      after: { messageId: message.id, type: input.type, reason: input.reason },
    });
    return { flag: flag!, message };
  });
  await publishModeration(ctx, message);
  const [dto] = await loadFlagDtos(ctx, [flag]);
  return dto!;
}
