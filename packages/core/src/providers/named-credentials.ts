import type { NamedCredentialDto } from "@tandem/contracts";
import { chatbots, type Db } from "@tandem/db";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { DomainError } from "../errors.ts";
import type { CredentialRow } from "./provider-deps.ts";

/** The chatbots (not deleted) that name each of these credentials. */
export async function chatbotsUsing(db: Db, workspaceId: string, credentialIds: string[]) {
  if (credentialIds.length === 0) return [];
  return db
    .select({ id: chatbots.id, name: chatbots.name, credentialId: chatbots.credentialId })
    .from(chatbots)
    .where(
      and(
        eq(chatbots.workspaceId, workspaceId),
        inArray(chatbots.credentialId, credentialIds),
        isNull(chatbots.deletedAt),
      ),
    )
    .orderBy(asc(chatbots.name));
}

/** The API view of a named credential: the key as a hint only, never the key or its envelope. */
export function namedCredentialToDto(row: CredentialRow, usedBy: { id: string; name: string }[]): NamedCredentialDto {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as NamedCredentialDto["kind"],
    hasApiKey: Boolean(row.apiKeyEncrypted),
    apiKeyHint: row.apiKeyEncrypted ? (row.keyHint ?? "••••") : null,
    baseUrl: row.baseUrl,
    defaultModel: row.defaultModel,
    lastTest: row.lastTestedAt
      ? {
          ok: row.lastTestStatus === "ok",
          code: row.lastTestStatus === "ok" ? null : row.lastTestStatus,
          message: row.lastTestError,
          at: row.lastTestedAt.toISOString(),
        }
      : null,
    usedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function namedCredentialDtos(db: Db, workspaceId: string, rows: CredentialRow[]) {
  const users = await chatbotsUsing(
    db,
    workspaceId,
    rows.map((r) => r.id),
  );
  return rows.map((row) =>
    namedCredentialToDto(
      row,
      users.filter((u) => u.credentialId === row.id).map(({ id, name }) => ({ id, name })),
    ),
  );
}

export const credentialNotFound = () => new DomainError("credential_not_found", "Provider credential not found");

/** What the audit trail keeps of a credential: the key's hint, never the key or its envelope. */
export const credentialAuditView = (row: CredentialRow) => ({
  name: row.name,
  kind: row.kind,
  keyHint: row.apiKeyEncrypted ? row.keyHint : null,
  baseUrl: row.baseUrl,
  defaultModel: row.defaultModel,
});

/** The unique (workspace, name) index refused the row: another credential has that name. */
export function nameTaken(error: unknown, name: string): DomainError | null {
  const pgError = (error as { cause?: { code?: string; constraint?: string } }).cause ?? (error as { code?: string });
  const code = (pgError as { code?: string }).code;
  if (code !== "23505") return null;
  return new DomainError("credential_name_taken", `A provider credential named "${name}" already exists.`, {
    details: [{ path: "name", message: "already used by another credential" }],
  });
}
