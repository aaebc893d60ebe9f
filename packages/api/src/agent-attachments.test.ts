/**
 * Attachments from agents, end to end through the API: the upload checked against the channel's
 * rules, the reply that sends it, the send job delivering it through the simulated platforms over
 * real HTTP (Messenger: the file uploaded with the Send API; LINE: an image message LINE fetches from
 * our public media route), the widget's view of it, and the sweep of uploads never sent.
 */
import { serve } from "@hono/node-server";
import { type AppJobDeps, type Runtime, sealLineSecrets, silentLogger } from "@tandem/core";
import { sealPageToken } from "@tandem/core/channels/messenger/page-token";
import type { JobContext } from "@tandem/core/jobs/define-job";
import { sweepUnsentUploads } from "@tandem/core/media/media-store";
import { sendOutboundMessage } from "@tandem/core/messages/send-outbound-message";
import { messages } from "@tandem/db";
import { createChannel, createContact, createConversation, type TestWorkspace } from "@tandem/db/testing";
import { createSimulator, newLineId } from "@tandem/simulator";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

const simulator = createSimulator();
let server: ReturnType<typeof serve>;
let runtime: Runtime;
let app: ReturnType<typeof createApp>;
const HTTP_APP_URL = "http://localhost:3000";

beforeAll(async () => {
  runtime = await createTestRuntime();
  attachTestQueue(runtime);
  app = createApp(runtime);
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
  runtime.config.facebook.graphApiUrl = `http://127.0.0.1:${port}/graph`;
  runtime.config.lineApiUrl = `http://127.0.0.1:${port}/line/api`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
});

const db = () => runtime.database.db;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join("");

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: "#3366ff" } })
    .png()
    .toBuffer();

function fileForm(name: string, bytes: Uint8Array | string, type: string): FormData {
  const form = new FormData();
  const body = typeof bytes === "string" ? new TextEncoder().encode(bytes) : new Uint8Array(bytes);
  form.append("file", new Blob([body], { type }), name);
  return form;
}

