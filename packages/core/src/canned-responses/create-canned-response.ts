import type { CannedResponseDto, CreateCannedResponseInput } from "@tandem/contracts";
import { cannedResponses } from "@tandem/db";
import { count, eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { actorUserId, type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { cannedResponseDto } from "./to-dto.ts";
import { shortcutTaken } from "./unique-shortcut.ts";

/** Enough for any team's library, and a bound on what the composer loads. */
export const MAX_CANNED_RESPONSES = 500;

export async function createCannedResponse(ctx: Ctx, input: CreateCannedResponseInput): Promise<CannedResponseDto> {
  try {
    return await withTransaction(ctx, async (tx) => {
      const [existing] = await tx.db
        .select({ n: count() })
        .from(cannedResponses)
        .where(eq(cannedResponses.workspaceId, tx.workspaceId));
      if ((existing?.n ?? 0) >= MAX_CANNED_RESPONSES) {
        throw new DomainError(
          "canned_response_limit_reached",
          `A workspace keeps at most ${MAX_CANNED_RESPONSES} canned responses: delete one first`,
        );
      }
      const [row] = await tx.db
        .insert(cannedResponses)
        .values({ ...input, workspaceId: tx.workspaceId, createdById: actorUserId(tx.actor) })
        .returning();
      if (!row) throw new Error("insert returned no row");
      await recordAudit(tx, {
        action: "canned_response.create",
        entityType: "canned_response",
        entityId: row.id,
        after: input,
      });
      return cannedResponseDto(tx, row);
    });
  } catch (error) {
    throw shortcutTaken(error, input.shortcut);
  }
}
