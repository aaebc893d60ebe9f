/** Socket.IO event names and room naming shared by the server and the dashboard. */
export const SOCKET_EVENTS = {
  messageNew: "message:new",
  messageUpdated: "message:updated",
  conversationUpdated: "conversation:updated",
  presenceUpdate: "presence:update",
  conversationJoin: "conversation:join",
  conversationLeave: "conversation:leave",
} as const;

export const rooms = {
  workspace: (id: string) => `workspace:${id}`,
  conversation: (id: string) => `conversation:${id}`,
};
