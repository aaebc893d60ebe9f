/**
 * The inbound store and `receiveCustomerMessage` with a channel shaped like LINE's — a per-channel
 * webhook URL (rows name their channel by id), a dedupe key per event, a group conversation with
 * several speakers — through a test adapter, so the shared pipeline is proven for more than Messenger.
 */
import { createHmac } from "node:crypto";
import { channels, contacts, conversations, inboundEvents, messages } from "@tandem/db";
import { createChannel, createTestWorkspace } from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../tests/support/runtime.ts";
import type { AppJobDeps } from "../app-deps.ts";
import type { ChannelAdapter, ChannelInbound } from "../channels/adapter.ts";
import type { ChannelRegistry } from "../channels/registry.ts";
import { appendMessage, previewOf } from "../conversations/append-message.ts";
import { receiveCustomerMessage } from "../conversations/receive-customer-message.ts";
import type { JobContext } from "../jobs/define-job.ts";
import { silentLogger } from "../logger.ts";
import { mediaIdOf, mediaUrl, readMedia } from "../media/media-store.ts";
import { fetchMessageContent } from "../messages/fetch-message-content.ts";
import type { Runtime } from "../runtime.ts";
import { receiveInbound } from "./store.ts";

const SECRET = "test-channel-secret";

/** LINE-like: `x-test-signature` = base64 HMAC of the body; one row per event, deduplicated on its id. */
const inbound = (channelId: string): ChannelInbound => ({
  signatureHeader: "X-Test-Signature",
  verify: ({ rawBody, header }, secret) =>
    header("x-test-signature") === createHmac("sha256", secret).update(rawBody).digest("base64"),
  split: (body) =>
    (body as { events: { id: string }[] }).events.map((event) => ({
      channel: { id: channelId },
      payload: event,
      items: 1,
      dedupeKey: event.id,
    })),
  normalize: () => [],
});

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createTestRuntime();
  attachTestQueue(runtime);
});
afterAll(() => runtime.close());

const db = () => runtime.database.db;
const deps = () => ({ db: db(), log: silentLogger, limiter: runtime.limiter, queue: null });

function request(body: unknown, secret = SECRET) {
  const rawBody = Buffer.from(JSON.stringify(body));
  const signature = createHmac("sha256", secret).update(rawBody).digest("base64");
  return { rawBody, header: (name: string) => (name === "x-test-signature" ? signature : undefined) };
}

describe("inbound store", () => {
  it("stores rows addressed by channel id once per dedupe key, however often they are redelivered", async () => {
    const { workspace } = await createTestWorkspace(db());
    const channel = await createChannel(db(), { workspaceId: workspace.id, type: "line" });
    const adapter = { type: "line" as const, inbound: inbound(channel.id) };
    const body = { events: [{ id: `evt-${channel.id}-1` }, { id: `evt-${channel.id}-2` }] };

    expect(await receiveInbound(deps(), adapter, { ...request(body), secret: SECRET })).toEqual({
      pending: 2,
      ignored: 0,
      duplicates: 0,
    });
    const [first, second] = await Promise.all([
      receiveInbound(deps(), adapter, { ...request(body), secret: SECRET }),
      receiveInbound(deps(), adapter, { ...request(body), secret: SECRET }),
    ]);
    expect([first, second]).toEqual([
      { pending: 0, ignored: 0, duplicates: 2 },
      { pending: 0, ignored: 0, duplicates: 2 },
    ]);

    const rows = await db().select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id));
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.status === "pending" && r.workspaceId === workspace.id && r.source === "line")).toBe(
      true,
    );
    // The row keeps the platform account the channel belongs to.
    expect(rows[0]!.externalId).toBe(channel.externalId);
  });

  it("refuses a bad signature, stores nothing and counts the rejection on the channel the URL names", async () => {
    const { workspace } = await createTestWorkspace(db());
    const channel = await createChannel(db(), { workspaceId: workspace.id, type: "line" });
    const adapter = { type: "line" as const, inbound: inbound(channel.id) };
    await runtime.limiter.reset("webhook:bad-signature:sender:203.0.113.9");

    await expect(
      receiveInbound(deps(), adapter, {
        ...request({ events: [{ id: "forged" }] }, "not-the-secret"),
        secret: SECRET,
        channelId: channel.id,
        sourceAddress: "203.0.113.9",
      }),
    ).rejects.toMatchObject({ code: "invalid_signature", message: "Missing or invalid X-Test-Signature" });

    expect(await db().select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id))).toEqual([]);
    const [after] = await db().select().from(channels).where(eq(channels.id, channel.id));
    expect(after?.signatureRejections).toBe(1);
  });

  it("keeps rows for a channel id nobody has connected as ignored, without a workspace", async () => {
    const adapter = { type: "line" as const, inbound: inbound("channel_unknown") };
    expect(
      await receiveInbound(deps(), adapter, { ...request({ events: [{ id: "evt-unknown" }] }), secret: SECRET }),
    ).toEqual({ pending: 0, ignored: 1, duplicates: 0 });
  });
});

