import { auditLogs, type Db } from "@tandem/db";
import { actorUserId, type Ctx } from "../context.ts";
import { redactSecrets } from "./redact-secrets.ts";

export interface AuditEntry {
  /** `entity.verb`, e.g. `member.invite`, `channel.connect`, `provider.update`. */
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Write an audit row; call it inside the transaction that makes the change. */
export async function recordAudit(ctx: Ctx, entry: AuditEntry): Promise<void> {
  await writeAuditRow(
    ctx.db,
    {
      workspaceId: ctx.workspaceId,
      actorType: ctx.actor.type,
      actorUserId: actorUserId(ctx.actor),
      actorTokenId: ctx.actor.type === "token" ? ctx.actor.tokenId : null,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      requestId: ctx.requestId,
    },
    entry,
  );
}

export interface AuditOrigin {
  workspaceId: string;
  actorType: "user" | "token" | "system";
  actorUserId: string | null;
  actorTokenId?: string | null;
  ip?: string | null | undefined;
  userAgent?: string | null | undefined;
  requestId?: string | null | undefined;
}

/** The one writer of audit rows, for callers without a workspace context (sign-in, sign-out). */
export async function writeAuditRow(db: Db, origin: AuditOrigin, entry: AuditEntry): Promise<void> {
  await db.insert(auditLogs).values({
    workspaceId: origin.workspaceId,
    actorUserId: origin.actorUserId,
    actorType: origin.actorType,
    actorTokenId: origin.actorTokenId ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    before: entry.before === undefined ? null : redactSecrets(entry.before),
    after: entry.after === undefined ? null : redactSecrets(entry.after),
    ip: origin.ip ?? null,
    userAgent: origin.userAgent?.slice(0, 400) ?? null,
    requestId: origin.requestId ?? null,
  });
}
