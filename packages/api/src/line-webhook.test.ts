/**
 * LINE end to end over real HTTP against the fake LINE platform (what the contract suite does not
 * cover): the connectivity check, reply token vs push, agents by push, standby, groups, stickers,
 * locations, follow / unfollow, unsend, the monthly quota and signature rejections on the channel.
 */
import { randomBytes } from "node:crypto";
import { sealLineSecrets } from "@tandem/core";
import { channels, contacts, messages } from "@tandem/db";
import { lineGroup, lineUser, newLineId, postSignedLineWebhook, signLineBody } from "@tandem/simulator";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  channelRow,
  connectLine,
  conversationsOf,
  FAQ,
  type Harness,
  inboundOf,
  messagesOf,
  startHarness,
  waitFor,
} from "../../../tests/support/channel-drivers.ts";
import { WEBHOOK_MAX_BODY_BYTES } from "./constants.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const outboxOf = (channelId: string, chatId: string) =>
  h.line.state.outbox.filter((r) => r.channelId === channelId && r.chatId === chatId);

async function newUser(name = "Somchai") {
  const userId = newLineId("U");
  h.line.state.addUser({ userId, displayName: name });
  return userId;
}

const botSent = (channelId: string) =>
  waitFor(
    async () => (await messagesOf(h, channelId)).find((m) => m.role === "BOT" && m.status === "sent"),
    "the bot's answer",
  );

