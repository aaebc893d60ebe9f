import { type FlagDto, type ReviewFlagInput, rooms, SOCKET_EVENTS } from "@tandem/contracts";
import { members, messages, moderationFlags, notifications } from "@tandem/db";
import { and, eq, ne } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { actorRole, actorUserId, afterCommit, type Ctx, withTransaction } from "../context.ts";
import { messageColumns } from "../conversations/to-dto.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { loadNotificationDtos } from "../notifications/to-dto.ts";
import { publishModeration, withdrawFromCustomer } from "./message-moderation.ts";
import { flagStatus, loadFlagDtos } from "./to-dto.ts";

type FlagRow = typeof moderationFlags.$inferSelect;

const DECIDED = { approve: "approved", remove: "removed", escalate: "escalated" } as const;

/**
 * A decision on a flag (`POST /api/v1/moderation/flags/{id}/review`), by OWNER or ADMIN, recorded with
 * who, when and the note, and audited (`moderation_flag.review`):
 * - `approve`: the message is fine; this flag is closed.
 * - `remove`: the message leaves the customer's history (the widget and the public API hide it:
 *   `customerVisible`) and shows as removed in the inbox; every open flag on it is closed with it.
 * - `escalate`: the flag stays open for an OWNER, and each OWNER (but the one escalating) is
 *   notified. Only an OWNER decides an escalated flag (403 for an ADMIN).
 * A decided flag answers 409 `flag_already_reviewed`; escalating twice, 409 `flag_already_escalated`.
 */
export async function reviewFlag(ctx: Ctx, input: ReviewFlagInput & { flagId: string }): Promise<FlagDto> {
  assertActorCan(ctx, "moderation.review");
  const { flag, message } = await withTransaction(ctx, async (tx) => {
    const [flag] = await tx.db
      .select()
      .from(moderationFlags)
      .where(and(eq(moderationFlags.id, input.flagId), eq(moderationFlags.workspaceId, ctx.workspaceId)))
      .for("update");
    if (!flag) throw new DomainError("moderation_flag_not_found", "Flag not found");
    if (flag.reviewed) throw new DomainError("flag_already_reviewed", "This flag was already decided");
    if (flag.decision === "escalated") {
      if (input.decision === "escalate")
        throw new DomainError("flag_already_escalated", "This flag is already escalated");
      if (actorRole(ctx.actor) !== "OWNER") {
        throw new DomainError("forbidden", "Only an OWNER decides an escalated flag", {
          details: { role: "OWNER" },
        });
      }
    }
    const decided = {
      decision: DECIDED[input.decision],
      reviewedById: actorUserId(ctx.actor),
      reviewedAt: new Date(),
      reviewNote: input.note || null,
    };
    const [updated] = await tx.db
      .update(moderationFlags)
      .set({ ...decided, reviewed: input.decision !== "escalate" })
      .where(eq(moderationFlags.id, flag.id))
      .returning();
    if (input.decision === "remove") {
      // The message is gone for the customer: its other open flags are settled with it.
      await tx.db
        .update(moderationFlags)
        .set({ ...decided, reviewed: true })
        .where(
          and(
            eq(moderationFlags.messageId, flag.messageId),
            eq(moderationFlags.reviewed, false),
            ne(moderationFlags.id, flag.id),
          ),
        );
    }
    await recordAudit(tx, {
      action: "moderation_flag.review",
      entityType: "moderation_flag",
      entityId: flag.id,
      before: { status: flagStatus(flag) },
      after: {
        status: flagStatus(updated!),
        decision: decided.decision,
        note: decided.reviewNote,
        messageId: flag.messageId,
      },
    });
    if (input.decision === "escalate") await notifyOwners(tx, updated!);
    const [message] = await tx.db.select(messageColumns).from(messages).where(eq(messages.id, flag.messageId));
    return { flag: updated!, message: message! };
  });
  await publishModeration(ctx, message);
  if (input.decision === "remove") await withdrawFromCustomer(ctx, message);
  const [dto] = await loadFlagDtos(ctx, [flag]);
  return dto!;
}

/** A `moderation_escalated` notification for each OWNER of the workspace but the one escalating. */
async function notifyOwners(ctx: Ctx, flag: FlagRow): Promise<void> {
  const self = ctx.actor.type === "system" ? null : ctx.actor.memberId;
  const owners = await ctx.db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.workspaceId, ctx.workspaceId), eq(members.role, "OWNER")));
  const recipients = owners.map((o) => o.id).filter((id) => id !== self);
  if (recipients.length === 0) return;
  const rows = await ctx.db
    .insert(notifications)
    .values(
      recipients.map((memberId) => ({
        workspaceId: ctx.workspaceId,
        memberId,
        kind: "moderation_escalated" as const,
        conversationId: flag.conversationId,
        messageId: flag.messageId,
        actorUserId: actorUserId(ctx.actor),
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
