import { z } from "zod";
import { MessageSourceDto } from "./knowledge.ts";
import { PUBLIC_CHAT_LIMITS } from "./public-chat-wire.ts";
import { ProductCard } from "./shopify.ts";

// The plain constants (limits, headers, SSE event names, the widget socket) live in public-chat-wire.ts,
// without zod, so that the widget bundle can import them and stay small.
export {
  PUBLIC_CHAT_LIMITS,
  PUBLIC_HEADERS,
  PUBLIC_SSE_EVENTS,
  WIDGET_ASSETS,
  WIDGET_SOCKET,
} from "./public-chat-wire.ts";

/**
 * The website widget and the public chat API (`/api/v1/public/*`, seed S2 §3): what crosses the wire
 * between Tandem and a customer's site or server. Browser-safe: the widget bundle imports this file.
 *
 * Two callers, one set of routes:
 * - a developer's server, with the chatbot's API key in `X-API-Key` (`ck_…`); its sessions are its own
 *   ids (`sessionId`, 1–128 of `[A-Za-z0-9._-]`), conversations on the chatbot's `api` channel;
 * - the widget in a visitor's browser, with a short-lived visitor token in `X-Visitor-Token` that the
 *   config endpoint issues (bound to chatbot, session and page origin); its session id is minted by
 *   the server (`ws_…`), conversations on the chatbot's `web` channel.
 * Both are customers' conversations like any other: they appear in the inbox, agents take over.
 */

export const PublicSessionId = z
  .string()
  .min(1, "must not be empty")
  .max(PUBLIC_CHAT_LIMITS.sessionIdLength, `at most ${PUBLIC_CHAT_LIMITS.sessionIdLength} characters`)
  .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only");

export const PublicChatParam = z.object({ chatbotId: z.string().min(1).max(64) });
export const PublicSessionParam = PublicChatParam.extend({ sessionId: PublicSessionId });
export const PublicMessageParam = PublicChatParam.extend({ messageId: z.string().min(1).max(64) });

/**
 * `POST /api/v1/public/chat/{chatbotId}/messages`. `sessionId` is required with an API key; a widget
 * may leave it out (its token names the session) or must give the token's own. `metadata` (small,
 * JSON) is kept on the customer's message; `metadata.userId` / `name` / `email` describe the contact.
 * `clientMessageId` makes a retried send a no-op (the first answer is returned again).
 */
export const PublicChatMessageInput = z
  .object({
    sessionId: PublicSessionId.optional(),
    message: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(PUBLIC_CHAT_LIMITS.messageLength, `at most ${PUBLIC_CHAT_LIMITS.messageLength} characters`),
    metadata: z.record(z.string(), z.unknown()).optional(),
    clientMessageId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
  })
  .strict();
export type PublicChatMessageInput = z.infer<typeof PublicChatMessageInput>;

/** Tokens as the provider counted them (zeros when nothing was generated). */
export const PublicChatUsage = z.object({
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
});
export type PublicChatUsage = z.infer<typeof PublicChatUsage>;

/**
 * The answer to one message. `response` is the bot's text ("" when the bot stays silent: a person
 * has the conversation, or it was just handed to one — then `handoff` says why and `response` may be
 * the handoff message the customer is told). `messageId` is the stored customer message,
 * `replyMessageId` the bot's (null when none).
 */
export const PublicChatAnswer = z.object({
  messageId: z.string(),
  replyMessageId: z.string().nullable(),
  conversationId: z.string(),
  response: z.string(),
  sources: z.array(MessageSourceDto),
  /**
   * The products the reply recommends, as structured data beside the text (the text names them too):
   * show them as cards. Empty when it recommends none.
   */
  products: z.array(ProductCard),
  usage: PublicChatUsage,
  handoff: z.object({ reason: z.string() }).nullable(),
});
export type PublicChatAnswer = z.infer<typeof PublicChatAnswer>;

export const PublicStreamDelta = z.object({ text: z.string() });
export const PublicStreamSources = z.object({ sources: z.array(MessageSourceDto) });
export const PublicStreamProducts = z.object({ products: z.array(ProductCard) });
export const PublicStreamHandoff = z.object({ reason: z.string(), message: z.string().nullable() });
export const PublicStreamError = z.object({ code: z.string(), message: z.string() });

/**
 * A message as the customer may see it: never internal notes, never SYSTEM notes, never a message a
 * moderator removed. `author` names the agent on human replies (their display name only).
 */
