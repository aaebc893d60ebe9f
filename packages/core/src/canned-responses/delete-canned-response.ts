import { cannedResponses } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { getCannedResponseInWorkspace } from "./get-canned-response-in-workspace.ts";

export async function deleteCannedResponse(ctx: Ctx, input: { id: string }): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    const before = await getCannedResponseInWorkspace(tx, input.id, { forUpdate: true });
    await tx.db.delete(cannedResponses).where(eq(cannedResponses.id, input.id));
    await recordAudit(tx, {
      action: "canned_response.delete",
      entityType: "canned_response",
      entityId: input.id,
      before: { shortcut: before.shortcut, title: before.title, text: before.text },
    });
  });
}
