import type { PromptDto } from "@tandem/contracts";
import { recordAudit } from "../../audit/record-audit.ts";
import { assertValidPromptTemplate } from "../../bots/prompt.ts";
import { actorRole, actorUserId, type Ctx, withTransaction } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import { assertCan } from "../../policy.ts";
import { type ChatbotRow, getChatbotInWorkspace } from "../get-chatbot-in-workspace.ts";
import { savePromptVersion } from "./save-prompt-version.ts";
import { loadLiveVersion, type PromptVersionRow, promptToDto } from "./to-dto.ts";

/**
 * The version the caller saw: version ids from `If-Match` (one matching is enough), `*` for "whatever
 * is live", `none` for "no version yet".
 */
export type ExpectedVersion = readonly string[];

export interface PromptChange {
  text: string;
  method: PromptVersionRow["method"];
  note?: string | undefined;
  metadata?: Record<string, unknown>;
  /** The request field the text came from, for the 400 of an unknown `{variable}`. */
  textPath: string;
}

export interface PromptChangeResult {
  prompt: PromptDto;
  /** False when the text equalled the live one: no version was added. */
  created: boolean;
}

/**
 * The one path of a prompt change (save, AI draft applied, rollback): lock the chatbot, check that the
 * live version is the one the caller saw (else 409 `prompt_version_conflict` carrying the live
 * prompt), then add a version and make it live, audited in the same transaction. The row lock makes
 * two saves from the same version meet one after the other: the second sees the first's version and
 * gets the 409. A text equal to the live one adds nothing and answers the live version.
 */
export async function changePrompt(
  ctx: Ctx,
  input: { chatbotId: string; expected: ExpectedVersion; action: string },
  build: (tx: Ctx, chatbot: ChatbotRow) => Promise<PromptChange>,
): Promise<PromptChangeResult> {
  assertCan(actorRole(ctx.actor), "chatbots.manage");
  return withTransaction(ctx, async (tx) => {
    const chatbot = await getChatbotInWorkspace(tx, input.chatbotId, { forUpdate: true });
    const live = await loadLiveVersion(tx.db, chatbot);
    if (!matches(input.expected, chatbot.currentPromptVersionId)) {
      throw new DomainError(
        "prompt_version_conflict",
        "The prompt was changed since you loaded it: review the live version and save again.",
        { details: { current: promptToDto(chatbot, live) } },
      );
    }
    const change = await build(tx, chatbot);
    assertValidPromptTemplate(change.text, change.textPath);
    if (live && live.version.text === change.text) return { prompt: promptToDto(chatbot, live), created: false };

    const version = await savePromptVersion(tx.db, chatbot.id, {
      text: change.text,
      method: change.method,
      authorId: actorUserId(tx.actor),
      note: change.note,
      metadata: change.metadata,
    });
    await recordAudit(tx, {
      action: input.action,
      entityType: "chatbot",
      entityId: chatbot.id,
      before: live ? { versionId: live.version.id, version: live.version.version, text: live.version.text } : null,
      after: {
        versionId: version.id,
        version: version.version,
        method: version.method,
        note: version.note,
        metadata: version.metadata,
        text: version.text,
      },
    });
    const after = await loadLiveVersion(tx.db, { ...chatbot, currentPromptVersionId: version.id });
    return { prompt: promptToDto({ ...chatbot, systemPrompt: version.text }, after), created: true };
  });
}

function matches(expected: ExpectedVersion, liveVersionId: string | null): boolean {
  return expected.some((tag) => tag === "*" || tag === (liveVersionId ?? "none"));
}
