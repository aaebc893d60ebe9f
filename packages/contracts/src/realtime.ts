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
  conversationJoin: "conversation:join",
  conversationLeave: "conversation:leave",
} as const;

export const rooms = {
  workspace: (id: string) => `workspace:${id}`,
  conversation: (id: string) => `conversation:${id}`,
  /** Every socket opened with one session: disconnected when the session ends. */
  session: (id: string) => `session:${id}`,
  /** Every socket of one membership: disconnected when the member is removed or changes role. */
  member: (id: string) => `member:${id}`,
};
