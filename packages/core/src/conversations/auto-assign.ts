import { conversations, type Db, members, rowsOf } from "@tandem/db";
import { sql } from "drizzle-orm";
import { roundRobinSql } from "../workspaces/inbox-settings.ts";

/**
 * Round-robin assignment (the workspace's `inbox.autoAssign = "round_robin"`): an open, unassigned
 * conversation waiting for a person goes to the member online in the dashboard now (`online_until`,
 * kept by `recordMemberPresence`) whose last automatic assignment is the oldest — everyone takes
 * turns, a member who just came online goes first. One statement: the member row is locked (`skip
 * locked`, so two conversations handed off at once go to two people when two are online), the
 * conversation is assigned only if it still has nobody, and the member's turn is recorded. Nobody
 * online, the setting off, or the conversation already owned: nothing changes.
 *
 * Callers: a handoff (`handOffConversation`, in its transaction) and a customer message in a
 * conversation without a bot (`receiveCustomerMessages`). Returns the member assigned, or null.
 */
export async function autoAssignConversation(
  tx: Db,
  conversation: { id: string; workspaceId: string },
  now = new Date(),
): Promise<string | null> {
  const result = await tx.execute(sql`
    with candidate as (
      select ${members.id} as id from ${members}
      where ${members.workspaceId} = ${conversation.workspaceId}
        and ${members.onlineUntil} > ${now.toISOString()}::timestamptz
        and ${roundRobinSql(conversation.workspaceId)}
      order by ${members.lastAutoAssignedAt} asc nulls first, ${members.createdAt}, ${members.id}
      limit 1
      for update skip locked
    ), assigned as (
      update ${conversations} set assignee_id = candidate.id, updated_at = now()
      from candidate
      where ${conversations.id} = ${conversation.id}
        and ${conversations.workspaceId} = ${conversation.workspaceId}
        and ${conversations.assigneeId} is null
        and ${conversations.status} = 'OPEN'
        and not ${conversations.isPlayground}
      returning candidate.id
    )
    update ${members} set last_auto_assigned_at = ${now.toISOString()}::timestamptz
    where ${members.id} in (select id from assigned)
    returning ${members.id} as id`);
  return rowsOf<{ id: string }>(result)[0]?.id ?? null;
}
