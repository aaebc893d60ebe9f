import type { MessageDto } from "@tandem/contracts";
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { inboxKeys, type MessagePages, storeMessage } from "./cache";
import { feedbackLabel } from "./feedback-label";

const bot = (over: Partial<MessageDto> = {}): MessageDto => ({
  id: "msg_1",
  conversationId: "conv_1",
  role: "BOT",
  kind: "text",
  text: "We ship to Japan.",
  attachments: [],
  payload: null,
  status: "sent",
  platformMessageId: null,
  authorMemberId: null,
  sentFromOutside: false,
  reactions: {},
  sender: null,
  unsentAt: null,
  error: null,
  provider: null,
  model: null,
  latencyMs: null,
  promptVersionId: null,
  sources: null,
  productCards: null,
  feedback: null,
  createdAt: "2026-12-07T05:00:00.000Z",
  sentAt: null,
  deliveredAt: null,
  readAt: null,
  updatedAt: "2026-12-07T05:00:00.000Z",
  ...over,
});

describe("feedbackLabel", () => {
  it("names each rating given, and the latest comment", () => {
    expect(feedbackLabel({ helpful: 2, notHelpful: 0, inappropriate: 1, latestComment: null })).toBe(
      "Customer feedback: 2 helpful, 1 inappropriate",
    );
    expect(feedbackLabel({ helpful: 0, notHelpful: 1, inappropriate: 0, latestComment: "No price" })).toBe(
      "Customer feedback: 1 not helpful. Latest comment: “No price”",
    );
  });
});

describe("storeMessage", () => {
  it("keeps the loaded ratings when a live update (which carries none) replaces the message", () => {
    const client = new QueryClient();
    const feedback = { helpful: 1, notHelpful: 0, inappropriate: 0, latestComment: "Thanks" };
    client.setQueryData<MessagePages>(inboxKeys.messages("conv_1"), {
      pages: [{ data: [bot({ feedback })], nextCursor: null }],
      pageParams: [null],
    });
    storeMessage(client, bot({ status: "delivered", updatedAt: "2026-12-07T05:00:01.000Z" }));
    const [message] = client.getQueryData<MessagePages>(inboxKeys.messages("conv_1"))!.pages[0]!.data;
    expect(message).toMatchObject({ status: "delivered", feedback });
  });
});
