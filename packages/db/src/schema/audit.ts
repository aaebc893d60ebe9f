import { relations } from "drizzle-orm";
import { index, jsonb, pgEnum, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, idColumn } from "./columns.ts";
import { apiTokens, users, workspaces } from "./identity.ts";

/**
 * The audit trail of settings changes, written in the same transaction as the change. `before` and
 * `after` are snapshots with secrets already redacted by the caller; rows are never updated.
 */

export const auditActorType = pgEnum("audit_actor_type", ["user", "token", "system"]);

export const auditLogs = pgTable(
  "audit_log",
  {
    id: idColumn("auditLog"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    actorType: auditActorType("actor_type").notNull(),
    actorUserId: text("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    actorTokenId: text("actor_token_id").references(() => apiTokens.id, { onDelete: "set null" }),
    /** `entity.verb`, e.g. `channel.connect`, `provider.update`. */
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id"),
    before: jsonb("before"),
    after: jsonb("after"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_log_workspace_created_idx").on(t.workspaceId, t.createdAt.desc().nullsFirst()),
    index("audit_log_entity_idx").on(t.workspaceId, t.entityType, t.entityId),
  ],
);

export const auditLogsRelations = relations(auditLogs, ({ one }) => ({
  workspace: one(workspaces, { fields: [auditLogs.workspaceId], references: [workspaces.id] }),
  actorUser: one(users, { fields: [auditLogs.actorUserId], references: [users.id] }),
  actorToken: one(apiTokens, { fields: [auditLogs.actorTokenId], references: [apiTokens.id] }),
}));
