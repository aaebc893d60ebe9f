import type { PromptHistoryQuery, PromptHistoryResponse } from "@tandem/contracts";
import { promptVersions } from "@tandem/db";
import { and, desc, eq, lt } from "drizzle-orm";
import { actorRole, type Ctx } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import { assertCan } from "../../policy.ts";
import { getChatbotInWorkspace } from "../get-chatbot-in-workspace.ts";
import { versionSummaryToDto, versionWithAuthor } from "./to-dto.ts";

/**
 * The chatbot's prompt versions, newest first, without their texts (`getPromptVersion` has them).
 * Version numbers are unique per chatbot and only grow, so the cursor is the last number shown
 * (base64url, opaque to clients).
 */
export async function listPromptHistory(
  ctx: Ctx,
  input: PromptHistoryQuery & { chatbotId: string },
): Promise<PromptHistoryResponse> {
  assertCan(actorRole(ctx.actor), "chatbots.read");
  const chatbot = await getChatbotInWorkspace(ctx, input.chatbotId);
  const before = input.cursor === undefined ? undefined : decodeVersionCursor(input.cursor);
  const rows = await versionWithAuthor(ctx.db)
    .where(
      and(
        eq(promptVersions.chatbotId, chatbot.id),
        before === undefined ? undefined : lt(promptVersions.version, before),
      ),
    )
    .orderBy(desc(promptVersions.version))
    .limit(input.limit + 1);
  const shown = rows.slice(0, input.limit);
  const last = shown.at(-1);
  return {
    data: shown.map((row) => versionSummaryToDto(row, chatbot.currentPromptVersionId)),
    nextCursor: rows.length > input.limit && last ? encodeVersionCursor(last.version.version) : null,
  };
}

const encodeVersionCursor = (version: number) => Buffer.from(`v${version}`).toString("base64url");

function decodeVersionCursor(cursor: string): number {
  const match = /^v([1-9]\d{0,8})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw new DomainError("invalid_cursor", "The cursor is not valid: start again from the first page");
  return Number(match[1]);
}
