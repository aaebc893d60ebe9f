import type { MeResponse, Role } from "@tandem/contracts";

/** Permission names the server lists in `MeResponse.permissions` (the policy lives in core). */
export type Permission =
  | "conversations.work"
  | "account.manage"
  | "members.manage"
  | "settings.manage"
  | "channels.manage"
  | "providers.manage"
  | "chatbots.manage"
  | "knowledge.manage"
  | "analytics.read"
  | "audit.read"
  | "system.read"
  | "jobs.manage";

export function can(me: Pick<MeResponse, "permissions"> | undefined, permission: Permission): boolean {
  return me?.permissions.includes(permission) ?? false;
}

/** Only an owner may grant, take away or remove the OWNER role (the server enforces the same rule). */
export function assignableRoles(actorRole: Role): Role[] {
  return actorRole === "OWNER" ? ["OWNER", "ADMIN", "AGENT"] : ["ADMIN", "AGENT"];
}

export const ROLE_LABELS: Record<Role, string> = {
  OWNER: "Owner",
  ADMIN: "Admin",
  AGENT: "Agent",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  OWNER: "Full access to the workspace. Every workspace keeps at least one owner.",
  ADMIN: "Sets up members, channels, providers and chatbots, and works the inbox.",
  AGENT: "Works the inbox: replies, hands over to and from the bot, tags and notes.",
};
