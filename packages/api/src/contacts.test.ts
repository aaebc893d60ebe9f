import type { ContactDetailDto, ContactListItem } from "@tandem/contracts";
import type { Runtime } from "@tandem/core";
import { auditLogs, contacts } from "@tandem/db";
import {
  createChannel,
  createContact,
  createConversation,
  createMessage,
  createTestWorkspace,
} from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  runtime = await createTestRuntime();
  app = createApp(runtime);
});
afterAll(() => runtime.close());
const db = () => runtime.database.db;

async function setup() {
  const ws = await createSignInWorkspace(runtime);
  const agent = new TestClient(app);
  expect((await agent.signIn(ws.agent.user.email, TEST_PASSWORD)).status).toBe(200);
  const channel = await createChannel(db(), { workspaceId: ws.workspace.id, type: "messenger", name: "Shop Page" });
  return { ws, agent, channel, workspaceId: ws.workspace.id };
}

describe("contacts", () => {
  it("shows a contact with the person's conversations on every channel (same e-mail or phone), newest first", async () => {
    const { agent, channel, workspaceId } = await setup();
    const line = await createChannel(db(), { workspaceId, type: "line", name: "Shop LINE" });
    const contact = await createContact(db(), { workspaceId, channelId: channel.id, name: "Zoë Martin" });
    const onLine = await createContact(db(), { workspaceId, channelId: line.id, name: "Zoe M", phone: "081-234-5678" });
    const stranger = await createContact(db(), { workspaceId, channelId: line.id, name: "Other" });
    const old = await createConversation(db(), {
      workspaceId,
      channelId: line.id,
      contactId: onLine.id,
      status: "CLOSED",
      lastMessageAt: new Date(Date.now() - 86_400_000),
    });
    await createMessage(db(), {
      conversationId: old.id,
      text: "Thanks, all good",
      createdAt: new Date(Date.now() - 86_400_000),
    });
    const current = await createConversation(db(), { workspaceId, channelId: channel.id, contactId: contact.id });
    await createMessage(db(), { conversationId: current.id, text: "Where is my order?" });
    await createConversation(db(), { workspaceId, channelId: line.id, contactId: stranger.id });

    const url = `/api/v1/contacts/${contact.id}`;
    const res = await agent.get(url);
    expect(res.status).toBe(200);
    const dto = (await res.json()) as ContactDetailDto;
    expect(dto).toMatchObject({ id: contact.id, name: "Zoë Martin", email: null, attributes: {} });
    expect(dto.channel).toMatchObject({ id: channel.id, type: "messenger", name: "Shop Page" });
    expect(dto.conversations.map((c) => [c.id, c.status, c.lastMessage?.text])).toEqual([
      [current.id, "OPEN", "Where is my order?"],
    ]);
    // Once an agent records the same phone number, the LINE conversation of that number shows too.
    const same = (await (await agent.patch(url, { phone: "0812345678" })).json()) as ContactDetailDto;
    expect(same.conversations.map((c) => [c.id, c.contactId, c.channel?.type, c.status, c.lastMessage?.text])).toEqual([
      [current.id, contact.id, "messenger", "OPEN", "Where is my order?"],
      [old.id, onLine.id, "line", "CLOSED", "Thanks, all good"],
    ]);
  });

  it("lets an agent edit name, e-mail, phone and custom attributes; bad input changes nothing; audited", async () => {
    const { agent, channel, workspaceId } = await setup();
    const contact = await createContact(db(), { workspaceId, channelId: channel.id, name: "Ken" });
    const url = `/api/v1/contacts/${contact.id}`;

    const saved = await agent.patch(url, {
      name: "Ken Sato",
      email: "Ken@Example.com",
      phone: "+66 81 234 5678",
      attributes: { plan: "gold", orderCount: "12" },
    });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({
      name: "Ken Sato",
      email: "ken@example.com",
      phone: "+66 81 234 5678",
      attributes: { plan: "gold", orderCount: "12" },
    });
    // A key set to null goes; the others stay.
    const removed = await (await agent.patch(url, { attributes: { orderCount: null, vip: "yes" } })).json();
    expect(removed.attributes).toEqual({ plan: "gold", vip: "yes" });

    for (const bad of [
      { email: "not-an-email" },
      { phone: "call me" },
      { attributes: { "1bad": "x" } },
      { name: "" },
      { unknown: 1 },
      {},
    ]) {
      const res = await agent.patch(url, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const [row] = await db().select().from(contacts).where(eq(contacts.id, contact.id));
    expect(row).toMatchObject({ name: "Ken Sato", email: "ken@example.com" });
    const audit = await db().select().from(auditLogs).where(eq(auditLogs.entityId, contact.id));
    expect(audit.map((a) => a.action)).toEqual(["contact.update", "contact.update"]);
  });

  it("lists and searches contacts by name without accents, e-mail, phone digits or platform id", async () => {
    const { agent, channel, workspaceId } = await setup();
    const zoe = await createContact(db(), { workspaceId, channelId: channel.id, name: "Zoë Müller" });
    const mail = await createContact(db(), { workspaceId, channelId: channel.id, name: "A", email: "buyer@shop.test" });
    const phone = await createContact(db(), {
      workspaceId,
      channelId: channel.id,
      name: "B",
      phone: "+66 (81) 555-0199",
    });
    await createConversation(db(), { workspaceId, channelId: channel.id, contactId: zoe.id });
    const ids = async (q: string) =>
      (
        (await (await agent.get(`/api/v1/contacts?search=${encodeURIComponent(q)}`)).json()).data as ContactListItem[]
      ).map((c) => c.id);
    expect(await ids("zoe muller")).toEqual([zoe.id]);
    expect(await ids("SHOP.TEST")).toEqual([mail.id]);
    expect(await ids("5550199")).toEqual([phone.id]);
    expect(await ids(zoe.platformUserId)).toEqual([zoe.id]);

    const all = (await (await agent.get("/api/v1/contacts?limit=2")).json()) as {
      data: ContactListItem[];
      nextCursor: string;
    };
    expect(all.data.map((c) => c.id)).toEqual([phone.id, mail.id]);
    const next = await (await agent.get(`/api/v1/contacts?limit=2&cursor=${all.nextCursor}`)).json();
    expect(next.data[0]).toMatchObject({ id: zoe.id, conversationCount: 1 });
    expect(next.data[0].lastConversationId).toEqual(expect.any(String));
  });

  it("is 404 for another workspace's contact, on read and on edit", async () => {
    const { agent } = await setup();
    const other = await createTestWorkspace(db());
    const channel = await createChannel(db(), { workspaceId: other.workspace.id, type: "line" });
    const foreign = await createContact(db(), { workspaceId: other.workspace.id, channelId: channel.id, name: "X" });
    expect((await agent.get(`/api/v1/contacts/${foreign.id}`)).status).toBe(404);
    const edit = await agent.patch(`/api/v1/contacts/${foreign.id}`, { name: "Mine now" });
    expect(edit.status).toBe(404);
    expect((await edit.json()).error.code).toBe("contact_not_found");
    expect(
      ((await (await agent.get("/api/v1/contacts")).json()).data as ContactListItem[]).map((c) => c.id),
    ).not.toContain(foreign.id);
  });
});
