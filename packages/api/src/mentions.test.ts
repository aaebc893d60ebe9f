/**
 * @mentions in internal notes: the note keeps the mentioned members, each (but the author) gets a
 * stored notification pushed to their own sockets, listed until read; strangers cannot be mentioned,
 * replies to the customer cannot mention, and nobody reads or marks another member's notifications.
 */
import { rooms, SOCKET_EVENTS } from "@tandem/contracts";
import type { Runtime } from "@tandem/core";
import { messages, notifications } from "@tandem/db";
import { createConversation, createMessage } from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
const events: { room: string; event: string; payload: unknown }[] = [];

beforeAll(async () => {
  runtime = await createTestRuntime();
  runtime.realtime.bind({ emit: (room, event, payload) => events.push({ room, event, payload }) });
  app = createApp(runtime);
});
afterAll(async () => {
  await runtime.close();
});

const db = () => runtime.database.db;

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function setup() {
  const ws = await createSignInWorkspace(runtime);
  const [owner, admin, agent] = await Promise.all([
    signedIn(ws.owner.user.email),
    signedIn(ws.admin.user.email),
    signedIn(ws.agent.user.email),
  ]);
  const conversation = await createConversation(db(), { workspaceId: ws.workspace.id });
  await createMessage(db(), { conversationId: conversation.id, text: "Where is my parcel?" });
  return { ws, owner, admin, agent, conversation, url: `/api/v1/conversations/${conversation.id}/messages` };
}

const notificationsOf = (memberId: string) =>
  db().select().from(notifications).where(eq(notifications.memberId, memberId));

describe("mentions in internal notes", () => {
  it("the note keeps them; each mentioned member but the author is notified live and can list it", async () => {
    const s = await setup();
    const { owner, admin, agent } = s.ws;
    events.length = 0;
    const res = await s.agent.post(s.url, {
      text: `@${owner.user.name} @${admin.user.name} can you approve this refund?`,
      internal: true,
      // The author and a repeat are kept once in the note, and the author is not notified.
      mentions: [owner.member.id, admin.member.id, owner.member.id, agent.member.id],
    });
    expect(res.status).toBe(201);
    const note = await res.json();
    expect(note).toMatchObject({ kind: "note", mentions: [owner.member.id, admin.member.id, agent.member.id] });
    const [row] = await db().select().from(messages).where(eq(messages.id, note.id));
    expect(row?.metadata).toEqual({ mentions: [owner.member.id, admin.member.id, agent.member.id] });

    expect(await notificationsOf(agent.member.id)).toHaveLength(0);
    for (const person of [owner, admin]) {
      const [stored] = await notificationsOf(person.member.id);
      expect(stored).toMatchObject({ kind: "mention", messageId: note.id, actorUserId: agent.user.id, readAt: null });
      const pushed = events.filter((e) => e.event === SOCKET_EVENTS.notificationNew);
      expect(pushed.find((e) => e.room === rooms.member(person.member.id))?.payload).toMatchObject({
        id: stored!.id,
        kind: "mention",
        conversationId: s.conversation.id,
        messageId: note.id,
        actor: { id: agent.user.id, name: agent.user.name },
        excerpt: expect.stringContaining("can you approve this refund?"),
      });
    }
    // Only to the mentioned members' rooms, never to the workspace.
    expect(
      events
        .filter((e) => e.event === SOCKET_EVENTS.notificationNew)
        .map((e) => e.room)
        .sort(),
    ).toEqual([rooms.member(owner.member.id), rooms.member(admin.member.id)].sort());

    // The owner was offline: the notification waits in the list until read.
    const list = await (await s.owner.get("/api/v1/notifications")).json();
    expect(list.unreadCount).toBe(1);
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ messageId: note.id, readAt: null });
    const id = list.data[0].id;
    const marked = await s.owner.post(`/api/v1/notifications/${id}/read`);
    expect(await marked.json()).toEqual({ marked: 1 });
    expect(await (await s.owner.post(`/api/v1/notifications/${id}/read`)).json()).toEqual({ marked: 0 });
    const after = await (await s.owner.get("/api/v1/notifications")).json();
    expect(after).toMatchObject({ data: [], unreadCount: 0 });
    const all = await (await s.owner.get("/api/v1/notifications?unread=false")).json();
    expect(all.data).toHaveLength(1);
    expect(all.data[0].readAt).not.toBeNull();

    // The admin marks all read.
    expect(await (await s.admin.post("/api/v1/notifications/read")).json()).toEqual({ marked: 1 });
    expect((await (await s.admin.get("/api/v1/notifications")).json()).unreadCount).toBe(0);
  });

  it("a note without mentions has none and notifies nobody", async () => {
    const s = await setup();
    const res = await s.agent.post(s.url, { text: "Checked with the courier", internal: true });
    expect(res.status).toBe(201);
    expect((await res.json()).mentions).toBeUndefined();
    expect(await notificationsOf(s.ws.owner.member.id)).toHaveLength(0);
  });

  it("a member of another workspace, or an unknown id → 400 naming the entry; nothing stored", async () => {
    const s = await setup();
    const other = await createSignInWorkspace(runtime);
    const res = await s.agent.post(s.url, {
      text: "@Someone look",
      internal: true,
      mentions: [s.ws.owner.member.id, other.owner.member.id],
    });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.details).toEqual([{ path: "mentions.1", message: `${other.owner.member.id} is not a member here` }]);
    const notes = await db().select().from(messages).where(eq(messages.conversationId, s.conversation.id));
    expect(notes.filter((m) => m.kind === "note")).toHaveLength(0);
    expect(await notificationsOf(s.ws.owner.member.id)).toHaveLength(0);
    expect(await notificationsOf(other.owner.member.id)).toHaveLength(0);
  });

  it("a reply to the customer cannot mention (400 naming mentions)", async () => {
    const s = await setup();
    const res = await s.agent.post(s.url, { text: "Hello", mentions: [s.ws.owner.member.id] });
    expect(res.status).toBe(400);
    expect((await res.json()).error.details[0].path).toBe("mentions");
  });

  it("nobody marks another member's notification read (404), nor sees it", async () => {
    const s = await setup();
    await s.agent.post(s.url, { text: "@Owner see this", internal: true, mentions: [s.ws.owner.member.id] });
    const [stored] = await notificationsOf(s.ws.owner.member.id);
    const res = await s.admin.post(`/api/v1/notifications/${stored!.id}/read`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("notification_not_found");
    expect((await (await s.admin.get("/api/v1/notifications")).json()).data).toHaveLength(0);
    expect((await (await s.admin.post("/api/v1/notifications/read")).json()).marked).toBe(0);
    const [still] = await notificationsOf(s.ws.owner.member.id);
    expect(still?.readAt).toBeNull();
  });

  it("signed out → 401", async () => {
    expect((await new TestClient(app).get("/api/v1/notifications")).status).toBe(401);
  });
});
