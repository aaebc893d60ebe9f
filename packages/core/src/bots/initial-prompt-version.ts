import { chatbots, type Db, promptVersions } from "@tandem/db";
import { eq } from "drizzle-orm";

/**
 * Version 1 of a new chatbot's prompt, made current, so every bot message can name the prompt it was
 * written with from the first reply on. The text is the chatbot's `systemPrompt` as stored: empty
 * means the default template (seed S0's, in `prompt.ts`), marked so in the metadata.
 */
export async function createInitialPromptVersion(
  tx: Db,
  chatbot: { id: string; systemPrompt: string },
  authorId: string | null,
): Promise<string> {
  const [version] = await tx
    .insert(promptVersions)
    .values({
      chatbotId: chatbot.id,
      version: 1,
      text: chatbot.systemPrompt,
      authorId,
      method: "manual",
      metadata: { source: "created", ...(chatbot.systemPrompt ? {} : { defaultTemplate: true }) },
    })
    .returning({ id: promptVersions.id });
  await tx.update(chatbots).set({ currentPromptVersionId: version!.id }).where(eq(chatbots.id, chatbot.id));
  return version!.id;
}
