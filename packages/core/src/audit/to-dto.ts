import type { AuditActor } from "@tandem/contracts";
import { apiTokens, auditLogs, users } from "@tandem/db";

/** The columns that name an audit row's actor (users and api_token left-joined). */
export const actorColumns = {
  actorType: auditLogs.actorType,
  actorUserId: auditLogs.actorUserId,
  actorTokenId: auditLogs.actorTokenId,
  userName: users.name,
  userEmail: users.email,
  tokenName: apiTokens.name,
};

export interface ActorRow {
  actorType: "user" | "token" | "system";
  actorUserId: string | null;
  actorTokenId: string | null;
  userName: string | null;
  userEmail: string | null;
  tokenName: string | null;
}

/** Who, as the log shows it: the person's name (else email), `Token "name"`, or `System`. */
export function toAuditActor(row: ActorRow): AuditActor {
  const person = row.userName?.trim() || row.userEmail;
  const label =
    row.actorType === "system"
      ? "System"
      : row.actorType === "token"
        ? `${row.tokenName ? `Token "${row.tokenName}"` : "A deleted token"}${person ? ` (${person})` : ""}`
        : (person ?? "A deleted user");
  return {
    type: row.actorType,
    userId: row.actorUserId,
    tokenId: row.actorTokenId,
    label,
    email: row.userEmail,
    tokenName: row.tokenName,
  };
}