export const PublicMessageDto = z.object({
  id: z.string(),
  role: z.enum(["USER", "BOT", "AGENT"]),
  text: z.string().nullable(),
  /**
   * Files and images. `url` may be relative to the Tandem server (`/api/v1/public/media/…`, an agent's
   * upload, fetchable without credentials). `width`/`height` of an image when known, to reserve its box.
   */
  attachments: z.array(
    z.object({
      type: z.string(),
      url: z.string(),
      name: z.string().nullable(),
      mime: z.string().optional(),
      size: z.number().int().optional(),
      width: z.number().int().optional(),
      height: z.number().int().optional(),
    }),
  ),
  author: z.object({ name: z.string() }).nullable(),
  sources: z.array(MessageSourceDto),
  /** Products a bot reply recommends (`ProductCard`), shown as cards under its text; empty otherwise. */
  products: z.array(ProductCard),
  /** The visitor's own rating of a bot reply. */
  feedback: z.enum(["helpful", "not_helpful", "inappropriate"]).nullable(),
  createdAt: z.string(),
});
export type PublicMessageDto = z.infer<typeof PublicMessageDto>;

/** `GET …/sessions/{sessionId}/messages?after=msg_…&limit=` — oldest first, after `after` (exclusive). */
export const PublicSessionMessagesQuery = z.object({
  after: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export type PublicSessionMessagesQuery = z.infer<typeof PublicSessionMessagesQuery>;

export const PublicSessionMessages = z.object({
  conversationId: z.string().nullable(),
  /** A person has the conversation (the bot stays silent until it is handed back). */
  humanActive: z.boolean(),
  messages: z.array(PublicMessageDto),
  /** More messages after the last one returned. */
  hasMore: z.boolean(),
});
export type PublicSessionMessages = z.infer<typeof PublicSessionMessages>;

/** `POST …/messages/{messageId}/feedback` (S2 `message_feedback`); one per message and visitor: an update. */
export const PublicFeedbackInput = z
  .object({
    sessionId: PublicSessionId.optional(),
    rating: z.enum(["helpful", "not_helpful", "inappropriate"]),
    text: z.string().trim().max(PUBLIC_CHAT_LIMITS.feedbackTextLength).optional(),
  })
  .strict();
export type PublicFeedbackInput = z.infer<typeof PublicFeedbackInput>;

/** `POST …/sessions/{sessionId}/handoff` — "talk to a person". */
export const PublicHandoffInput = z.object({ reason: z.string().trim().max(500).optional() }).strict();

/** Its answer: the conversation, why a person has it, and what the customer is told (null: nothing). */
export const PublicHandoffResult = z.object({
  conversationId: z.string(),
  reason: z.string(),
  message: PublicMessageDto.nullable(),
});
export type PublicHandoffResult = z.infer<typeof PublicHandoffResult>;

// ── Widget ───────────────────────────────────────────────────────────────────────────────────────

// 3, 4, 6 or 8 hex digits: CSS has no 5- or 7-digit colour.
const cssColor = z
  .string()
  .regex(/^#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, "a hex colour such as #2563eb");
const cssLength = z.string().regex(/^\d{1,3}(\.\d+)?(px|rem|em)$/, "a length such as 12px");
const fontFamily = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9 ,'"-]+$/, "font names, commas and quotes only");

export const WidgetTheme = z.object({
  primaryColor: cssColor.default("#2563eb"),
  fontFamily: fontFamily.default("system-ui, sans-serif"),
  borderRadius: cssLength.default("12px"),
  position: z.enum(["bottom-right", "bottom-left"]).default("bottom-right"),
});
export type WidgetTheme = z.infer<typeof WidgetTheme>;

/**
 * A change of the theme: only the fields given. Not `WidgetTheme.partial()`: in zod 4 the defaults
 * of the partial fields would still fill in every missing field and reset it.
 */
export const WidgetThemePatch = z
  .object({
    primaryColor: cssColor,
    fontFamily,
    borderRadius: cssLength,
    position: z.enum(["bottom-right", "bottom-left"]),
  })
  .partial()
  .strict();
export type WidgetThemePatch = z.infer<typeof WidgetThemePatch>;

/**
 * A chatbot's widget settings (`GET|PATCH /api/v1/chatbots/{id}/widget`, OWNER/ADMIN, audited).
 * `allowedDomains`: host names (`shop.example.com`, `*.example.com`); empty = the dashboard's own
 * preview only. There is no custom script: arbitrary JavaScript from the dashboard would run on every
 * customer page (docs/widget.md says why).
 */
export const WidgetSettingsDto = z.object({
  theme: WidgetTheme,
  allowedDomains: z.array(z.string()),
  customCss: z.string().nullable(),
  requireVerifiedIdentity: z.boolean(),
  /** Whether an identity secret exists (it is shown once, when generated). */
  identitySecretSet: z.boolean(),
  /** The `<script>` tag to paste, with this server's public URL. */
  embedSnippet: z.string(),
});
export type WidgetSettingsDto = z.infer<typeof WidgetSettingsDto>;

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+(:\d{1,5})?$/, "a host name such as shop.example.com or *.example.com");

export const UpdateWidgetSettingsInput = z
  .object({
    theme: WidgetThemePatch,
    allowedDomains: z.array(domain).max(PUBLIC_CHAT_LIMITS.allowedDomains),
    customCss: z.string().max(PUBLIC_CHAT_LIMITS.customCssLength).nullable(),
    requireVerifiedIdentity: z.boolean(),
  })
  .partial()
  .strict();
export type UpdateWidgetSettingsInput = z.infer<typeof UpdateWidgetSettingsInput>;

/** `POST /api/v1/chatbots/{id}/widget/identity-secret`: a new secret, shown this once. */
export const IdentitySecretDto = z.object({ identitySecret: z.string() });
export type IdentitySecretDto = z.infer<typeof IdentitySecretDto>;

/** A visitor token, issued by the config endpoint to a browser on an allowed origin. */
export const VisitorTokenDto = z.object({
  sessionId: z.string(),
  token: z.string(),
  expiresAt: z.string(),
});
export type VisitorTokenDto = z.infer<typeof VisitorTokenDto>;

/**
 * `GET /api/v1/public/chat/{chatbotId}/config` — S2's widget configuration, plus what the widget
 * needs: its language, strings' overrides, custom CSS, and (for a browser on an allowed origin) a
 * visitor token for the session named by `X-Visitor-Session`, or a new session.
 */
export const PublicWidgetConfig = z.object({
  chatbotId: z.string(),
  name: z.string(),
  welcomeMessage: z.string().nullable(),
  language: z.string(),
  theme: WidgetTheme,
  customCss: z.string().nullable(),
  features: z.object({
    fileUpload: z.boolean(),
    voiceInput: z.boolean(),
    suggestedQuestions: z.array(z.string()),
    requireVerifiedIdentity: z.boolean(),
  }),
  /** Someone in the workspace is online to answer now. */
  agentsOnline: z.boolean(),
  visitor: VisitorTokenDto.nullable(),
});
export type PublicWidgetConfig = z.infer<typeof PublicWidgetConfig>;

/**
 * `POST /api/v1/public/chat/{chatbotId}/identify` (visitor token): who the visitor is on the site.
 * `userHash` = hex HMAC-SHA256 of `userId` with the chatbot's identity secret, computed by the site's
 * server. A wrong hash is refused (401 `identity_unverified`); without a secret set the identity is
 * kept as unverified.
 */
export const PublicIdentifyInput = z
  .object({
    userId: z.string().trim().min(1).max(200),
    userHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, "hex HMAC-SHA256")
      .optional(),
    name: z.string().trim().max(200).optional(),
    email: z.string().trim().email().max(320).optional(),
  })
  .strict();
export type PublicIdentifyInput = z.infer<typeof PublicIdentifyInput>;

export const PublicIdentifyResult = z.object({ verified: z.boolean() });

export const WidgetPageEvent = z.object({
  url: z.string().max(PUBLIC_CHAT_LIMITS.pageUrlLength),
  title: z.string().max(300).optional(),
});
export type WidgetPageEvent = z.infer<typeof WidgetPageEvent>;

/** What agents see of a widget visitor (on the conversation DTO's contact): presence and page. */
export const VisitorPresenceDto = z.object({
  online: z.boolean(),
  pageUrl: z.string().nullable(),
  pageTitle: z.string().nullable(),
  browser: z.string().nullable(),
  os: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  verified: z.boolean(),
});
export type VisitorPresenceDto = z.infer<typeof VisitorPresenceDto>;

/**
 * What the widget gateway keeps on a widget visitor's contact (`contact.metadata.visitor`), and what the
 * inbox reads from it: the page they are on, their browser (from the User-Agent at the handshake), an
 * identity they gave with `identify`, and whether a widget socket of theirs is connected now.
 */
export interface VisitorMetadata {
  online?: boolean;
  pageUrl?: string | null;
  pageTitle?: string | null;
  browser?: string | null;
  os?: string | null;
  /** `identify`: the site's user id, and whether its `userHash` was valid. */
  userId?: string | null;
  email?: string | null;
  verified?: boolean;
}
