import type { MeResponse, Permission, Role } from "@tandem/contracts";

/** Whether the caller's role includes `permission` (the server lists them in `MeResponse.permissions`). */
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
