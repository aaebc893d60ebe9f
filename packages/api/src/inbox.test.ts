import type { Runtime } from "@tandem/core";
import { createChannel, createConversation, createMessage, createTestWorkspace } from "@tandem/db/testing";
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
const HOUR = 60 * 60_000;

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

describe("GET /api/v1/inbox/options", () => {
  it("gives an AGENT the workspace's channels, members and tags (most used first), nothing of another workspace", async () => {
    const ws = await createSignInWorkspace(runtime);
    const workspaceId = ws.workspace.id;
    const page = await createChannel(db(), { workspaceId, type: "messenger", name: "Bakery Page" });
    const web = await createChannel(db(), { workspaceId, type: "web", name: "Website" });
    await createConversation(db(), { workspaceId, channelId: page.id, tags: ["vip", "refund"] });
    await createConversation(db(), { workspaceId, channelId: page.id, tags: ["vip"] });
    await createConversation(db(), { workspaceId, isPlayground: true, tags: ["playground-only"] });
    const other = await createTestWorkspace(db());
    await createConversation(db(), { workspaceId: other.workspace.id, tags: ["elsewhere"] });

    const agent = await signedIn(ws.agent.user.email);
    const res = await agent.get("/api/v1/inbox/options");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.channels).toEqual([
      { id: page.id, type: "messenger", name: "Bakery Page" },
      { id: web.id, type: "web", name: "Website" },
    ]);
    expect(body.members.map((m: { id: string }) => m.id).sort()).toEqual(
      [ws.owner.member.id, ws.admin.member.id, ws.agent.member.id].sort(),
    );
    expect(body.members).toContainEqual({
      id: ws.agent.member.id,
      userId: ws.agent.user.id,
      name: ws.agent.user.name,
      email: ws.agent.user.email,
    });
    expect(body.tags).toEqual(["vip", "refund"]);
  });

  it("needs a session", async () => {
    expect((await new TestClient(app).get("/api/v1/inbox/options")).status).toBe(401);
  });
});

describe("ConversationDto.replyWindow", () => {
  it("tells until when a person and the bot may answer on Messenger, and nothing for a channel without a window", async () => {
    const ws = await createSignInWorkspace(runtime);
    const workspaceId = ws.workspace.id;
    const page = await createChannel(db(), { workspaceId, type: "messenger" });
    const web = await createChannel(db(), { workspaceId, type: "web" });
    const lastInboundAt = new Date(Date.now() - 2 * HOUR);
    const messenger = await createConversation(db(), { workspaceId, channelId: page.id, lastInboundAt });
    const silent = await createConversation(db(), { workspaceId, channelId: page.id, lastInboundAt: null });
    const widget = await createConversation(db(), { workspaceId, channelId: web.id, lastInboundAt });
    const agent = await signedIn(ws.agent.user.email);
    const window = async (id: string) => (await (await agent.get(`/api/v1/conversations/${id}`)).json()).replyWindow;

    expect(await window(messenger.id)).toEqual({
      botUntil: new Date(lastInboundAt.getTime() + 24 * HOUR).toISOString(),
      agentUntil: new Date(lastInboundAt.getTime() + 7 * 24 * HOUR).toISOString(),
    });
    expect(await window(silent.id)).toEqual({ agentUntil: null, botUntil: null });
    expect(await window(widget.id)).toBeNull();
  });
});

describe("ConversationDto.lastMessage", () => {
  it("says when the latest message is an internal note, so the list does not show it as a reply", async () => {
    const ws = await createSignInWorkspace(runtime);
    const conversation = await createConversation(db(), { workspaceId: ws.workspace.id });
    await createMessage(db(), {
      conversationId: conversation.id,
      text: "Hello",
      createdAt: new Date(Date.now() - HOUR),
    });
    await createMessage(db(), { conversationId: conversation.id, role: "AGENT", kind: "note", text: "VIP customer" });
    const agent = await signedIn(ws.agent.user.email);
    const body = await (await agent.get(`/api/v1/conversations/${conversation.id}`)).json();
    expect(body.lastMessage).toMatchObject({ role: "AGENT", kind: "note", text: "VIP customer" });
    expect(body.updatedAt).toEqual(expect.any(String));
  });
});