async function agentOf(ws: TestWorkspace) {
  const client = new TestClient(app);
  expect((await client.signIn(ws.agent.user.email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

/** A conversation on a channel of `type` in a workspace whose agent is signed in. */
async function setup(type: "messenger" | "line" | "web") {
  const ws = await createSignInWorkspace(runtime);
  let externalId = digits(15);
  let secrets = {};
  let platformUserId = digits(16);
  if (type === "messenger") {
    const page = simulator.graph.state.addPage({
      id: externalId,
      name: "Sim Page",
      accessToken: `EAAPAGE${digits(20)}`,
    });
    secrets = sealPageToken(runtime.keyring, page.accessToken);
  } else if (type === "line") {
    const token = `line-token-${digits(12)}`;
    const account = simulator.line.state.addChannel({
      channelId: digits(10),
      channelSecret: "0123456789abcdef0123456789abcdef",
      channelAccessToken: token,
      userId: newLineId("U"),
      basicId: `@att${digits(4)}`,
      displayName: "Attachments",
    });
    externalId = account.channelId;
    platformUserId = newLineId("U");
    secrets = sealLineSecrets(runtime.keyring, {
      channelSecret: "0123456789abcdef0123456789abcdef",
      channelAccessToken: token,
    });
  } else {
    platformUserId = `ws_${digits(22)}`;
  }
  const channel = await createChannel(db(), {
    workspaceId: ws.workspace.id,
    type,
    name: type === "line" ? "LINE shop" : type === "web" ? "Website" : "Sim Page",
    externalId,
    ...secrets,
  });
  const contact = await createContact(db(), { workspaceId: ws.workspace.id, channelId: channel.id, platformUserId });
  const conversation = await createConversation(db(), {
    workspaceId: ws.workspace.id,
    channelId: channel.id,
    contactId: contact.id,
    lastInboundAt: new Date(Date.now() - 60_000),
  });
  return { ws, channel, contact, conversation, agent: await agentOf(ws) };
}

const upload = (client: TestClient, conversationId: string, form: FormData) =>
  client.request("POST", `/api/v1/conversations/${conversationId}/attachments`, form);

function jobCtx(): JobContext<AppJobDeps> {
  return {
    db: runtime.database.db,
    config: runtime.config,
    keyring: runtime.keyring,
    realtime: runtime.realtime,
    limiter: runtime.limiter,
    channels: runtime.channels,
    queue: undefined as never,
    jobId: "test",
    jobKey: null,
    name: sendOutboundMessage.name,
    attempt: 1,
    maxAttempts: 1,
    log: silentLogger,
    signal: new AbortController().signal,
  };
}

async function load(messageId: string) {
  const [row] = await db().select().from(messages).where(eq(messages.id, messageId));
  return row!;
}

describe("agent attachments: upload", () => {
  it("keeps an image for the conversation with its pixel size, shown to members of the workspace only", async () => {
    const { conversation, agent } = await setup("messenger");
    const bytes = await png(64, 48);
    const res = await upload(agent, conversation.id, fileForm("photo.png", bytes, "image/png"));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      type: "image",
      name: "photo.png",
      mime: "image/png",
      size: bytes.byteLength,
      width: 64,
      height: 48,
    });
    expect(body.id).toMatch(/^med_[0-9a-f]{32}$/);
    expect(body.url).toBe(`/api/v1/media/${body.id}`);

    const shown = await agent.get(body.url);
    expect(shown.status).toBe(200);
    expect(shown.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await shown.arrayBuffer()).equals(bytes)).toBe(true);
    // Another workspace's agent does not see it.
    const other = await setup("messenger");
    expect((await other.agent.get(body.url)).status).toBe(404);
    // Nor does the internet: an upload is public only under its workspace's public path.
    expect((await app.request(`/api/v1/public/media/${other.ws.workspace.id}/${body.id}/photo.png`)).status).toBe(404);
  });

  it("refuses what the channel does not take, with the channel's limits, and keeps nothing", async () => {
    const line = await setup("line");
    runtime.config.appUrl = "https://tandem.example";
    try {
      const pdf = await upload(line.agent, line.conversation.id, fileForm("menu.pdf", "%PDF-1.4", "application/pdf"));
      expect(pdf.status).toBe(415);
      const error = (await pdf.json()).error;
      expect(error.code).toBe("unsupported_file_type");
      expect(error.message).toContain("menu.pdf cannot be sent on LINE shop: it takes images (JPEG, PNG) up to 10 MB");
      // A text file that claims to be a PNG is not an image.
      const fake = await upload(line.agent, line.conversation.id, fileForm("x.png", "not a png at all", "image/png"));
      expect(fake.status).toBe(415);
      expect((await fake.json()).error.message).toBe("x.png is not a valid PNG image.");
    } finally {
      runtime.config.appUrl = HTTP_APP_URL;
    }

    // The widget takes files up to 10 MB.
    const web = await setup("web");
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    const tooLarge = await upload(web.agent, web.conversation.id, fileForm("big.zip", big, "application/zip"));
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).error).toMatchObject({
      code: "file_too_large",
      message: "big.zip is 10 MB; Website takes files up to 10 MB.",
    });

    // Another workspace's conversation is not found, before anything is kept.
    expect(
      (await upload(web.agent, line.conversation.id, fileForm("a.png", await png(2, 2), "image/png"))).status,
    ).toBe(404);
    // Not multipart, or no file.
    expect((await web.agent.post(`/api/v1/conversations/${web.conversation.id}/attachments`, {})).status).toBe(400);
    const empty = new FormData();
    expect((await upload(web.agent, web.conversation.id, empty)).status).toBe(400);
  });

  it("refuses LINE files while APP_URL is not https: LINE could not fetch them", async () => {
    const { conversation, agent } = await setup("line");
    const res = await upload(agent, conversation.id, fileForm("a.png", await png(4, 4), "image/png"));
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: "attachments_need_public_url" });
    const health = await (await app.request("/api/health")).json();
    expect(health.publicMedia).toBe(false);
  });

  it("tells the inbox each channel's rules", async () => {
    const { conversation, agent } = await setup("line");
    const res = await agent.get(`/api/v1/conversations/${conversation.id}`);
    expect((await res.json()).channel.attachments).toEqual({
      rules: [{ kind: "image", mimes: ["image/jpeg", "image/png"], maxBytes: 10 * 1024 * 1024 }],
      maxFiles: 5,
      fetchedByUrl: true,
    });
  });
});

