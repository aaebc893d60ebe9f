import { channels, type Db } from "@tandem/db";
import { and, eq, isNull, ne } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { silentLogger } from "../logger.ts";

/**
 * The platform rejected the channel's token (Graph error 190, LINE 401): the channel needs a person
 * to reconnect it. Shown in the channels API as `status: "reconnect_needed"` with the platform's
 * reason; connecting the Page again with a fresh token clears it. A disconnected channel stays so.
 * The change is audited (`channel.reconnect_needed`, by the system) once, when the status flips.
 */
export async function markReconnectNeeded(db: Db, channelId: string, reason: string): Promise<void> {
  await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const [changed] = await tx
      .update(channels)
      .set({ status: "reconnect_needed", statusReason: reason.slice(0, 1000) })
      .where(and(eq(channels.id, channelId), isNull(channels.disconnectedAt), ne(channels.status, "reconnect_needed")))
      .returning({ workspaceId: channels.workspaceId, name: channels.name });
    if (!changed) return;
    await recordAudit(
      { db: tx, workspaceId: changed.workspaceId, actor: { type: "system" }, log: silentLogger },
      {
        action: "channel.reconnect_needed",
        entityType: "channel",
        entityId: channelId,
        after: { status: "reconnect_needed", reason: reason.slice(0, 1000) },
      },
    );
  });
}
