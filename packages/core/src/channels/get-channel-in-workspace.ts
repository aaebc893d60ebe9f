import { channels } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";

/** The channel if it belongs to the caller's workspace; otherwise "not found", never "forbidden". */
export async function getChannelInWorkspace(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  channelId: string,
  options: { forUpdate?: boolean } = {},
) {
  const query = ctx.db
    .select()
    .from(channels)
    .where(and(eq(channels.id, channelId), eq(channels.workspaceId, ctx.workspaceId)))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update") : await query;
  if (!row) throw new DomainError("channel_not_found", "Channel not found");
  return row;
}
