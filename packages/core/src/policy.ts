import type { Permission, Role } from "@tandem/contracts";
import { DomainError } from "./errors.ts";

/**
 * The role policy, in one place. Every route and verb asks `can(role, permission)`; the dashboard
 * receives the caller's permissions from `/api/v1/me` to show only what the role may use.
 */
export const PERMISSIONS = {
  /** Read and work the inbox: reply, toggle auto-bot, drafts, tags, assignment, notes. */
  "conversations.work": ["OWNER", "ADMIN", "AGENT"],
  /** Personal API tokens and one's own profile. */
  "account.manage": ["OWNER", "ADMIN", "AGENT"],
  "members.manage": ["OWNER", "ADMIN"],
  "settings.manage": ["OWNER", "ADMIN"],
  "channels.manage": ["OWNER", "ADMIN"],
  "providers.manage": ["OWNER", "ADMIN"],
  /** See the chatbots, their prompts and history (read-only); managing them is `chatbots.manage`. */
  "chatbots.read": ["OWNER", "ADMIN", "AGENT"],
  "chatbots.manage": ["OWNER", "ADMIN"],
  "knowledge.manage": ["OWNER", "ADMIN"],
  /** Connect, resync and disconnect stores (Shopify; docs/shopify.md). */
  "integrations.manage": ["OWNER", "ADMIN"],
  "analytics.read": ["OWNER", "ADMIN"],
  "audit.read": ["OWNER", "ADMIN"],
  /** The moderation queue: review flagged messages (docs/moderation.md). */
  "moderation.review": ["OWNER", "ADMIN"],
  /** The message log (`/logs`) and its CSV export: every message of every conversation. */
  "logs.read": ["OWNER", "ADMIN"],
  "system.read": ["OWNER", "ADMIN"],
  "jobs.manage": ["OWNER", "ADMIN"],
} as const satisfies Record<Permission, readonly Role[]>;

export type { Permission };

export const ROLES: readonly Role[] = ["OWNER", "ADMIN", "AGENT"];

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(role, p));
}

export function assertCan(role: Role, permission: Permission): void {
  if (!can(role, permission)) {
    throw new DomainError("forbidden", "Your role does not allow this action", { details: { permission } });
  }
}

/** Only an OWNER may grant or take away the OWNER role. */
export function canAssignRole(actorRole: Role, targetRole: Role): boolean {
  if (targetRole === "OWNER") return actorRole === "OWNER";
  return can(actorRole, "members.manage");
}
