import type { RollbackPromptInput } from "@tandem/contracts";
import { promptVersions } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import { changePrompt, type ExpectedVersion, type PromptChangeResult } from "./change-prompt.ts";

/**
 * Makes an earlier version live again as a new version (method `rollback`, metadata `{fromVersionId,
 * fromVersion}`): history only grows. Rolling back to a text equal to the live one adds nothing.
 */
export async function rollbackPrompt(
  ctx: Ctx,
  input: RollbackPromptInput & { chatbotId: string; expected: ExpectedVersion },
): Promise<PromptChangeResult> {
  return changePrompt(
    ctx,
    { chatbotId: input.chatbotId, expected: input.expected, action: "prompt.rollback" },
    async (tx, chatbot) => {
      const [from] = await tx.db
        .select()
        .from(promptVersions)
        .where(and(eq(promptVersions.id, input.versionId), eq(promptVersions.chatbotId, chatbot.id)))
        .limit(1);
      if (!from) throw new DomainError("prompt_version_not_found", "Prompt version not found");
      return {
        text: from.text,
        method: "rollback",
        note: input.note,
        textPath: "versionId",
        metadata: { fromVersionId: from.id, fromVersion: from.version },
      };
    },
  );
}
