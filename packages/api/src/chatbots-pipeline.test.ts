/**
 * Chatbot settings in the live reply pipeline, end to end over real HTTP (the Messenger test driver,
 * the embedded queue, the simulator's fake Graph and LLM): only an `active` chatbot answers customers
 * (the message stays for a person), a chatbot's named credential is the key its replies use, and the
 * customer's locale picks the chatbot's translation of the system prompt.
 */
import { contacts, conversations, jobs, messages } from "@tandem/db";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Connection,
  FAQ,
  type Harness,
  messengerDriver,
  startHarness,
  waitFor,
} from "../../../tests/support/channel-drivers.ts";

let h: Harness;
let llm: ServedSimulator;

beforeAll(async () => {
  llm = await serveSimulator();
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  await llm.close();
});

const db = () => h.runtime.database.db;

async function customerMessages(channelId: string, customer: string) {
  const [contact] = await db()
    .select()
    .from(contacts)
    .where(and(eq(contacts.channelId, channelId), eq(contacts.platformUserId, customer)));
  if (!contact) return [];
  return db()
    .select({ conversation: conversations, message: messages })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(eq(conversations.contactId, contact.id))
    .orderBy(asc(messages.createdAt), asc(messages.id));
}

/** Posts the customer's text and waits until its bot-reply job has run to the end. */
async function writeAndSettle(conn: Connection, customer: string, text: string) {
  expect((await conn.post(conn.text(customer, text))).status).toBe(200);
  const stored = await waitFor(async () => {
    const rows = await customerMessages(conn.channelId, customer);
    return rows.find((r) => r.message.role === "USER" && r.message.text === text);
  }, `the message "${text}" stored`);
  await waitFor(async () => {
    const [job] = await db()
      .select()
      .from(jobs)
      .where(eq(jobs.jobKey, `bot-reply:${stored.message.id}`));
    return job && (job.status === "completed" || job.status === "failed") ? job : null;
  }, "the bot-reply job settled");
  return stored;
}

describe("chatbot status in the live pipeline", () => {
  it.each(["inactive", "testing"] as const)(
    "a %s chatbot does not answer a customer; the message stays for a person; once active it answers",
    async (status) => {
      const conn = await messengerDriver.connect(h);
      const admin = await conn.admin();
      expect((await admin.patch(`/api/v1/chatbots/${conn.chatbotId}`, { status })).status).toBe(200);
      const customer = await conn.newCustomer();

      const stored = await writeAndSettle(conn, customer, FAQ.question);
      const rows = await customerMessages(conn.channelId, customer);
      expect(rows.map((r) => r.message.role)).toEqual(["USER"]);
      expect(conn.delivered(customer)).toEqual([]);
      // In the inbox, unread, auto-bot still on: a person sees it and nothing is lost.
      const inbox = await (await admin.get(`/api/v1/conversations/${stored.conversation.id}`)).json();
      expect(inbox).toMatchObject({ autoBot: true, unreadCount: 1, chatbotId: conn.chatbotId });

      expect((await admin.patch(`/api/v1/chatbots/${conn.chatbotId}`, { status: "active" })).status).toBe(200);
      await writeAndSettle(conn, customer, `${FAQ.question} Please?`);
      await waitFor(() => conn.delivered(customer).length > 0, "the bot's answer delivered");
      expect(conn.delivered(customer).flatMap((d) => d.texts)).toEqual([FAQ.answer]);
    },
  );
});

describe("named credential and translations in replies", () => {
  it("the chatbot's named credential answers (not the workspace's older one of its kind), in the customer's language", async () => {
    const conn = await messengerDriver.connect(h);
    const admin = await conn.admin();
    const baseUrl = `${llm.url}/llm/openai/v1`;
    // The older credential of the kind is what a chatbot naming none would use.
    const decoy = await admin.post("/api/v1/providers/credentials", {
      name: "Decoy",
      kind: "OPENAI_COMPATIBLE",
      baseUrl,
      apiKey: "sk-decoy-0000000000000-DECO",
    });
    expect(decoy.status).toBe(201);
    const named = await (
      await admin.post("/api/v1/providers/credentials", {
        name: "Simulated LLM",
        kind: "OPENAI_COMPATIBLE",
        baseUrl,
        apiKey: "sk-named-000000000000-NAMD",
      })
    ).json();
    const patched = await admin.patch(`/api/v1/chatbots/${conn.chatbotId}`, {
      credentialId: named.id,
      model: "llama3.1:8b",
    });
    expect(patched.status).toBe(200);
    const put = await admin.put(`/api/v1/chatbots/${conn.chatbotId}/translations/th`, {
      systemPrompt: "ตอบเป็นภาษาไทยเสมอ THAI-OVERRIDE {knowledge}",
      welcomeMessage: "สวัสดีค่ะ",
    });
    expect(put.status).toBe(200);

    llm.simulator.llm.state.addReply({ reply: "Hello from the named key." });
    llm.simulator.llm.state.addReply({ reply: "สวัสดีจากคีย์ที่ตั้งชื่อ" });
    const customer = await conn.newCustomer();
    const before = llm.simulator.llm.state.calls.length;
    const first = await writeAndSettle(conn, customer, "hello there");
    await waitFor(() => conn.delivered(customer).length >= 1, "the first answer delivered");
    const firstCall = llm.simulator.llm.state.calls.slice(before).find((c) => c.path.endsWith("/chat/completions"));
    expect(firstCall?.auth.keySuffix).toBe("NAMD");
    // The model chosen a moment ago, without a restart.
    expect((firstCall?.body as { model?: string } | undefined)?.model).toBe("llama3.1:8b");
    expect(JSON.stringify(firstCall?.body)).not.toContain("THAI-OVERRIDE");

    // The customer's profile says Thai (Messenger's `th_TH`): the Thai prompt answers from now on.
    await waitFor(async () => {
      const [c] = await db().select().from(contacts).where(eq(contacts.id, first.conversation.contactId!));
      return c?.profileFetchedAt;
    }, "the profile fetched");
    await db().update(contacts).set({ locale: "th_TH" }).where(eq(contacts.id, first.conversation.contactId!));
    const mark = llm.simulator.llm.state.calls.length;
    await writeAndSettle(conn, customer, "ขอบคุณ");
    await waitFor(() => conn.delivered(customer).length >= 2, "the second answer delivered");
    const secondCall = llm.simulator.llm.state.calls.slice(mark).find((c) => c.path.endsWith("/chat/completions"));
    expect(secondCall?.auth.keySuffix).toBe("NAMD");
    expect(JSON.stringify(secondCall?.body)).toContain("THAI-OVERRIDE");
    expect(conn.delivered(customer).flatMap((d) => d.texts)).toEqual(["Hello from the named key.", "สวัสดีจากคีย์ที่ตั้งชื่อ"]);
  });
});
