import type { MessageDto } from "@tandem/contracts";
import { messages } from "@tandem/db";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { emitMessage } from "../conversations/notify.ts";
import { messageToDto } from "../conversations/to-dto.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { enqueueSend, requireQueue } from "./send-agent-message.ts";

/**
 * The inbox's "retry" on a failed AGENT or BOT message: back to `queued` with the error cleared
 * (`attempts` keep counting), and a new `send-outbound-message` job. The job id carries the retry
 * number (`send:{messageId}:retry:{n}`, n kept in the message's metadata) because the failed job's
 * id stays reserved while the queue keeps it. The status change is conditional, so two agents
 * clicking at once start one retry; anything not failed is a 409.
 */
export async function retryMessage(ctx: Ctx, messageId: string): Promise<MessageDto> {
  assertActorCan(ctx, "conversations.work");
  const queue = requireQueue(ctx);
  const [row] = await ctx.db
    .update(messages)
    .set({
      status: "queued",
      errorCode: null,
      errorMessage: null,
      metadata: sql`${messages.metadata} || jsonb_build_object('sendRetries', coalesce((${messages.metadata}->>'sendRetries')::int, 0) + 1)`,
    })
    .where(
      and(
        eq(messages.id, messageId),
        eq(messages.workspaceId, ctx.workspaceId),
        eq(messages.status, "failed"),
        inArray(messages.role, ["AGENT", "BOT"]),
        ne(messages.kind, "note"),
      ),
    )
    .returning();
  if (!row) {
    const [existing] = await ctx.db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.id, messageId), eq(messages.workspaceId, ctx.workspaceId)))
      .limit(1);
    if (!existing) throw new DomainError("message_not_found", "Message not found");
    throw new DomainError("message_not_failed", "Only a failed message sent by an agent or the bot can be retried");
  }
  await enqueueSend(ctx, queue, row, `send:${row.id}:retry:${Number(row.metadata.sendRetries)}`);
  const dto = messageToDto(row);
  emitMessage(ctx, dto, "updated");
  return dto;
}
