import type { ConversationDto } from "@tandem/contracts";
import { describe, expect, it } from "vitest";
import { createAlertMemory, customerMessageAlerts, isNewHandoff } from "./alert-rules";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function conversation(patch: Partial<ConversationDto> = {}): ConversationDto {
  return {
    id: "conv_1",
    channel: { id: "ch_1", type: "messenger", name: "Demo Page" },
    chatbotId: null,
    chatbot: null,
    contact: null,
    status: "OPEN",
    snoozedUntil: null,
    autoBot: true,
    needsHuman: false,
    handoffReason: null,
    handoffAt: null,
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

const customer = (id: string, seconds: number) => ({ id, role: "USER" as const, createdAt: at(seconds) });

describe("alerts for customer messages", () => {
  it("the first message of a conversation makes it new — once", () => {
    const memory = createAlertMemory();
    expect(customerMessageAlerts(customer("msg_1", 0), conversation(), "mem_me", memory)).toEqual(["newConversation"]);
    // The same event again (a reconnect), and the customer's second message soon after.
    expect(customerMessageAlerts(customer("msg_1", 0), conversation(), "mem_me", memory)).toEqual([]);
    expect(customerMessageAlerts(customer("msg_2", 20), conversation(), "mem_me", memory)).toEqual([]);
  });

  it("a message in a conversation assigned to me, not in someone else's", () => {
    const memory = createAlertMemory();
    const mine = conversation({ assigneeId: "mem_me", createdAt: at(-3600) });
    expect(customerMessageAlerts(customer("msg_2", 10), mine, "mem_me", memory)).toEqual(["myConversation"]);
    const theirs = conversation({ assigneeId: "mem_other", createdAt: at(-3600) });
    expect(customerMessageAlerts(customer("msg_3", 20), theirs, "mem_me", memory)).toEqual([]);
    // A new conversation already assigned (a rule, a teammate): both, the new conversation first.
    const newMine = conversation({ id: "conv_2", assigneeId: "mem_me", createdAt: at(30) });
    expect(customerMessageAlerts(customer("msg_4", 31), newMine, "mem_me", memory)).toEqual([
      "newConversation",
      "myConversation",
    ]);
  });

  it("messages of agents, the bot and the system are no news", () => {
    const memory = createAlertMemory();
    const mine = conversation({ assigneeId: "mem_me" });
    for (const role of ["AGENT", "BOT", "SYSTEM"] as const) {
      expect(customerMessageAlerts({ id: `msg_${role}`, role, createdAt: at(1) }, mine, "mem_me", memory)).toEqual([]);
    }
  });
});

describe("handoff alerts", () => {
  it("when a conversation starts needing a human, and again after it was cleared", () => {
    const memory = createAlertMemory();
    const before = conversation();
    const handedOff = conversation({ needsHuman: true, updatedAt: at(20) });
    expect(isNewHandoff(before, handedOff, memory)).toBe(true);
    expect(isNewHandoff(handedOff, { ...handedOff, updatedAt: at(30) }, memory)).toBe(false);
    // A stale copy in the cache does not announce it twice.
    expect(isNewHandoff(before, { ...handedOff, updatedAt: at(35) }, memory)).toBe(false);
    const cleared = { ...handedOff, needsHuman: false, updatedAt: at(40) };
    expect(isNewHandoff(handedOff, cleared, memory)).toBe(false);
    expect(isNewHandoff(cleared, { ...handedOff, updatedAt: at(50) }, memory)).toBe(true);
  });

  it("a conversation the inbox did not have: only when it is fresh", () => {
    const memory = createAlertMemory();
    expect(isNewHandoff(undefined, conversation({ id: "conv_a", needsHuman: true, updatedAt: at(5) }), memory)).toBe(
      true,
    );
    // An old conversation that needs a human and just got a tag, an hour after its last message.
    const tagged = conversation({ id: "conv_b", needsHuman: true, tags: ["vip"], updatedAt: at(3600) });
    expect(isNewHandoff(undefined, tagged, memory)).toBe(false);
  });
});
