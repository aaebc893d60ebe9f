/**
 * The website widget as a channel: one `web` channel per chatbot (`externalId` = the chatbot id),
 * created on the first visitor message (`public-chat/public-channel.ts`); each widget session
 * (`ws_…`, minted by the server) is a contact. There is no platform to call: customers' messages
 * arrive through the public chat routes, and an answer reaches the visitor over the widget's own
 * Socket.IO namespace — the send job publishes it to the session's room (`delivery: "realtime"`).
 * No reply window: the visitor may read an answer whenever they come back (the history is kept).
 */
import { rooms } from "@tandem/contracts";
import type { ChannelCapabilities, ChannelDefinition } from "../adapter.ts";
import { CLIENT_CARDS } from "../product-cards.ts";

/** Capabilities of the channels the public chat routes feed (widget and API): no window, nothing to ask a platform. */
export const publicChannelCapabilities = (delivery: ChannelCapabilities["delivery"]): ChannelCapabilities => ({
  replyWindow: () => ({ allowed: true, how: { kind: delivery } }),
  replyWindowTimes: () => null,
  // Nothing splits an answer: it goes out whole, as stored.
  maxTextLength: 100_000,
  typing: false,
  profile: false,
  receipts: false,
  echoes: false,
  delivery,
  // Served from this installation (`/api/v1/public/media/…`) to the visitor's browser or the API caller.
  attachments: {
    rules: [
      { kind: "image", mimes: ["image/jpeg", "image/png", "image/gif", "image/webp"], maxBytes: 10 * MB },
      { kind: "file", mimes: null, maxBytes: 10 * MB },
    ],
    maxFiles: 5,
    fetchedByUrl: false,
  },
  // The message carries its cards whole (`PublicMessageDto.products`, `PublicChatAnswer.products`):
  // the widget draws them, an API caller gets them as data.
  cards: CLIENT_CARDS,
});

const MB = 1024 * 1024;

const capabilities = publicChannelCapabilities("realtime");

export const webChannel: ChannelDefinition = {
  type: "web",
  capabilities,
  create: () => ({
    type: "web",
    capabilities,
    realtimeRoom: (channel, sessionId) => rooms.widgetSession(channel.externalId ?? "", sessionId),
    // Nothing here talks to a platform: every failure is ours.
    classifyError: () => null,
  }),
};
