import { relations } from "drizzle-orm";
import { pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, updatedAt } from "./columns.ts";
import { users, workspaces } from "./identity.ts";

/**
 * Saved replies shared by a workspace's team, inserted from the composer by typing `/shortcut`.
 * The text may hold `{variables}` (contracts `CANNED_VARIABLES`), filled in when it is inserted.
 */
export const cannedResponses = pgTable(
  "canned_response",
  {
    id: idColumn("cannedResponse"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** Lowercase `[a-z0-9_-]{1,32}`, unique per workspace (checked by contracts `CannedShortcut`). */
    shortcut: text("shortcut").notNull(),
    title: text("title").notNull(),
    text: text("text").notNull(),
    createdById: text("created_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // Also the index of the workspace's list (its leading column).
  (t) => [uniqueIndex("canned_response_workspace_shortcut_uq").on(t.workspaceId, t.shortcut)],
);

export const cannedResponsesRelations = relations(cannedResponses, ({ one }) => ({
  workspace: one(workspaces, { fields: [cannedResponses.workspaceId], references: [workspaces.id] }),
  createdBy: one(users, { fields: [cannedResponses.createdById], references: [users.id] }),
}));
