import type { ConversationDto, ToggleAutoBotInput } from "@tandem/contracts";
import { conversations, members, users } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { appendMessage } from "./append-message.ts";
import { inInbox } from "./in-inbox.ts";
import { emitConversation, emitMessage } from "./notify.ts";
import { loadConversationDtos, messageToDto } from "./to-dto.ts";

/**
 * The toolbar's auto-bot switch. Turning it on hands the conversation back to the bot: the
 * "needs human" flag, the consecutive-reply counter and the "an agent replied" silence are reset.
 * A change leaves a SYSTEM event in the thread ("Auto-bot turned off by Ana"); switching to the
 * state the conversation is already in changes nothing and publishes nothing.
 */
export async function toggleAutoBot(
  ctx: Ctx,
  conversationId: string,
  input: ToggleAutoBotInput,
): Promise<ConversationDto> {
  assertActorCan(ctx, "conversations.work");
  const event = await withTransaction(ctx, async (tx) => {
    const [current] = await tx.db
      .select()
      .from(conversations)
      .where(inInbox(ctx.workspaceId, conversationId))
      .for("update")
      .limit(1);
    if (!current) throw new DomainError("conversation_not_found", "Conversation not found");
    const silenced = current.needsHuman || current.humanRepliedAt !== null;
    if (current.autoBot === input.enabled && !(input.enabled && silenced)) return null;

    await tx.db
      .update(conversations)
      .set(
        input.enabled
          ? { autoBot: true, needsHuman: false, handoffReason: null, consecutiveBotReplies: 0, humanRepliedAt: null }
          : { autoBot: false },
      )
      .where(eq(conversations.id, current.id));
    const { message } = await appendMessage(tx.db, current, {
      role: "SYSTEM",
      kind: "event",
      status: "sent",
      text: `Auto-bot turned ${input.enabled ? "on" : "off"} by ${await actorName(tx)}`,
      authorMemberId: ctx.actor.type === "system" ? null : ctx.actor.memberId,
      metadata: { event: "auto_bot", enabled: input.enabled },
    });
    return message!;
  });
  const [dto] = await loadConversationDtos(ctx.db, ctx.workspaceId, [conversationId]);
  if (event) {
    emitMessage(ctx, messageToDto(event));
    emitConversation(ctx, dto!);
  }
  return dto!;
}

async function actorName(ctx: Ctx): Promise<string> {
  if (ctx.actor.type === "system") return "the system";
  const [row] = await ctx.db
    .select({ name: users.name, email: users.email })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.id, ctx.actor.memberId), eq(members.workspaceId, ctx.workspaceId)))
    .limit(1);
  return row?.name || row?.email || "a member";
}
