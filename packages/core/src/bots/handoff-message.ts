import { type chatbots, contacts, type Db } from "@tandem/db";
import { eq } from "drizzle-orm";
import type { HandoffReason } from "./guardrails.ts";
import { localeCandidates, translationFor } from "./translation-for.ts";

/**
 * What the customer is told when their conversation goes to a person, so a handoff is never silence
 * on their side (Intercom's "a teammate will reply", Chatwoot's handoff message). In the customer's
 * language when we know it:
 *
 * 1. the chatbot's translation for the contact's language (`chatbot_translation.translations.handoffMessage`);
 * 2. the chatbot's own message (`guardrails.handoffMessage`), for customers of the chatbot's language —
 *    or of a language with no built-in message;
 * 3. the built-in message of the customer's language, else of the chatbot's, else English.
 *
 * An empty message (`""`) means "say nothing": in a translation for that language, in the guardrails
 * for every language without a translation of its own.
 */
export const DEFAULT_HANDOFF_MESSAGES: Readonly<Record<string, string>> = {
  en: "Thanks for your patience. I've asked a member of our team to help; they'll reply here as soon as they can.",
  th: "ขอบคุณที่รอนะคะ เราได้แจ้งเจ้าหน้าที่ให้แล้ว เจ้าหน้าที่จะตอบกลับในแชทนี้โดยเร็วที่สุดค่ะ",
  ja: "お待たせしております。担当者に引き継ぎました。こちらのチャットでできるだけ早くご返信いたします。",
  zh: "感谢您的耐心等待。我已请我们的工作人员协助您，他们会尽快在这里回复您。",
  es: "Gracias por tu paciencia. He pedido a una persona de nuestro equipo que te ayude; te responderá aquí lo antes posible.",
  fr: "Merci de votre patience. J'ai demandé à un membre de notre équipe de vous aider ; il vous répondra ici dès que possible.",
  de: "Danke für Ihre Geduld. Ich habe ein Teammitglied gebeten, Ihnen zu helfen; es antwortet Ihnen hier so bald wie möglich.",
  pt: "Obrigado pela paciência. Pedi a uma pessoa da nossa equipe para ajudar; ela responderá aqui assim que possível.",
  id: "Terima kasih atas kesabaran Anda. Saya sudah meminta anggota tim kami untuk membantu; mereka akan membalas di sini secepatnya.",
  vi: "Cảm ơn bạn đã kiên nhẫn. Mình đã nhờ một thành viên trong nhóm hỗ trợ; họ sẽ trả lời bạn tại đây sớm nhất có thể.",
};

/**
 * Without a chatbot nothing speaks for the business. (A bot whose answer just went out — a model that
 * asked for a person in words — is not given one either: its caller passes no chatbot.)
 */
const SILENT_REASONS: ReadonlySet<HandoffReason> = new Set(["no_chatbot"]);

/** `th_TH`, `th-TH`, `TH` → `th`; null when it is not a language code (`localeCandidates`' last, the primary one). */
export function languageOf(locale: string | null | undefined): string | null {
  return localeCandidates(locale).at(-1) ?? null;
}

type ChatbotFields = Pick<typeof chatbots.$inferSelect, "id" | "language" | "guardrails">;

/** The built-in message in a language (`th`, `th_TH`), else English. */
export const defaultHandoffMessage = (locale: string | null | undefined): string =>
  DEFAULT_HANDOFF_MESSAGES[languageOf(locale) ?? "en"] ?? DEFAULT_HANDOFF_MESSAGES.en!;

/** The message for this handoff, or null when the customer is not to be told. */
export async function handoffMessageFor(
  db: Db,
  input: { chatbot: ChatbotFields | undefined | null; contactId: string | null; reason: HandoffReason },
): Promise<string | null> {
  const { chatbot } = input;
  if (!chatbot || SILENT_REASONS.has(input.reason)) return null;
  const [contact] = input.contactId
    ? await db.select({ locale: contacts.locale }).from(contacts).where(eq(contacts.id, input.contactId)).limit(1)
    : [];
  const own = languageOf(chatbot.language) ?? "en";
  const language = languageOf(contact?.locale) ?? own;
  const translation = await translationFor(
    db,
    chatbot.id,
    languageOf(contact?.locale) ? contact?.locale : chatbot.language,
  );
  const translated = translation?.translations.handoffMessage;
  if (typeof translated === "string") return translated.trim() || null;
  const configured = chatbot.guardrails.handoffMessage;
  if (typeof configured === "string" && configured.trim() === "") return null;
  if (typeof configured === "string" && (language === own || !DEFAULT_HANDOFF_MESSAGES[language])) {
    return configured.trim();
  }
  return DEFAULT_HANDOFF_MESSAGES[language] ?? DEFAULT_HANDOFF_MESSAGES[own] ?? DEFAULT_HANDOFF_MESSAGES.en!;
}
