import type { ConversationDto } from "@tandem/contracts";
import { describe, expect, it } from "vitest";
import { alertKindsFor, createAlertMemory } from "./alert-rules";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function conversation(patch: Partial<ConversationDto> = {}): ConversationDto {
  return {
    id: "conv_1",
    channel: { id: "ch_1", type: "messenger", name: "Demo Page" },
    chatbotId: null,
    contact: null,
    status: "OPEN",
    snoozedUntil: null,
    autoBot: true,
    needsHuman: false,
    handoffReason: null,
    assigneeId: null,
    tags: [],
    notes: null,
    unreadCount: 1,
    lastMessage: { id: "msg_1", role: "USER", kind: "text", text: "Hello", createdAt: at(0) },
    lastMessageAt: at(0),
    lastInboundAt: at(0),
    replyWindow: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...patch,
  };
}

const customerMessage = (id: string, seconds: number) => ({
  lastMessage: { id, role: "USER" as const, kind: "text" as const, text: "More", createdAt: at(seconds) },
  updatedAt: at(seconds),
});

describe("alerts from live conversation updates", () => {
  it("a conversation the inbox did not know, opened by a customer message, is new — once", () => {
    const memory = createAlertMemory();
    const first = conversation();
    expect(alertKindsFor(undefined, first, "mem_me", memory)).toEqual(["newConversation"]);
    // The same update again (a read, a bot reply that did not change the last customer message).
    expect(alertKindsFor(first, { ...first, unreadCount: 0, updatedAt: at(5) }, "mem_me", memory)).toEqual([]);
    // The customer's second message is not a new conversation, nor news for a conversation not mine.
    expect(alertKindsFor(first, conversation(customerMessage("msg_2", 30)), "mem_me", memory)).toEqual([]);
  });

  it("a customer message in a conversation assigned to me", () => {
    const memory = createAlertMemory();
    const before = conversation({ assigneeId: "mem_me", createdAt: at(-3600) });
    const after = conversation({ assigneeId: "mem_me", createdAt: at(-3600), ...customerMessage("msg_2", 10) });
    expect(alertKindsFor(before, after, "mem_me", memory)).toEqual(["myConversation"]);
    expect(alertKindsFor(before, after, "mem_me", memory)).toEqual([]);
    // Someone else's conversation.
    const theirs = conversation({ assigneeId: "mem_other", createdAt: at(-3600), ...customerMessage("msg_3", 20) });
    expect(alertKindsFor(before, theirs, "mem_me", memory)).toEqual([]);
  });

  it("messages of the agent or the bot are no news; neither is an old message in a late update", () => {
    const memory = createAlertMemory();
    const before = conversation({ assigneeId: "mem_me", createdAt: at(-3600) });
    const agent = conversation({
      assigneeId: "mem_me",
      createdAt: at(-3600),
      lastMessage: { id: "msg_2", role: "AGENT", kind: "text", text: "Hi", createdAt: at(10) },
      updatedAt: at(10),
    });
    expect(alertKindsFor(before, agent, "mem_me", memory)).toEqual([]);
    // A tag edited an hour after the customer's last message, on a conversation the inbox had not loaded.
    const tagged = conversation({ assigneeId: "mem_me", createdAt: at(-7200), tags: ["vip"], updatedAt: at(3600) });
    expect(alertKindsFor(undefined, tagged, "mem_me", memory)).toEqual([]);
  });

  it("a handoff alerts when a conversation starts needing a human, and again after it was cleared", () => {
    const memory = createAlertMemory();
    const before = conversation({ createdAt: at(-3600) });
    const handedOff = conversation({ createdAt: at(-3600), needsHuman: true, updatedAt: at(20) });
    expect(alertKindsFor(before, handedOff, null, memory)).toEqual(["handoff"]);
    expect(alertKindsFor(handedOff, { ...handedOff, updatedAt: at(30) }, null, memory)).toEqual([]);
    const cleared = { ...handedOff, needsHuman: false, updatedAt: at(40) };
    expect(alertKindsFor(handedOff, cleared, null, memory)).toEqual([]);
    expect(alertKindsFor(cleared, { ...handedOff, updatedAt: at(50) }, null, memory)).toEqual(["handoff"]);
  });

  it("a first message that asks for a person is a handoff and a new conversation", () => {
    const memory = createAlertMemory();
    expect(alertKindsFor(undefined, conversation({ needsHuman: true }), null, memory)).toEqual([
      "handoff",
      "newConversation",
    ]);
  });
});
