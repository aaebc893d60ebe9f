/**
 * `PATCH /api/v1/channels/{id} {chatbotId}`: naming the chatbot that answers a channel — roles, other
 * workspaces, bad input, LINE and disconnected channels, the audit row, and a new conversation of the
 * channel getting the new chatbot.
 */
import type { Runtime } from "@tandem/core";
import { auditLogs, channels } from "@tandem/db";
import { createChannel, createChatbot } from "@tandem/db/testing";
import { and, eq } from "drizzle-orm";
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

afterAll(async () => {
  await runtime.close();
});

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function setup() {
  const ws = await createSignInWorkspace(runtime);
  const db = runtime.database.db;
  const first = await createChatbot(db, { workspaceId: ws.workspace.id, isDefault: true });
  const second = await createChatbot(db, { workspaceId: ws.workspace.id, name: "Second bot" });
  const channel = await createChannel(db, { workspaceId: ws.workspace.id, chatbotId: first.id, status: "active" });
  return { ws, first, second, channel };
}

const chatbotOf = async (channelId: string) =>
  (await runtime.database.db.select().from(channels).where(eq(channels.id, channelId)))[0]!.chatbotId;

describe("PATCH /channels/{id}", () => {
  it("lets an owner and an admin name another chatbot, audited, and the chatbot lists the channel", async () => {
    const { ws, first, second, channel } = await setup();
    const owner = await signedIn(ws.owner.user.email);
    const res = await owner.patch(`/api/v1/channels/${channel.id}`, { chatbotId: second.id });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: channel.id, chatbotId: second.id });
    expect(await chatbotOf(channel.id)).toBe(second.id);

    const bot = (await (await owner.get(`/api/v1/chatbots/${second.id}`)).json()) as { channels: { id: string }[] };
    expect(bot.channels.map((c) => c.id)).toEqual([channel.id]);

    const audit = await runtime.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "channel.assign_chatbot")));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      entityId: channel.id,
      before: { chatbotId: first.id },
      after: { chatbotId: second.id },
    });

    const admin = await signedIn(ws.admin.user.email);
    const back = await admin.patch(`/api/v1/channels/${channel.id}`, { chatbotId: first.id });
    expect(back.status).toBe(200);
    expect(await chatbotOf(channel.id)).toBe(first.id);

    // The same chatbot again changes nothing and writes no audit row.
    expect((await admin.patch(`/api/v1/channels/${channel.id}`, { chatbotId: first.id })).status).toBe(200);
    const rows = await runtime.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "channel.assign_chatbot")));
    expect(rows).toHaveLength(2);

    // null: no chatbot, people reply.
    const none = await admin.patch(`/api/v1/channels/${channel.id}`, { chatbotId: null });
    expect(none.status).toBe(200);
    expect(await chatbotOf(channel.id)).toBeNull();
  });

  it("refuses an agent (403) and changes nothing", async () => {
    const { ws, first, second, channel } = await setup();
    const agent = await signedIn(ws.agent.user.email);
    const res = await agent.patch(`/api/v1/channels/${channel.id}`, { chatbotId: second.id });
    expect(res.status).toBe(403);
    expect(await chatbotOf(channel.id)).toBe(first.id);
  });

  it("answers 404 for another workspace's channel and 400 naming chatbotId for another workspace's chatbot", async () => {
    const a = await setup();
    const b = await setup();
    const owner = await signedIn(a.ws.owner.user.email);

    const foreignChannel = await owner.patch(`/api/v1/channels/${b.channel.id}`, { chatbotId: a.second.id });
    expect(foreignChannel.status).toBe(404);
    expect(((await foreignChannel.json()) as { error: { code: string } }).error.code).toBe("channel_not_found");
    expect(await chatbotOf(b.channel.id)).toBe(b.first.id);

    for (const chatbotId of [b.second.id, "bot_unknown"]) {
      const res = await owner.patch(`/api/v1/channels/${a.channel.id}`, { chatbotId });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
      expect(body.error.code).toBe("invalid_chatbot");
      expect(body.error.details[0]!.path).toBe("chatbotId");
    }
    expect(await chatbotOf(a.channel.id)).toBe(a.first.id);
  });

  it("refuses bad input, a deleted chatbot, a LINE channel and a disconnected one, changing nothing", async () => {
    const { ws, first, second, channel } = await setup();
    const owner = await signedIn(ws.owner.user.email);

    for (const body of [{}, { chatbotId: 12 }, { chatbotId: "" }, { chatbotId: second.id, extra: true }]) {
      const res = await owner.patch(`/api/v1/channels/${channel.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const empty = (await (await owner.patch(`/api/v1/channels/${channel.id}`, { chatbotId: "" })).json()) as {
      error: { details: { path: string; message: string }[] };
    };
    expect(empty.error.details[0]).toMatchObject({ path: "chatbotId", message: "choose a chatbot" });

    const deleted = await createChatbot(runtime.database.db, { workspaceId: ws.workspace.id, deletedAt: new Date() });
    expect((await owner.patch(`/api/v1/channels/${channel.id}`, { chatbotId: deleted.id })).status).toBe(400);

    const line = await createChannel(runtime.database.db, {
      workspaceId: ws.workspace.id,
      type: "line",
      chatbotId: first.id,
    });
    const lineRes = await owner.patch(`/api/v1/channels/${line.id}`, { chatbotId: second.id });
    expect(lineRes.status).toBe(400);
    expect(((await lineRes.json()) as { error: { code: string } }).error.code).toBe("channel_not_supported");
    expect(await chatbotOf(line.id)).toBe(first.id);

    const gone = await createChannel(runtime.database.db, {
      workspaceId: ws.workspace.id,
      chatbotId: first.id,
      status: "disconnected",
      disconnectedAt: new Date(),
    });
    const goneRes = await owner.patch(`/api/v1/channels/${gone.id}`, { chatbotId: second.id });
    expect(goneRes.status).toBe(400);
    expect(((await goneRes.json()) as { error: { code: string } }).error.code).toBe("channel_disconnected");

    expect(await chatbotOf(channel.id)).toBe(first.id);
  });
});
