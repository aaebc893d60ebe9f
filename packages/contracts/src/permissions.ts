import { z } from "zod";

/**
 * Every permission name. Which roles hold which permission is decided in one place on the server
 * (packages/core/src/policy.ts); the dashboard receives the caller's list in `MeResponse.permissions`.
 */
export const PERMISSION_NAMES = [
  "conversations.work",
  "account.manage",
  "members.manage",
  "settings.manage",
  "channels.manage",
  "providers.manage",
  "chatbots.read",
  "chatbots.manage",
  "knowledge.manage",
  "integrations.manage",
  "analytics.read",
  "audit.read",
  "moderation.review",
  "logs.read",
  "system.read",
  "jobs.manage",
] as const;

export const Permission = z.enum(PERMISSION_NAMES);
export type Permission = z.infer<typeof Permission>;
