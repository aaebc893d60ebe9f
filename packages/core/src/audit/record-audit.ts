import { auditLogs } from "@tandem/db";
import { actorUserId, type Ctx } from "../context.ts";

const SECRET_KEY = /(token|secret|password|apikey|api_key|authorization|cookie|(^|_)key$)/i;

/**
 * Deep copy with every secret-looking field replaced, so audit rows never hold credentials. Numbers
 * and booleans are kept: no secret is one, and counts like `maxTokens` match the pattern.
 */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactSecrets) as T;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== "boolean" && typeof v !== "number"
          ? "[redacted]"
          : redactSecrets(v),
      ]),
    ) as T;
  }
  return value;
}

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
  await ctx.db.insert(auditLogs).values({
    workspaceId: ctx.workspaceId,
    actorUserId: actorUserId(ctx.actor),
    actorType: ctx.actor.type,
    actorTokenId: ctx.actor.type === "token" ? ctx.actor.tokenId : null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    before: entry.before === undefined ? null : redactSecrets(entry.before),
    after: entry.after === undefined ? null : redactSecrets(entry.after),
    ip: ctx.ip ?? null,
    userAgent: ctx.userAgent ?? null,
    requestId: ctx.requestId ?? null,
  });
}
