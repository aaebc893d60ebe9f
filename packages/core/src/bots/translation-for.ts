import { chatbotTranslations, type Db } from "@tandem/db";
import { and, eq, inArray, sql } from "drizzle-orm";

type TranslationRow = typeof chatbotTranslations.$inferSelect;

/**
 * The language codes a contact's locale may match, most precise first: Messenger's `th_TH`, a
 * browser's `th-TH` and LINE's `th` all reach a `th` translation, and `pt_BR` a `pt-BR` one first.
 */
export function localeCandidates(locale: string | null | undefined): string[] {
  const normalized = locale?.trim().replaceAll("_", "-").toLowerCase();
  if (!normalized || !/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(normalized)) return [];
  const primary = normalized.split("-")[0]!;
  return normalized === primary ? [primary] : [normalized, primary];
}

/** The chatbot's overrides for a customer's locale (the most precise match), if it has any. */
export async function translationFor(
  db: Db,
  chatbotId: string,
  locale: string | null | undefined,
): Promise<TranslationRow | undefined> {
  const candidates = localeCandidates(locale);
  if (candidates.length === 0) return undefined;
  const rows = await db
    .select()
    .from(chatbotTranslations)
    .where(
      and(
        eq(chatbotTranslations.chatbotId, chatbotId),
        inArray(sql`lower(${chatbotTranslations.languageCode})`, candidates),
      ),
    );
  for (const candidate of candidates) {
    const found = rows.find((r) => r.languageCode.toLowerCase() === candidate);
    if (found) return found;
  }
  return undefined;
}