describe("agent attachments: send", () => {
  it("sends an image without text to Messenger, uploaded with the Send API", async () => {
    const { conversation, contact, agent } = await setup("messenger");
    const bytes = await png(30, 20);
    const uploaded = await (await upload(agent, conversation.id, fileForm("smile.png", bytes, "image/png"))).json();

    const sent = await agent.post(`/api/v1/conversations/${conversation.id}/messages`, { attachments: [uploaded.id] });
    expect(sent.status).toBe(201);
    const message = await sent.json();
    expect(message).toMatchObject({ kind: "attachment", text: null, status: "queued" });
    expect(message.attachments).toEqual([
      expect.objectContaining({ type: "image", url: uploaded.url, name: "smile.png", width: 30, height: 20 }),
    ]);

    await sendOutboundMessage.handle({ messageId: message.id }, jobCtx());
    const row = await load(message.id);
    expect(row.status).toBe("sent");
    const [record] = simulator.graph.state.outbox.filter((r) => r.recipientId === contact.platformUserId);
    expect(record?.message).toMatchObject({ attachment: { type: "image" }, metadata: `tandem:${message.id}` });
    expect(row.platformMessageId).toBe(record!.messageId);
    // Meta keeps the file it received: the simulator serves the very bytes we sent.
    const served = (record!.message as { attachment: { payload: { url: string } } }).attachment.payload.url;
    const fetched = await fetch(served);
    expect(fetched.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await fetched.arrayBuffer()).equals(bytes)).toBe(true);

    // Sent once: the same upload cannot go again.
    const again = await agent.post(`/api/v1/conversations/${conversation.id}/messages`, { attachments: [uploaded.id] });
    expect(again.status).toBe(400);
    expect((await again.json()).error.message).toContain("smile.png was already sent");
  });

  it("sends LINE an image message pointing at our public address, with a small preview", async () => {
    const { conversation, contact, agent, ws } = await setup("line");
    runtime.config.appUrl = "https://tandem.example";
    try {
      const bytes = await png(800, 600);
      const uploaded = await (await upload(agent, conversation.id, fileForm("shop.png", bytes, "image/png"))).json();
      const sent = await agent.post(`/api/v1/conversations/${conversation.id}/messages`, {
        text: "Here is our shop",
        attachments: [uploaded.id],
      });
      expect(sent.status).toBe(201);
      const message = await sent.json();
      await sendOutboundMessage.handle({ messageId: message.id }, jobCtx());
      expect((await load(message.id)).status).toBe("sent");

      const [record] = simulator.line.state.outbox.filter((r) => r.chatId === contact.platformUserId);
      const publicPath = `/api/v1/public/media/${ws.workspace.id}/${uploaded.id}/shop.png`;
      expect(record?.messages).toEqual([
        { type: "text", text: "Here is our shop" },
        {
          type: "image",
          originalContentUrl: `https://tandem.example${publicPath}`,
          previewImageUrl: `https://tandem.example${publicPath}?variant=preview`,
        },
      ]);
      // What LINE fetches: the original, and a JPEG within 240×240, without a session.
      const original = await app.request(publicPath);
      expect(original.status).toBe(200);
      expect(Buffer.from(await original.arrayBuffer()).equals(bytes)).toBe(true);
      const preview = await app.request(`${publicPath}?variant=preview`);
      expect(preview.headers.get("content-type")).toBe("image/jpeg");
      const meta = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
      expect(meta).toMatchObject({ format: "jpeg", width: 240, height: 180 });
    } finally {
      runtime.config.appUrl = HTTP_APP_URL;
    }
  });

  it("gives the widget the file at its public address, and a file gone from the server fails the send with a reason", async () => {
    const { conversation, agent, ws } = await setup("web");
    const uploaded = await (
      await upload(agent, conversation.id, fileForm("เงื่อนไข terms.pdf", "%PDF-1.4 terms", "application/pdf"))
    ).json();
    expect(uploaded).toMatchObject({ type: "file", mime: "application/pdf" });
    const sent = await (
      await agent.post(`/api/v1/conversations/${conversation.id}/messages`, {
        text: "Our terms",
        attachments: [uploaded.id],
      })
    ).json();
    await sendOutboundMessage.handle({ messageId: sent.id }, jobCtx());
    expect((await load(sent.id)).status).toBe("sent");
    const { publicMessageOf } = await import("@tandem/core/public-chat/public-message");
    const dto = await publicMessageOf(db(), sent.id);
    expect(dto?.attachments).toEqual([
      expect.objectContaining({
        type: "file",
        url: `/api/v1/public/media/${ws.workspace.id}/${uploaded.id}/${encodeURIComponent("เงื่อนไข terms.pdf")}`,
        name: "เงื่อนไข terms.pdf",
      }),
    ]);
    // Downloaded, never rendered as a page of our origin.
    const file = await app.request(dto!.attachments[0]!.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toBe(
      `attachment; filename="________ terms.pdf"; filename*=UTF-8''${encodeURIComponent("เงื่อนไข terms.pdf")}`,
    );
    expect(file.headers.get("content-type")).toBe("application/octet-stream");

    // Messenger: the file went missing from DATA_DIR before the send.
    const messenger = await setup("messenger");
    const lost = await (
      await upload(messenger.agent, messenger.conversation.id, fileForm("a.png", await png(3, 3), "image/png"))
    ).json();
    const reply = await (
      await messenger.agent.post(`/api/v1/conversations/${messenger.conversation.id}/messages`, {
        attachments: [lost.id],
      })
    ).json();
    const { deleteMedia } = await import("@tandem/core/media/media-store");
    await deleteMedia(runtime.config.dataDir, messenger.ws.workspace.id, lost.id);
    await expect(sendOutboundMessage.handle({ messageId: reply.id }, jobCtx())).rejects.toThrow();
    expect(await load(reply.id)).toMatchObject({ status: "failed", errorCode: "attachment_missing" });
  });

  it("takes files with agent replies only, uploaded to this conversation, at most the channel's number", async () => {
    const { conversation, agent } = await setup("messenger");
    const otherContact = await createContact(db(), {
      workspaceId: conversation.workspaceId,
      channelId: conversation.channelId!,
      platformUserId: digits(16),
    });
    const other = await createConversation(db(), {
      workspaceId: conversation.workspaceId,
      channelId: conversation.channelId!,
      contactId: otherContact.id,
      lastInboundAt: new Date(),
    });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(
        (await (await upload(agent, conversation.id, fileForm(`${i}.png`, await png(2, 2), "image/png"))).json()).id,
      );
    }
    const post = (id: string, body: unknown) => agent.post(`/api/v1/conversations/${id}/messages`, body);
    expect((await post(conversation.id, { attachments: ids })).status).toBe(400);
    expect((await (await post(conversation.id, { attachments: ids })).json()).error.message).toBe(
      "At most 5 files go in one message on Sim Page.",
    );
    expect((await post(conversation.id, { internal: true, text: "note", attachments: [ids[0]] })).status).toBe(400);
    expect((await post(other.id, { attachments: [ids[0]] })).status).toBe(400);
    expect((await post(conversation.id, { attachments: [ids[0], ids[0]] })).status).toBe(400);
    expect((await post(conversation.id, { attachments: ["med_0123"] })).status).toBe(400);
    // Nothing was stored by the refusals.
    const stored = await db().select().from(messages).where(eq(messages.conversationId, conversation.id));
    expect(stored).toEqual([]);
  });

  it("deletes uploads no reply sent after a day, and keeps the sent ones", async () => {
    const { conversation, agent } = await setup("messenger");
    const unsent = (
      await (await upload(agent, conversation.id, fileForm("u.png", await png(2, 2), "image/png"))).json()
    ).id;
    const kept = (await (await upload(agent, conversation.id, fileForm("k.png", await png(2, 2), "image/png"))).json())
      .id;
    expect(
      (await agent.post(`/api/v1/conversations/${conversation.id}/messages`, { attachments: [kept] })).status,
    ).toBe(201);

    // Not yet a day old: nothing goes.
    await sweepUnsentUploads(runtime.config.dataDir, new Date(Date.now() - 24 * 3_600_000));
    expect((await agent.get(`/api/v1/media/${unsent}`)).status).toBe(200);
    // A day later.
    await sweepUnsentUploads(runtime.config.dataDir, new Date(Date.now() + 1_000));
    expect((await agent.get(`/api/v1/media/${unsent}`)).status).toBe(404);
    expect((await agent.get(`/api/v1/media/${kept}`)).status).toBe(200);
  });
});
