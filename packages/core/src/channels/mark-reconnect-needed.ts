import { channels, type Db } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";

/**
 * The platform rejected the channel's token (Graph error 190, LINE 401): the channel needs a person
 * to reconnect it. Shown in the channels API as `status: "reconnect_needed"` with the platform's
 * reason; connecting the Page again with a fresh token clears it. A disconnected channel stays so.
 */
export async function markReconnectNeeded(db: Db, channelId: string, reason: string): Promise<void> {
  await db
    .update(channels)
    .set({ status: "reconnect_needed", statusReason: reason.slice(0, 1000) })
    .where(and(eq(channels.id, channelId), isNull(channels.disconnectedAt)));
}
