import type { AuditLogQuery, AuditLogResponse } from "@tandem/contracts";
import { apiTokens, auditLogs, users } from "@tandem/db";
import { and, desc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { cursorTimestamp, decodeCursor, olderThan, pageOf } from "../conversations/cursor.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { redactSecrets } from "./redact-secrets.ts";
import { actorColumns, toAuditActor } from "./to-dto.ts";

/** `usr_…` (the person and their tokens), `tok_…` (one token) or `system`. */
function actorFilter(actor: string): SQL {
  if (actor === "system") return eq(auditLogs.actorType, "system");
  if (actor.startsWith("tok_")) return eq(auditLogs.actorTokenId, actor);
  return eq(auditLogs.actorUserId, actor);
}

/** An action, or every action under a prefix ending with a dot (`channel.`). */
const actionFilter = (action: string): SQL =>
  action.endsWith(".") ? sql`left(${auditLogs.action}, ${action.length}) = ${action}` : eq(auditLogs.action, action);

/**
 * The workspace's audit log, newest first, keyset-paginated like the inbox, filtered by actor,
 * action, entity and time. Each row names its actor and is redacted again on the way out
 * (`redactSecrets`), so a secret never leaves even if a caller once wrote one. OWNER / ADMIN only.
 */
export async function listAuditLog(ctx: Ctx, query: Partial<AuditLogQuery> = {}): Promise<AuditLogResponse> {
  assertActorCan(ctx, "audit.read");
  if (query.from && query.to && new Date(query.from) >= new Date(query.to)) {
    throw new DomainError("invalid_time_range", "`from` must be before `to`", { details: { fields: ["from", "to"] } });
  }
  const limit = query.limit ?? 50;
  const rows = await ctx.db
    .select({
      id: auditLogs.id,
      action: auditLogs.action,
      entityType: auditLogs.entityType,
      entityId: auditLogs.entityId,
      before: auditLogs.before,
      after: auditLogs.after,
      ip: auditLogs.ip,
      userAgent: auditLogs.userAgent,
      requestId: auditLogs.requestId,
      createdAt: auditLogs.createdAt,
      cursorAt: cursorTimestamp(auditLogs.createdAt),
      ...actorColumns,
    })
    .from(auditLogs)
    .leftJoin(users, eq(users.id, auditLogs.actorUserId))
    .leftJoin(apiTokens, eq(apiTokens.id, auditLogs.actorTokenId))
    .where(
      and(
        eq(auditLogs.workspaceId, ctx.workspaceId),
        query.actor ? actorFilter(query.actor) : undefined,
        query.action ? actionFilter(query.action) : undefined,
        query.entityType ? eq(auditLogs.entityType, query.entityType) : undefined,
        query.entityId ? eq(auditLogs.entityId, query.entityId) : undefined,
        query.from ? gte(auditLogs.createdAt, new Date(query.from)) : undefined,
        query.to ? lt(auditLogs.createdAt, new Date(query.to)) : undefined,
        query.cursor ? olderThan(auditLogs.createdAt, auditLogs.id, decodeCursor(query.cursor)) : undefined,
      ),
    )
    .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit);
  return {
    data: page.rows.map((r) => ({
      id: r.id,
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityId,
      actor: toAuditActor(r),
      createdAt: r.createdAt.toISOString(),
      ip: r.ip,
      userAgent: r.userAgent,
      requestId: r.requestId,
      before: redactSecrets(r.before ?? null),
      after: redactSecrets(r.after ?? null),
    })),
    nextCursor: page.nextCursor,
  };
}
