import { type PublicWidgetConfig, WidgetTheme } from "@tandem/contracts";
import type { Db } from "@tandem/db";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { translationFor } from "../bots/translation-for.ts";
import { issueVisitorToken, isWidgetSessionId, newWidgetSessionId } from "./visitor-token.ts";

export interface PublicWidgetConfigDeps {
  db: Db;
  authSecret: string;
  /** Whether someone of the workspace is online to answer (members with the dashboard open). */
  agentsOnline(workspaceId: string): Promise<boolean>;
}

export interface PublicWidgetConfigInput {
  /** A browser on an allowed origin (checked by the caller): a visitor token is issued for it. */
  visitor: { origin: string; sessionId?: string | null | undefined } | null;
  /** The visitor's languages, preferred first (`?lang=`, then Accept-Language). */
  languages: string[];
}

/**
 * S2's widget configuration (`GET /api/v1/public/chat/{chatbotId}/config`): name, welcome message in
 * the visitor's language when the chatbot has that translation, theme, features, whether agents are
 * online, and for a browser a visitor token — for the session it names when that is a widget session
 * id (a refresh), else for a new session. The caller has already checked status and origin
 * (`assertWidgetOrigin`).
 */
export async function publicWidgetConfig(
  deps: PublicWidgetConfigDeps,
  chatbot: ChatbotRow,
  input: PublicWidgetConfigInput,
): Promise<PublicWidgetConfig> {
  const widget = chatbot.widgetConfig;
  let welcomeMessage = chatbot.welcomeMessage;
  let language = chatbot.language;
  for (const candidate of input.languages.slice(0, 3)) {
    const translation = await translationFor(deps.db, chatbot.id, candidate);
    if (translation?.welcomeMessage) {
      welcomeMessage = translation.welcomeMessage;
      language = translation.languageCode;
      break;
    }
    if (candidate.split("-")[0]?.toLowerCase() === chatbot.language.split("-")[0]?.toLowerCase()) break;
  }
  const theme = WidgetTheme.safeParse(widget.theme ?? {});
  const sessionId = input.visitor?.sessionId;
  return {
    chatbotId: chatbot.id,
    name: chatbot.name,
    welcomeMessage: welcomeMessage || null,
    language,
    theme: theme.success ? theme.data : WidgetTheme.parse({}),
    customCss: widget.customCss ?? null,
    features: {
      fileUpload: false,
      voiceInput: false,
      suggestedQuestions: widget.suggestedQuestions ?? [],
      requireVerifiedIdentity: widget.requireVerifiedIdentity === true,
    },
    agentsOnline: await deps.agentsOnline(chatbot.workspaceId),
    visitor: input.visitor
      ? issueVisitorToken(deps.authSecret, {
          chatbotId: chatbot.id,
          sessionId: sessionId && isWidgetSessionId(sessionId) ? sessionId : newWidgetSessionId(),
          origin: input.visitor.origin,
        })
      : null,
  };
}

/**
 * The languages of an `Accept-Language` header, by preference (`q`), at most five; malformed entries
 * and `*` are skipped.
 */
export function acceptedLanguages(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .slice(0, 500)
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = Number(
        params
          .find((p) => p.trim().startsWith("q="))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((l) => /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l.tag) && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .slice(0, 5)
    .map((l) => l.tag);
}
