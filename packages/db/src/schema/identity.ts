import { relations, sql } from "drizzle-orm";
import { index, jsonb, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";

/** Workspaces (the seeds' "Company"), people, their memberships and credentials. */

export const memberRole = pgEnum("member_role", ["OWNER", "ADMIN", "AGENT"]);

/** Workspace-wide preferences; absent fields take their defaults (`core/workspaces/inbox-settings.ts`). */
export interface WorkspaceSettings {
  inbox?: {
    /** An agent's reply to an unassigned conversation assigns it to them. Default true. */
    assignOnReply?: boolean;
    /**
     * `round_robin`: a conversation waiting for a person (handed off, or without a bot) is assigned to
     * the online member who was auto-assigned least recently. Default `off`.
     */
    autoAssign?: "off" | "round_robin";
  };
  analytics?: {
    /** IANA time zone of the analytics' days. Default UTC. */
    timeZone?: string;
  };
  /**
   * Bookkeeping of `core/analytics`, never shown: the time zone the daily rollups were built in, when,
   * and how many messages and conversations were created from five minutes before then (a read finding
   * the same counts and no dirty day has nothing to rebuild).
   */
  analyticsRollups?: { timeZone: string; builtAt: string; recent?: { messages: number; conversations: number } };
}

export const workspaces = pgTable("workspace", {
  id: idColumn("workspace"),
  name: text("name").notNull(),
  settings: jsonb("settings").$type<WorkspaceSettings>().notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const users = pgTable(
  "app_user",
  {
    id: idColumn("user"),
    email: text("email").notNull(),
    name: text("name"),
    passwordHash: text("password_hash"),
    lastSeenAt: tstz("last_seen_at"),
    /** The workspace of the user's latest session: the next sign-in lands there. */
    lastWorkspaceId: text("last_workspace_id").references(() => workspaces.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("app_user_email_key").on(sql`lower(${t.email})`)],
);

export const sessions = pgTable(
  "session",
  {
    id: idColumn("session"),
    tokenHash: text("token_hash").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    workspaceId: text("workspace_id").references(() => workspaces.id, { onDelete: "set null" }),
    /** Slides forward with use, never past `created_at` + the absolute lifetime (core/auth/sessions.ts). */
    expiresAt: tstz("expires_at").notNull(),
    /** Address of the latest use (updated with `last_seen_at`); the sign-in's until then. */
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** Updated at most every few minutes, not on every request. */
    lastSeenAt: tstz("last_seen_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("session_token_hash_key").on(t.tokenHash),
    index("session_user_idx").on(t.userId),
    index("session_expires_idx").on(t.expiresAt),
  ],
);

export const members = pgTable(
  "member",
  {
    id: idColumn("member"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: memberRole("role").notNull().default("AGENT"),
    /**
     * Online in the dashboard until then: renewed by the web processes while the member has a socket
     * open (`recordMemberPresence`), so a crashed process's members lapse within minutes.
     */
    onlineUntil: tstz("online_until"),
    /** The latest round-robin assignment, to pick the member who waited longest for one. */
    lastAutoAssignedAt: tstz("last_auto_assigned_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("member_workspace_user_key").on(t.workspaceId, t.userId), index("member_user_idx").on(t.userId)],
);

export const invitations = pgTable(
  "invitation",
  {
    id: idColumn("invitation"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: memberRole("role").notNull().default("AGENT"),
    tokenHash: text("token_hash").notNull(),
    invitedById: text("invited_by_id").references(() => users.id, { onDelete: "set null" }),
    expiresAt: tstz("expires_at").notNull(),
    acceptedAt: tstz("accepted_at"),
    revokedAt: tstz("revoked_at"),
    /** The invitation mail of the current link: `queued`, `sent` or `failed`; null when it was not mailed. */
    emailStatus: text("email_status").$type<"queued" | "sent" | "failed">(),
    emailError: text("email_error"),
    emailedAt: tstz("emailed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("invitation_token_hash_key").on(t.tokenHash),
    index("invitation_workspace_idx").on(t.workspaceId),
    uniqueIndex("invitation_pending_email_key")
      .on(t.workspaceId, sql`lower(${t.email})`)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
  ],
);

/**
 * "Forgot password" links: only the SHA-256 of the token is stored; a row lives until it is used,
 * replaced by a newer request of the same user, or expires.
 */
export const passwordResets = pgTable(
  "password_reset",
  {
    id: idColumn("passwordReset"),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: tstz("expires_at").notNull(),
    /** The address the request came from, quoted in the mail. */
    requestedIp: text("requested_ip"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("password_reset_token_hash_key").on(t.tokenHash), index("password_reset_user_idx").on(t.userId)],
);

/** Personal API tokens: only the SHA-256 of the token is stored, plus a short hint to recognise it. */
export const apiTokens = pgTable(
  "api_token",
  {
    id: idColumn("apiToken"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    hint: text("hint").notNull(),
    lastUsedAt: tstz("last_used_at"),
    expiresAt: tstz("expires_at"),
    revokedAt: tstz("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("api_token_hash_key").on(t.tokenHash),
    index("api_token_workspace_user_idx").on(t.workspaceId, t.userId),
  ],
);

export const workspacesRelations = relations(workspaces, ({ many }) => ({
  members: many(members),
  invitations: many(invitations),
}));

export const membersRelations = relations(members, ({ one }) => ({
  workspace: one(workspaces, { fields: [members.workspaceId], references: [workspaces.id] }),
  user: one(users, { fields: [members.userId], references: [users.id] }),
}));

export const usersRelations = relations(users, ({ many }) => ({
  memberships: many(members),
  sessions: many(sessions),
}));

export const sessionsRelations = relations(sessions, ({ one }) => ({
  user: one(users, { fields: [sessions.userId], references: [users.id] }),
}));