describe("receiveCustomerMessage", () => {
  it("makes a group one conversation whose messages record each speaker, and ignores duplicates", async () => {
    const { workspace } = await createTestWorkspace(db());
    const channel = await createChannel(db(), { workspaceId: workspace.id, type: "line" });
    const group = { platformId: `G${channel.id}`, kind: "group" as const };
    const say = (speaker: string, id: string, text: string) =>
      receiveCustomerMessage(
        { db: db(), queue: runtime.queue!, realtime: runtime.realtime, log: silentLogger },
        {
          channel,
          from: { platformId: speaker, kind: "user" },
          thread: group,
          message: {
            platformMessageId: id,
            text,
            attachments: [],
            payload: null,
            postback: false,
            replyToPlatformId: null,
            at: new Date(),
            sendMetadata: { replyToken: `token-${id}`, receivedAt: Date.now() },
          },
        },
      );

    const first = await say("U-alice", "m1", "hello from Alice");
    const second = await say("U-bob", "m2", "and Bob");
    expect(await say("U-bob", "m2", "and Bob")).toBeNull();

    const threads = await db().select().from(conversations).where(eq(conversations.channelId, channel.id));
    expect(threads).toHaveLength(1);
    const people = await db().select().from(contacts).where(eq(contacts.channelId, channel.id));
    const byId = new Map(people.map((c) => [c.platformUserId, c]));
    expect(threads[0]!.contactId).toBe(byId.get(group.platformId)!.id);
    expect(byId.get(group.platformId)!.metadata).toEqual({ kind: "group" });
    expect(first?.senderContactId).toBe(byId.get("U-alice")!.id);
    expect(second?.senderContactId).toBe(byId.get("U-bob")!.id);
    expect(second?.metadata).toMatchObject({ send: { replyToken: "token-m2" } });
    expect(threads[0]).toMatchObject({ unreadCount: 2, lastMessagePreview: "and Bob" });
  });
});

describe("appendMessage", () => {
  it("moves the preview for texts and attachments, never for notes or drafts", async () => {
    const { workspace } = await createTestWorkspace(db());
    const channel = await createChannel(db(), { workspaceId: workspace.id });
    const [contact] = await db()
      .insert(contacts)
      .values({ workspaceId: workspace.id, channelId: channel.id, platformUserId: "psid-append" })
      .returning();
    const [conversation] = await db()
      .insert(conversations)
      .values({ workspaceId: workspace.id, channelId: channel.id, contactId: contact!.id })
      .returning();
    const preview = async () =>
      (await db().select().from(conversations).where(eq(conversations.id, conversation!.id)))[0]!.lastMessagePreview;

    await appendMessage(db(), conversation!, { role: "AGENT", kind: "text", status: "queued", text: "x".repeat(300) });
    expect(await preview()).toBe(`${"x".repeat(139)}…`);
    await appendMessage(db(), conversation!, { role: "AGENT", kind: "note", status: "sent", text: "internal" });
    await appendMessage(db(), conversation!, { role: "BOT", kind: "text", status: "draft", text: "draft" });
    expect(await preview()).toBe(`${"x".repeat(139)}…`);
    await appendMessage(db(), conversation!, {
      role: "USER",
      kind: "attachment",
      status: "received",
      attachments: [{ type: "sticker", url: "" }],
    });
    expect(await preview()).toBe("[sticker]");
    expect(previewOf(null, [])).toBeNull();
    expect(await db().select().from(messages).where(eq(messages.conversationId, conversation!.id))).toHaveLength(4);
  });
});

describe("fetch-message-content", () => {
  it("fills in media the platform keeps through the adapter, and leaves a refused one without a URL", async () => {
    const { workspace } = await createTestWorkspace(db());
    const channel = await createChannel(db(), { workspaceId: workspace.id, type: "line" });
    const stored = await receiveCustomerMessage(
      { db: db(), queue: runtime.queue!, realtime: runtime.realtime, log: silentLogger },
      {
        channel,
        from: { platformId: "U-media", kind: "user" },
        message: {
          platformMessageId: `media-${channel.id}`,
          text: null,
          attachments: [
            { type: "image", url: "", contentRef: "content-1" },
            { type: "file", url: "", contentRef: "gone", name: "a.pdf" },
          ],
          payload: null,
          postback: false,
          replyToPlatformId: null,
          at: new Date(),
        },
      },
    );
    const refused = Object.assign(new Error("no such content"), { status: 404 });
    const adapter: ChannelAdapter = {
      type: "line",
      capabilities: runtime.channels.get("messenger").capabilities,
      fetchContent: async (_channel, ref) => {
        if (ref === "gone") throw refused;
        return { bytes: Buffer.from(`bytes of ${ref}`), mime: "image/jpeg" };
      },
      classifyError: (error) =>
        error === refused ? { retryable: false, tokenExpired: false, code: "not_found", reason: "gone" } : null,
    };
    const channelsWithLine: ChannelRegistry = {
      get: () => adapter,
      find: (type) => (type === "line" ? adapter : null),
      all: () => [adapter],
    };
    const ctx = {
      db: db(),
      config: runtime.config,
      keyring: runtime.keyring,
      realtime: runtime.realtime,
      limiter: runtime.limiter,
      channels: channelsWithLine,
      queue: runtime.queue!,
      jobId: "test",
      jobKey: null,
      name: fetchMessageContent.name,
      attempt: 1,
      maxAttempts: 1,
      log: silentLogger,
      signal: new AbortController().signal,
    } satisfies JobContext<AppJobDeps>;
    await fetchMessageContent.handle({ messageId: stored!.id }, ctx);

    const [after] = await db().select().from(messages).where(eq(messages.id, stored!.id));
    const id = mediaIdOf(stored!.id, "content-1");
    expect(after?.attachments).toEqual([
      // Not a real JPEG: no pixel size to keep.
      {
        type: "image",
        url: mediaUrl(id),
        contentRef: "content-1",
        mime: "image/jpeg",
        mediaId: id,
        size: "bytes of content-1".length,
      },
      { type: "file", url: "", contentRef: "gone", name: "a.pdf" },
    ]);
    // Kept for this workspace only.
    const kept = await readMedia(runtime.config.dataDir, workspace.id, id);
    expect(Buffer.from(kept!.bytes).toString()).toBe("bytes of content-1");
    expect(kept?.mime).toBe("image/jpeg");
    expect(await readMedia(runtime.config.dataDir, "ws_other", id)).toBeNull();
  });
});
