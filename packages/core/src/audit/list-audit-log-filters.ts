import type { AuditLogFilters } from "@tandem/contracts";
import { apiTokens, auditLogs, users } from "@tandem/db";
import { asc, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { actorColumns, toAuditActor } from "./to-dto.ts";

/**
 * What the audit log's filters offer: the actions, entity types and actors the workspace's rows
 * hold (a removed member's rows stay findable). OWNER / ADMIN only.
 */
export async function listAuditLogFilters(ctx: Ctx): Promise<AuditLogFilters> {
  assertActorCan(ctx, "audit.read");
  const inWorkspace = eq(auditLogs.workspaceId, ctx.workspaceId);
  const [actions, entityTypes, actors] = await Promise.all([
    ctx.db
      .selectDistinct({ value: auditLogs.action })
      .from(auditLogs)
      .where(inWorkspace)
      .orderBy(asc(auditLogs.action)),
    ctx.db
      .selectDistinct({ value: auditLogs.entityType })
      .from(auditLogs)
      .where(inWorkspace)
      .orderBy(asc(auditLogs.entityType)),
    ctx.db
      .selectDistinct(actorColumns)
      .from(auditLogs)
      .leftJoin(users, eq(users.id, auditLogs.actorUserId))
      .leftJoin(apiTokens, eq(apiTokens.id, auditLogs.actorTokenId))
      .where(inWorkspace),
  ]);
  return {
    actions: actions.map((r) => r.value),
    entityTypes: entityTypes.map((r) => r.value),
    actors: actors
      .map(toAuditActor)
      // A deleted user or token left nothing to filter by.
      .filter((a) => a.type === "system" || (a.type === "token" ? a.tokenId : a.userId))
      .sort((a, b) => a.label.localeCompare(b.label)),
  };
}
