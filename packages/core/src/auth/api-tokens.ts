import type { ApiTokenDto, CreateApiTokenInput, Role } from "@tandem/contracts";
import { apiTokens, type Db, members, users, workspaces } from "@tandem/db";
import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { newOpaqueToken, sha256 } from "./crypto.ts";

/** Personal API tokens: `tdm_…`, shown once, stored as SHA-256, bound to one workspace membership. */
const TOKEN_PREFIX = "tdm";

const toDto = (row: typeof apiTokens.$inferSelect): ApiTokenDto => ({
  id: row.id,
  name: row.name,
  hint: row.hint,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

function requireUser(ctx: Ctx): string {
  if (ctx.actor.type === "system") throw new DomainError("forbidden", "API tokens belong to a person");
  return ctx.actor.userId;
}

export async function createApiToken(
  ctx: Ctx,
  input: CreateApiTokenInput,
): Promise<{ token: string; apiToken: ApiTokenDto }> {
  const userId = requireUser(ctx);
  const token = newOpaqueToken(TOKEN_PREFIX);
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(apiTokens)
      .values({
        workspaceId: ctx.workspaceId,
        userId,
        name: input.name,
        tokenHash: sha256(token),
        hint: `${TOKEN_PREFIX}_…${token.slice(-4)}`,
        expiresAt,
      })
      .returning();
    await recordAudit(tx, {
      action: "api_token.create",
      entityType: "api_token",
      entityId: row!.id,
      after: { name: row!.name, hint: row!.hint, expiresAt },
    });
    return { token, apiToken: toDto(row!) };
  });
}

export async function listApiTokens(ctx: Ctx): Promise<ApiTokenDto[]> {
  const userId = requireUser(ctx);
  const rows = await ctx.db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.workspaceId, ctx.workspaceId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map(toDto);
}

export async function revokeApiToken(ctx: Ctx, id: string): Promise<void> {
  const userId = requireUser(ctx);
  await withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(apiTokens.id, id),
          eq(apiTokens.workspaceId, ctx.workspaceId),
          eq(apiTokens.userId, userId),
          isNull(apiTokens.revokedAt),
        ),
      )
      .returning();
    if (!row) throw new DomainError("api_token_not_found", "API token not found");
    await recordAudit(tx, {
      action: "api_token.revoke",
      entityType: "api_token",
      entityId: id,
      before: { name: row.name, hint: row.hint },
    });
  });
}

export interface TokenIdentity {
  tokenId: string;
  user: { id: string; email: string; name: string | null };
  workspace: { id: string; name: string };
  memberId: string;
  role: Role;
}

/** Resolves `Authorization: Bearer tdm_…`; a revoked or expired token, or a removed member, resolves to null. */
export async function resolveApiToken(db: Db, token: string): Promise<TokenIdentity | null> {
  if (!token.startsWith(`${TOKEN_PREFIX}_`) || token.length > 200) return null;
  const now = new Date();
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      lastUsedAt: apiTokens.lastUsedAt,
      userId: users.id,
      email: users.email,
      name: users.name,
      workspaceId: workspaces.id,
      workspaceName: workspaces.name,
      memberId: members.id,
      role: members.role,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .innerJoin(workspaces, eq(workspaces.id, apiTokens.workspaceId))
    .innerJoin(members, and(eq(members.workspaceId, apiTokens.workspaceId), eq(members.userId, apiTokens.userId)))
    .where(
      and(
        eq(apiTokens.tokenHash, sha256(token)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
      ),
    )
    .limit(1);
  if (!row) return null;
  // Record use at most once a minute: tokens are hot on API clients.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiTokens.id, row.tokenId),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(now.getTime() - 60_000))),
        ),
      );
  }
  return {
    tokenId: row.tokenId,
    user: { id: row.userId, email: row.email, name: row.name },
    workspace: { id: row.workspaceId, name: row.workspaceName },
    memberId: row.memberId,
    role: row.role,
  };
}