describe("LINE webhook", () => {
  it("answers LINE's empty connectivity check with 200 and stores nothing", async () => {
    const c = await connectLine(h);
    const res = await c.post(c.customer.webhook([]));
    expect(res.status).toBe(200);
    expect(await inboundOf(h, c.channel.id)).toHaveLength(0);
  });

  it("answers 404 for an unknown chatbot or one without LINE, storing nothing", async () => {
    const c = await connectLine(h);
    const body = c.customer.webhook([c.customer.text(lineUser(newLineId("U")), "hi")]);
    const { postSignedLineWebhook } = await import("@tandem/simulator");
    const res = await postSignedLineWebhook(
      `${h.base}/api/v1/integrations/line/bot_unknown/webhook`,
      body,
      c.account.channelSecret,
    );
    expect(res.status).toBe(404);
    await h.runtime.database.db
      .update(channels)
      .set({ disconnectedAt: new Date() })
      .where(eq(channels.id, c.channel.id));
    expect((await c.post(body)).status).toBe(404);
    expect(await inboundOf(h, c.channel.id)).toHaveLength(0);
  });

  it("counts bad signatures on the channel (rate limited), for the webhook health in the status", async () => {
    const c = await connectLine(h);
    const body = c.customer.webhook([c.customer.text(lineUser(newLineId("U")), "forged")]);
    expect((await c.post(body, "forged")).status).toBe(401);
    const row = await channelRow(h, c.channel.id);
    expect(row.signatureRejections).toBe(1);
    expect(row.lastSignatureRejectionAt).not.toBeNull();
  });

  it("verifies with a secret replaced by another process from its first request, and forgets a channel disconnected here", async () => {
    const c = await connectLine(h);
    // The channel and its secret are remembered from this request on.
    expect((await c.post(c.customer.webhook([]))).status).toBe(200);
    const rotated = randomBytes(16).toString("hex");
    await h.runtime.database.db
      .update(channels)
      .set(
        sealLineSecrets(h.runtime.keyring, {
          channelSecret: rotated,
          channelAccessToken: c.account.channelAccessToken,
        }),
      )
      .where(eq(channels.id, c.channel.id));
    const body = c.customer.webhook([c.customer.text(lineUser(newLineId("U")), "after the rotation")]);
    expect((await postSignedLineWebhook(c.url, body, rotated)).status).toBe(200);
    expect(await inboundOf(h, c.channel.id)).toHaveLength(1);
    expect((await channelRow(h, c.channel.id)).signatureRejections).toBe(0);

    const admin = await c.admin();
    expect((await admin.request("DELETE", `/api/v1/channels/${c.channel.id}`)).status).toBe(204);
    expect((await postSignedLineWebhook(c.url, body, rotated)).status).toBe(404);
    expect(await inboundOf(h, c.channel.id)).toHaveLength(1);
  });

  it("answers alike on the node server's fast path and through Hono: 200, 400, 401, 404, 413, request id, no cookie", async () => {
    const c = await connectLine(h);
    const path = `/api/v1/integrations/line/${c.chatbot.id}/webhook`;
    const signed = (raw: string) => ({
      "content-type": "application/json",
      "x-line-signature": signLineBody(c.account.channelSecret, raw),
    });
    const cases: {
      name: string;
      url: string;
      body: string;
      headers: Record<string, string>;
      status: number;
      code?: string;
    }[] = [
      { name: "stored", url: path, body: JSON.stringify({ destination: "U0", events: [] }), headers: {}, status: 200 },
      { name: "bad JSON", url: path, body: "{not json", headers: {}, status: 400, code: "invalid_json" },
      {
        name: "forged",
        url: path,
        body: "{}",
        headers: { "x-line-signature": "AAAA" },
        status: 401,
        code: "invalid_signature",
      },
      {
        name: "unknown chatbot",
        url: "/api/v1/integrations/line/bot_nobody/webhook",
        body: "{}",
        headers: {},
        status: 404,
        code: "channel_not_found",
      },
      {
        name: "too large",
        url: path,
        body: "x".repeat(WEBHOOK_MAX_BODY_BYTES + 1),
        headers: {},
        status: 413,
        code: "payload_too_large",
      },
    ];
    for (const k of cases) {
      const headers = {
        ...signed(k.body),
        cookie: "tandem_session=whatever",
        "x-request-id": `req-${k.status}-line-case`,
        ...k.headers,
      };
      const viaNode = await fetch(`${h.base}${k.url}`, { method: "POST", headers, body: k.body });
      const viaHono = await h.app.request(k.url, { method: "POST", headers, body: k.body });
      for (const res of [viaNode, viaHono]) {
        expect({ name: k.name, status: res.status }).toEqual({ name: k.name, status: k.status });
        expect(res.headers.get("x-request-id")).toBe(`req-${k.status}-line-case`);
        const json = (await res.json()) as { ok?: boolean; error?: { code: string } };
        if (k.code) expect(json.error?.code).toBe(k.code);
        else expect(json).toEqual({ ok: true });
      }
    }
  });

  it("puts a text in the inbox with contact and conversation, and the bot answers with the reply token", async () => {
    const c = await connectLine(h);
    const user = await newUser("Somchai");
    const event = c.customer.text(lineUser(user), FAQ.question);
    expect((await c.post(c.customer.webhook([event]))).status).toBe(200);
    const bot = await botSent(c.channel.id);
    const [sent] = outboxOf(c.account.channelId, user);
    expect(sent).toMatchObject({ kind: "reply", replyToken: event.replyToken });
    expect(JSON.stringify(sent!.messages)).toContain("1 business day");
    expect(bot.platformMessageId).toBe(sent!.sentMessages[0]!.id);
    // The loading animation showed while the bot composed, before the reply.
    const loading = h.line.calls.find(
      (call) => call.path === "/v2/bot/chat/loading/start" && (call.body as { chatId?: string }).chatId === user,
    );
    const replied = h.line.calls.find(
      (call) =>
        call.path === "/v2/bot/message/reply" && (call.body as { replyToken?: string }).replyToken === event.replyToken,
    );
    expect(loading?.seq).toBeLessThan(replied!.seq);
    const [conversation] = await conversationsOf(h, c.channel.id);
    expect(conversation).toMatchObject({ status: "OPEN" });
    const [contact] = await h.runtime.database.db.select().from(contacts).where(eq(contacts.channelId, c.channel.id));
    expect(contact?.platformUserId).toBe(user);
    await waitFor(async () => {
      const [row] = await h.runtime.database.db.select().from(contacts).where(eq(contacts.id, contact!.id));
      return row?.name === "Somchai";
    }, "the profile name");
  });

  it("pushes a late bot answer with a retry key, and an agent's reply by push", async () => {
    const c = await connectLine(h);
    const user = await newUser();
    const late = c.customer.text(lineUser(user), FAQ.question, { timestamp: Date.now() - 55_000 });
    expect((await c.post(c.customer.webhook([late]))).status).toBe(200);
    await botSent(c.channel.id);
    const [pushed] = outboxOf(c.account.channelId, user);
    expect(pushed).toMatchObject({ kind: "push", retryKey: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const admin = await c.admin();
    const [conversation] = await conversationsOf(h, c.channel.id);
    const res = await admin.request("POST", `/api/v1/conversations/${conversation!.id}/messages`, {
      text: "A person here: how can I help?",
    });
    expect(res.status).toBeLessThan(300);
    await waitFor(() => outboxOf(c.account.channelId, user).length === 2, "the agent's push");
    expect(outboxOf(c.account.channelId, user)[1]).toMatchObject({
      kind: "push",
      messages: [{ type: "text", text: "A person here: how can I help?" }],
    });
  });

  it("stores a message once when LINE sends it again under another webhookEventId", async () => {
    const c = await connectLine(h);
    const user = await newUser();
    const event = c.customer.text(lineUser(user), "only once, please");
    expect((await c.post(c.customer.webhook([event]))).status).toBe(200);
    const again = { ...event, webhookEventId: `${event.webhookEventId.slice(0, -4)}ZZZZ` };
    expect((await c.post(c.customer.webhook([again]))).status).toBe(200);
    await waitFor(async () => {
      const rows = await inboundOf(h, c.channel.id);
      return rows.length === 2 && rows.every((r) => r.status === "processed");
    }, "both deliveries processed");
    expect((await messagesOf(h, c.channel.id)).filter((m) => m.role === "USER")).toHaveLength(1);
  });

  it("stores standby events and never answers them", async () => {
    const c = await connectLine(h);
    const user = await newUser();
    const standby = c.customer.text(lineUser(user), FAQ.question, { mode: "standby" });
    expect((await c.post(c.customer.webhook([standby]))).status).toBe(200);
    const stored = await waitFor(async () => (await messagesOf(h, c.channel.id))[0], "the standby message");
    expect(stored.metadata).toMatchObject({ standby: true });
    await new Promise((r) => setTimeout(r, 500));
    expect((await messagesOf(h, c.channel.id)).filter((m) => m.role === "BOT")).toHaveLength(0);
    expect(outboxOf(c.account.channelId, user)).toHaveLength(0);
  });

  it("makes a group one conversation with a contact per speaker, named from LINE, and answers in the group", async () => {
    const c = await connectLine(h);
    const [ann, ben] = [await newUser("Ann"), await newUser("Ben")];
    const group = newLineId("C");
    h.line.state.addGroup({ groupId: group, groupName: "Bakery fans", memberIds: [ann, ben] });
    const body = c.customer.webhook([
      c.customer.text(lineGroup(group, ann), "hello from Ann"),
      c.customer.text(lineGroup(group, ben), FAQ.question),
    ]);
    expect((await c.post(body)).status).toBe(200);
    await botSent(c.channel.id);
    const conversations = await conversationsOf(h, c.channel.id);
    expect(conversations).toHaveLength(1);
    const people = await waitFor(async () => {
      const rows = await h.runtime.database.db.select().from(contacts).where(eq(contacts.channelId, c.channel.id));
      return rows.length === 3 && rows.every((r) => r.name) && rows;
    }, "the group's and speakers' names");
    const byId = new Map(people.map((p) => [p.platformUserId, p]));
    expect(byId.get(group)?.name).toBe("Bakery fans");
    expect(conversations[0]!.contactId).toBe(byId.get(group)!.id);
    const thread = (await messagesOf(h, c.channel.id)).filter((m) => m.role === "USER");
    expect(thread.map((m) => m.senderContactId).sort()).toEqual([byId.get(ann)!.id, byId.get(ben)!.id].sort());
    expect(outboxOf(c.account.channelId, group)).toHaveLength(1);

    // What the inbox reads: the group's name and kind, each message's speaker.
    const admin = await c.admin();
    const dto = await (await admin.request("GET", `/api/v1/conversations/${conversations[0]!.id}`)).json();
    expect(dto.contact).toMatchObject({ name: "Bakery fans", kind: "group", unfollowedAt: null });
    const list = await (await admin.request("GET", `/api/v1/conversations/${conversations[0]!.id}/messages`)).json();
    const spoken = list.data.filter((m: { role: string }) => m.role === "USER");
    expect(spoken.map((m: { sender: { name: string } }) => m.sender.name).sort()).toEqual(["Ann", "Ben"]);
  });

  it("shows a sticker as LINE's image, a location with its map link, and media fetched from LINE", async () => {
    const c = await connectLine(h);
    const user = await newUser();
    const body = c.customer.webhook([
      c.customer.sticker(lineUser(user), { packageId: "446", stickerId: "1988" }),
      c.customer.location(lineUser(user), { latitude: 13.7563, longitude: 100.5018, title: "Bakery" }),
      c.customer.file(lineUser(user), { fileName: "order.pdf" }),
    ]);
    expect((await c.post(body)).status).toBe(200);
    const thread = await waitFor(async () => {
      const rows = (await messagesOf(h, c.channel.id)).filter((m) => m.role === "USER");
      return rows.length === 3 && rows[2]!.attachments[0]?.url ? rows : null;
    }, "three messages with the file fetched");
    expect(thread[0]!.attachments[0]).toMatchObject({
      type: "sticker",
      url: expect.stringContaining("stickershop.line-scdn.net/stickershop/v1/sticker/1988/android/sticker.png"),
    });
    expect(thread[1]).toMatchObject({ text: "Bakery" });
    expect(thread[1]!.attachments[0]).toMatchObject({ type: "location", url: expect.stringContaining("13.7563") });
    const file = thread[2]!.attachments[0]!;
    expect(file).toMatchObject({ type: "file", name: "order.pdf" });
    const admin = await c.admin();
    const res = await admin.request("GET", file.url);
    expect(res.status).toBe(200);
    // Not an image: downloaded, never rendered in our origin.
    expect(res.headers.get("content-disposition")).toMatch(/^attachment/);
    // Another workspace's member gets nothing.
    const other = await connectLine(h);
    expect((await (await other.admin()).request("GET", file.url)).status).toBe(404);
  });

  it("records unfollow and follow on the contact, and marks an unsent message", async () => {
    const c = await connectLine(h);
    const user = await newUser();
    const said = c.customer.text(lineUser(user), "oops, wrong chat");
    expect((await c.post(c.customer.webhook([said]))).status).toBe(200);
    await waitFor(async () => (await messagesOf(h, c.channel.id))[0], "the message");
    expect((await c.post(c.customer.webhook([c.customer.unsend(lineUser(user), said.message.id)]))).status).toBe(200);
    const unsent = await waitFor(async () => {
      const [row] = await messagesOf(h, c.channel.id);
      return row?.unsentAt && row;
    }, "the message marked unsent");
    expect(unsent.text).toBeNull();
    const admin = await c.admin();
    const list = await (await admin.request("GET", `/api/v1/conversations/${unsent.conversationId}/messages`)).json();
    expect(list.data[0]).toMatchObject({ text: null, unsentAt: expect.any(String), sender: null });

    // An unsent image: the copy we kept goes too.
    const image = c.customer.image(lineUser(user));
    expect((await c.post(c.customer.webhook([image]))).status).toBe(200);
    const kept = await waitFor(async () => {
      const row = (await messagesOf(h, c.channel.id)).find((m) => m.platformMessageId === image.message.id);
      return row?.attachments[0]?.url || null;
    }, "the image to be kept");
    expect((await admin.request("GET", kept)).status).toBe(200);
    expect((await c.post(c.customer.webhook([c.customer.unsend(lineUser(user), image.message.id)]))).status).toBe(200);
    await waitFor(async () => (await admin.request("GET", kept)).status === 404, "the kept image to be deleted");

    const contactOf = async () =>
      (await h.runtime.database.db.select().from(contacts).where(eq(contacts.platformUserId, user)))[0]!;
    expect((await c.post(c.customer.webhook([c.customer.unfollow(lineUser(user))]))).status).toBe(200);
    await waitFor(async () => (await contactOf()).unfollowedAt, "unfollowed");
    const dto = await (await admin.request("GET", `/api/v1/conversations/${unsent.conversationId}`)).json();
    expect(dto.contact.unfollowedAt).toEqual(expect.any(String));
    expect((await c.post(c.customer.webhook([c.customer.follow(lineUser(user))]))).status).toBe(200);
    await waitFor(async () => (await contactOf()).unfollowedAt === null, "followed again");
  });

  it("fails a push with a readable reason when the monthly quota is used up", async () => {
    const c = await connectLine(h);
    const user = await newUser();
    h.line.state.channels.get(c.account.channelId)!.monthlyQuota = 0;
    const late = c.customer.text(lineUser(user), FAQ.question, { timestamp: Date.now() - 55_000 });
    expect((await c.post(c.customer.webhook([late]))).status).toBe(200);
    const failed = await waitFor(
      async () => (await messagesOf(h, c.channel.id)).find((m) => m.role === "BOT" && m.status === "failed"),
      "the bot's push to fail",
    );
    expect(failed.errorCode).toBe("line_quota_exceeded");
    expect(failed.errorMessage).toMatch(/monthly message quota/);
    expect((await channelRow(h, c.channel.id)).status).toBe("active");
    const [row] = await h.runtime.database.db.select().from(messages).where(eq(messages.id, failed.id));
    expect(row?.attempts).toBe(1);
  });
});
