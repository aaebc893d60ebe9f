import type { WorkspaceMembershipDto } from "@tandem/contracts";
import { members, workspaces } from "@tandem/db";
import { asc, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { sessionOwner } from "./list-sessions.ts";

/** The workspaces the caller belongs to, with their role in each; `current` is the caller's. */
export async function listWorkspaces(ctx: Ctx): Promise<WorkspaceMembershipDto[]> {
  const rows = await ctx.db
    .select({ id: workspaces.id, name: workspaces.name, role: members.role })
    .from(members)
    .innerJoin(workspaces, eq(workspaces.id, members.workspaceId))
    .where(eq(members.userId, sessionOwner(ctx)))
    .orderBy(asc(workspaces.name), asc(workspaces.id));
  return rows.map((row) => ({ ...row, current: row.id === ctx.workspaceId }));
}
