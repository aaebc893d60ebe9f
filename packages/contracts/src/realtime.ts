/** Socket.IO event names and room naming shared by the server and the dashboard. */
export const SOCKET_EVENTS = {
  messageNew: "message:new",
  messageUpdated: "message:updated",
  conversationUpdated: "conversation:updated",
  presenceUpdate: "presence:update",
  /** A prompt generation job moved (`PromptGenerationJobDto`), to the workspace room. */
  promptGenerationUpdated: "prompt-generation:updated",
  /** A notification for one member (`NotificationDto`: an @mention in a note), to that member's room. */
  notificationNew: "notification:new",
  /** A knowledge source or document moved (`KnowledgeUpdatedEvent`: status, progress, removal), to the workspace room. */
  knowledgeUpdated: "knowledge:updated",
  /** A Shopify store's status or sync moved, or it was removed (`ShopifyUpdatedEvent`), to the workspace room. */
  shopifyUpdated: "shopify:updated",
  conversationJoin: "conversation:join",
  conversationLeave: "conversation:leave",
  /** Client → server: `{ conversationId, typing }` while the agent types a reply or note there. */
  conversationTyping: "conversation:typing",
  /** Who has a conversation open and who types in it (`ConversationViewersEvent`), to its room. */
  conversationViewers: "conversation:viewers",
  /**
   * A widget visitor types (`ContactTypingEvent`), to the room of their latest conversation: sent when
   * typing starts and stops (a start not renewed within `TYPING_TTL_MS` has stopped).
   */
  contactTyping: "contact:typing",
} as const;

/** `contact:typing`: the customer is typing in the conversation (the website widget). */
export interface ContactTypingEvent {
  conversationId: string;
  typing: boolean;
}

export const rooms = {
  workspace: (id: string) => `workspace:${id}`,
  conversation: (id: string) => `conversation:${id}`,
  /** Every socket opened with one session: disconnected when the session ends. */
  session: (id: string) => `session:${id}`,
  /** Every socket of one membership: disconnected when the member is removed or changes role. */
  member: (id: string) => `member:${id}`,
  /**
   * One widget session's sockets, on the widget namespace (`WIDGET_SOCKET.namespace`): core publishes
   * `PublicMessageDto`s here for a web-channel conversation; the web process routes `widget:` rooms to
   * that namespace.
   */
  widgetSession: (chatbotId: string, sessionId: string) => `widget:${chatbotId}:${sessionId}`,
};

/** A member with the conversation open (one entry per person, however many tabs). */
export interface ConversationViewer {
  userId: string;
  name: string | null;
  email: string;
  /** Typing a reply or a note in it now (in any of their tabs). */
  typing: boolean;
}

/** `conversation:viewers`: the collision warning's data — who else is here, and who is typing. */
export interface ConversationViewersEvent {
  conversationId: string;
  viewers: ConversationViewer[];
}

/** A typing signal lasts this long unless renewed (the composer renews it while keys are pressed). */
export const TYPING_TTL_MS = 6000;
