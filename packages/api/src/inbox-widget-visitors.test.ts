/**
 * What the inbox shows of website widget visitors and of customers' ratings (issue 14): the contact's
 * `visitor` (presence, page, browser, verified identity from `contact.metadata.visitor`) on the
 * conversation, the list and the contact; each message's `feedback` counted with the messages page.
 */
import { loadFeedbackSummary, type Runtime } from "@tandem/core";
import { feedback } from "@tandem/db";
import { createChannel, createContact, createConversation, createMessage } from "@tandem/db/testing";
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

const db = () => runtime.database.db;

async function agentOf() {
  const ws = await createSignInWorkspace(runtime);
  const agent = new TestClient(app);
  expect((await agent.signIn(ws.agent.user.email, TEST_PASSWORD)).status).toBe(200);
  return { ws, agent };
}

describe("contact.visitor", () => {
  it("a widget visitor's presence, page, browser and verified identity; null for a Messenger customer", async () => {
    const { ws, agent } = await agentOf();
    const workspaceId = ws.workspace.id;
    const web = await createChannel(db(), { workspaceId, type: "web" });
    const lastSeenAt = new Date("2026-12-07T10:00:00Z");
    const visitor = await createContact(db(), {
      workspaceId,
      channelId: web.id,
      platformUserId: "ws_visitor1",
      lastSeenAt,
      metadata: {
        visitor: {
          online: true,
          pageUrl: "https://shop.example.com/products/serum",
          pageTitle: "Serum",
          browser: "Chrome 131",
          os: "macOS",
          userId: "u_42",
          verified: true,
        },
      },
    });
    const webConv = await createConversation(db(), { workspaceId, channelId: web.id, contactId: visitor.id });
    const messengerConv = await createConversation(db(), { workspaceId });

    const expected = {
      online: true,
      pageUrl: "https://shop.example.com/products/serum",
      pageTitle: "Serum",
      browser: "Chrome 131",
      os: "macOS",
      lastSeenAt: lastSeenAt.toISOString(),
      verified: true,
    };
    const one = await (await agent.get(`/api/v1/conversations/${webConv.id}`)).json();
    expect(one.contact.visitor).toEqual(expected);
    expect(one.channel.type).toBe("web");
    const list = await (await agent.get("/api/v1/conversations")).json();
    const rows = new Map(list.data.map((c: { id: string; contact: unknown }) => [c.id, c.contact]));
    expect(rows.get(webConv.id)).toMatchObject({ visitor: expected });
    expect(rows.get(messengerConv.id)).toMatchObject({ visitor: null });
    expect((await (await agent.get(`/api/v1/contacts/${visitor.id}`)).json()).visitor).toEqual(expected);
  });

  it("a visitor who left, with nothing known, is offline and unverified", async () => {
    const { ws, agent } = await agentOf();
    const workspaceId = ws.workspace.id;
    const web = await createChannel(db(), { workspaceId, type: "web" });
    const contact = await createContact(db(), {
      workspaceId,
      channelId: web.id,
      metadata: { visitor: { online: false, pageUrl: "", verified: "yes" } },
    });
    const conv = await createConversation(db(), { workspaceId, channelId: web.id, contactId: contact.id });
    expect((await (await agent.get(`/api/v1/conversations/${conv.id}`)).json()).contact.visitor).toEqual({
      online: false,
      pageUrl: null,
      pageTitle: null,
      browser: null,
      os: null,
      lastSeenAt: null,
      verified: false,
    });
  });
});

describe("message.feedback", () => {
  it("counts each rating of a bot message with the latest comment; null for unrated messages; per page", async () => {
    const { ws, agent } = await agentOf();
    const workspaceId = ws.workspace.id;
    const conv = await createConversation(db(), { workspaceId });
    const question = await createMessage(db(), { conversationId: conv.id, createdAt: new Date(Date.now() - 4000) });
    const answer = await createMessage(db(), {
      conversationId: conv.id,
      role: "BOT",
      status: "sent",
      text: "Yes, we ship to Japan.",
      createdAt: new Date(Date.now() - 3000),
    });
    const other = await createMessage(db(), {
      conversationId: conv.id,
      role: "BOT",
      status: "sent",
      text: "Anything else?",
      createdAt: new Date(Date.now() - 2000),
    });
    const rate = (
      messageId: string,
      identifier: string,
      rating: "helpful" | "not_helpful" | "inappropriate",
      comment: string | null,
      at: number,
    ) =>
      db()
        .insert(feedback)
        .values({
          workspaceId,
          conversationId: conv.id,
          messageId,
          identifier,
          rating,
          comment,
          updatedAt: new Date(at),
        });
    await rate(answer.id, "visitor:a", "helpful", "Quick answer", Date.now() - 60_000);
    await rate(answer.id, "visitor:b", "helpful", null, Date.now() - 50_000);
    await rate(answer.id, "visitor:c", "not_helpful", "Shipping costs were missing", Date.now() - 40_000);
    await rate(answer.id, "visitor:d", "not_helpful", "", Date.now() - 30_000);
    await rate(other.id, "visitor:a", "inappropriate", null, Date.now() - 20_000);

    const page = await (await agent.get(`/api/v1/conversations/${conv.id}/messages`)).json();
    const byId = new Map(page.data.map((m: { id: string; feedback: unknown }) => [m.id, m.feedback]));
    expect(byId.get(question.id)).toBeNull();
    expect(byId.get(answer.id)).toEqual({
      helpful: 2,
      notHelpful: 2,
      inappropriate: 0,
      latestComment: "Shipping costs were missing",
    });
    expect(byId.get(other.id)).toEqual({ helpful: 0, notHelpful: 0, inappropriate: 1, latestComment: null });

    // The same summary for one message, for whoever publishes it again after a rating.
    expect(await loadFeedbackSummary(db(), workspaceId, answer.id)).toEqual(byId.get(answer.id));
    expect(await loadFeedbackSummary(db(), workspaceId, question.id)).toBeNull();
    expect(await loadFeedbackSummary(db(), "ws_other", answer.id)).toBeNull();

    // Paging keeps each message's own counts (the lateral join does not multiply rows).
    const first = await (await agent.get(`/api/v1/conversations/${conv.id}/messages?limit=1`)).json();
    expect(first.data).toHaveLength(1);
    expect(first.data[0]).toMatchObject({ id: other.id, feedback: { inappropriate: 1 } });
    const second = await (
      await agent.get(`/api/v1/conversations/${conv.id}/messages?limit=1&cursor=${first.nextCursor}`)
    ).json();
    expect(second.data[0]).toMatchObject({ id: answer.id, feedback: { helpful: 2, notHelpful: 2 } });
  });
});
