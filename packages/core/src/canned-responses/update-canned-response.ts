import type { CannedResponseDto, UpdateCannedResponseInput } from "@tandem/contracts";
import { cannedResponses } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { getCannedResponseInWorkspace } from "./get-canned-response-in-workspace.ts";
import { cannedResponseDto } from "./to-dto.ts";
import { shortcutTaken } from "./unique-shortcut.ts";

export async function updateCannedResponse(
  ctx: Ctx,
  input: UpdateCannedResponseInput & { id: string },
): Promise<CannedResponseDto> {
  const { id, ...changes } = input;
  try {
    return await withTransaction(ctx, async (tx) => {
      const before = await getCannedResponseInWorkspace(tx, id, { forUpdate: true });
      const [row] = await tx.db.update(cannedResponses).set(changes).where(eq(cannedResponses.id, id)).returning();
      if (!row) throw new Error("update returned no row");
      await recordAudit(tx, {
        action: "canned_response.update",
        entityType: "canned_response",
        entityId: id,
        before: { shortcut: before.shortcut, title: before.title, text: before.text },
        after: { shortcut: row.shortcut, title: row.title, text: row.text },
      });
      return cannedResponseDto(tx, row);
    });
  } catch (error) {
    throw changes.shortcut === undefined ? error : shortcutTaken(error, changes.shortcut);
  }
}
