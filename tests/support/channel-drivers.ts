/**
 * One test harness for every webhook channel: a runtime with the embedded queue, the node listener
 * `npm start` serves, and the fake platforms (Graph, LINE) over real HTTP. A small driver per channel
 * says how a customer writes (signed like the platform signs) and how to read what the platform
 * received, so the contract suite (`packages/api/src/channel-contract.test.ts`) runs the same cases
 * against Messenger and LINE.
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { type JobQueue, type Runtime, sealLineSecrets } from "@tandem/core";
import { channels, conversations, inboundEvents, messages } from "@tandem/db";
import { createChannel, createChatbot } from "@tandem/db/testing";
import {
  asLineRedelivery,
  attachmentEvent,
  createGraphSimulator,
  createLineCustomer,
  createLineSimulator,
  type LineWebhookBody,
  lineUser,
  messengerWebhook,
  newLineId,
  newMid,
  postSignedLineWebhook,
  postSignedWebhook,
  serializeLikeMeta,
  signLineBody,
  signMessengerBody,
  textEvent,
} from "@tandem/simulator";
import { asc, eq } from "drizzle-orm";
import { createApp } from "../../packages/api/src/app.ts";
import { createApiListener } from "../../packages/api/src/webhook-fast-path.ts";
import { TestClient } from "./api-client.ts";
import { attachTestQueue, createTestRuntime } from "./runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "./workspace.ts";

export const FB_APP_SECRET = "contract-app-secret";
export const FAQ = { question: "How long does shipping take?", answer: "Orders ship within 1 business day." };

export interface Harness {
  runtime: Runtime;
  queue: JobQueue;
  base: string;
  app: ReturnType<typeof createApp>;
  graph: ReturnType<typeof createGraphSimulator>;
  line: ReturnType<typeof createLineSimulator>;
  close(): Promise<void>;
}

async function listen(handler: (req: Request) => Response | Promise<Response>): Promise<[Server, string]> {
  const listener = getRequestListener(handler);
  const server = createServer((req, res) => listener(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

export async function startHarness(): Promise<Harness> {
  const runtime = await createTestRuntime({ FB_APP_SECRET, FB_APP_ID: "6161616161" });
  const graph = createGraphSimulator();
  const line = createLineSimulator();
  const [graphServer, graphUrl] = await listen(graph.app.fetch);
  const [lineServer, lineUrl] = await listen(line.app.fetch);
  runtime.config.facebook.graphApiUrl = graphUrl;
  runtime.config.lineApiUrl = `${lineUrl}/api`;
  runtime.config.lineDataApiUrl = `${lineUrl}/data`;
  const queue = attachTestQueue(runtime);
  await queue.start();
  const app = createApp(runtime);
  const listener = createApiListener(runtime, app.fetch);
  const appServer = createServer((req, res) => listener(req, res));
  appServer.listen(0, "127.0.0.1");
  await once(appServer, "listening");
  const base = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
  return {
    runtime,
    queue,
    base,
    app,
    graph,
    line,
    async close() {
      await queue.stop({ timeoutMs: 2000 });
      for (const server of [appServer, graphServer, lineServer]) server.close();
      await runtime.close();
    },
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | false | undefined | null> | T | false | undefined | null,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

export type Signature = "valid" | "forged" | "missing";

/** What the platform received for one customer, in order. */
export interface Delivered {
  /** LINE: `reply` or `push`; Messenger: the messaging type. */
  how: string;
  texts: string[];
  retryKey?: string | undefined;
}

/** One connected channel of a driver in a fresh workspace, with a chatbot that answers `FAQ`. */
export interface Connection {
  channelId: string;
  workspaceId: string;
  chatbotId: string;
  /** A signed-in admin of the workspace. */
  admin(): Promise<TestClient>;
  newCustomer(): Promise<string>;
  /** A webhook body with one text from the customer (`at`: the platform's timestamp). */
  text(customer: string, text: string, options?: { at?: number }): unknown;
  /** A webhook body with one image from the customer. */
  image(customer: string): unknown;
  post(body: unknown, signature?: Signature): Promise<Response>;
  /** The same events, as the platform redelivers them. */
  redelivery(body: unknown): unknown;
  /** A signed body for a channel nobody connected. */
  postToUnknownChannel(): Promise<Response>;
  delivered(customer: string): Delivered[];
  /** The next send to the customer fails with a 5xx. */
  failNextSend(customer: string): void;
  /** The platform refuses the channel's token from now on. */
  revokeToken(customer: string): void;
}

export interface Driver {
  type: "messenger" | "line";
  connect(h: Harness): Promise<Connection>;
  /** Status for a webhook naming a channel nobody connected. */
  unknownChannelStatus: number;
  /** Whether a bot may still answer 25 hours after the customer's last message. */
  botAnswersAfter25h: boolean;
  maxTextLength: number;
  /** Checks a received image attachment is viewable by a member (after any fetch). */
  expectMediaViewable(h: Harness, admin: TestClient, attachment: { url: string; type: string }): Promise<void>;
}

async function workspaceWithBot(h: Harness) {
  const ws = await createSignInWorkspace(h.runtime);
  const chatbot = await createChatbot(h.runtime.database.db, {
    workspaceId: ws.workspace.id,
    providerKind: "OFFLINE",
    model: "offline-faq",
    faqEntries: [FAQ],
  });
  const admin = async () => {
    const client = new TestClient(h.app);
    const res = await client.signIn(ws.admin.user.email, TEST_PASSWORD);
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
    return client;
  };
  return { ws, chatbot, admin };
}

export const messengerDriver: Driver = {
  type: "messenger",
  unknownChannelStatus: 200,
  botAnswersAfter25h: false,
  maxTextLength: 2000,
  async connect(h) {
    const { ws, chatbot, admin } = await workspaceWithBot(h);
    const pageId = `77${Date.now()}${randomBytes(2).readUInt16BE()}`;
    const token = `EAAcontract${pageId}`;
    h.graph.state.addPage({ id: pageId, name: `Page ${pageId}`, accessToken: token });
    const channel = await createChannel(h.runtime.database.db, {
      workspaceId: ws.workspace.id,
      externalId: pageId,
      chatbotId: chatbot.id,
      secretsEncrypted: h.runtime.keyring.encrypt(JSON.stringify({ pageAccessToken: token })),
    });
    const url = `${h.base}/api/webhooks/messenger`;
    let n = 0;
    return {
      channelId: channel.id,
      workspaceId: ws.workspace.id,
      chatbotId: chatbot.id,
      admin,
      newCustomer: async () => `72${Date.now()}${++n}`,
      text: (psid, text, options) =>
        messengerWebhook([textEvent({ pageId, psid, text, mid: newMid(), timestamp: options?.at ?? Date.now() })]),
      image: (psid) =>
        messengerWebhook([
          attachmentEvent({
            pageId,
            psid,
            attachments: [{ type: "image", payload: { url: "https://cdn.example/cat.jpg" } }],
          }),
        ]),
      post: async (body, signature = "valid") => {
        const raw = serializeLikeMeta(body as Parameters<typeof serializeLikeMeta>[0]);
        const header =
          signature === "valid"
            ? signMessengerBody(FB_APP_SECRET, raw)
            : signature === "forged"
              ? signMessengerBody("forged-secret", raw)
              : undefined;
        return fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(header ? { "x-hub-signature-256": header } : {}) },
          body: raw,
        });
      },
      // Meta redelivers the same bytes.
      redelivery: (body) => body,
      postToUnknownChannel: () =>
        postSignedWebhook(
          url,
          FB_APP_SECRET,
          messengerWebhook([textEvent({ pageId: `99${Date.now()}`, psid: "1", text: "hi", mid: newMid() })]),
        ),
      delivered: (psid) =>
        h.graph.state.outbox
          .filter((r) => r.kind === "message" && r.recipientId === psid)
          .map((r) => ({ how: r.messagingType ?? "", texts: [String(r.message?.text ?? "")] })),
      failNextSend: (psid) => h.graph.state.faults.set(psid, { kind: "server_error" }),
      revokeToken: (psid) => h.graph.state.faults.set(psid, { kind: "expired_token", times: Infinity }),
    };
  },
  async expectMediaViewable(_h, _admin, attachment) {
    // Messenger links media on Meta's CDN: the inbox shows that URL.
    if (attachment.url !== "https://cdn.example/cat.jpg") throw new Error(`unexpected url ${attachment.url}`);
  },
};

/** A LINE Official Account on the fake platform. */
export function newLineAccount(h: Harness, name = "Corner Bakery") {
  return h.line.state.addChannel({
    channelId: `2${Array.from(randomBytes(9), (b) => b % 10).join("")}`,
    channelSecret: randomBytes(16).toString("hex"),
    channelAccessToken: `lineToken${randomBytes(30).toString("base64url")}`,
    userId: newLineId("U"),
    basicId: `@${randomBytes(4).toString("hex")}`,
    displayName: name,
  });
}

export async function connectLine(h: Harness) {
  const { ws, chatbot, admin } = await workspaceWithBot(h);
  const account = newLineAccount(h);
  const channel = await createChannel(h.runtime.database.db, {
    workspaceId: ws.workspace.id,
    type: "line",
    externalId: account.channelId,
    chatbotId: chatbot.id,
    ...sealLineSecrets(h.runtime.keyring, {
      channelSecret: account.channelSecret,
      channelAccessToken: account.channelAccessToken,
    }),
  });
  const customer = createLineCustomer(h.line, account.channelId);
  const url = `${h.base}/api/v1/integrations/line/${chatbot.id}/webhook`;
  const post = (body: unknown, signature: Signature = "valid") => {
    if (signature === "valid") return postSignedLineWebhook(url, body as LineWebhookBody, account.channelSecret);
    const raw = JSON.stringify(body);
    return fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(signature === "forged" ? { "x-line-signature": signLineBody("forged-secret", raw) } : {}),
      },
      body: raw,
    });
  };
  return { ws, chatbot, admin, account, channel, customer, url, post };
}

export const lineDriver: Driver = {
  type: "line",
  unknownChannelStatus: 404,
  botAnswersAfter25h: true,
  maxTextLength: 5000,
  async connect(h) {
    const c = await connectLine(h);
    return {
      channelId: c.channel.id,
      workspaceId: c.ws.workspace.id,
      chatbotId: c.chatbot.id,
      admin: c.admin,
      async newCustomer() {
        const userId = newLineId("U");
        h.line.state.addUser({ userId, displayName: `Customer ${userId.slice(1, 6)}` });
        return userId;
      },
      text: (userId, text, options) =>
        c.customer.webhook([c.customer.text(lineUser(userId), text, options?.at ? { timestamp: options.at } : {})]),
      image: (userId) => c.customer.webhook([c.customer.image(lineUser(userId))]),
      post: c.post,
      redelivery: (body) => asLineRedelivery(body as LineWebhookBody),
      postToUnknownChannel: () =>
        postSignedLineWebhook(
          `${h.base}/api/v1/integrations/line/bot_nobody/webhook`,
          c.customer.webhook([c.customer.text(lineUser(newLineId("U")), "hi")]),
          c.account.channelSecret,
        ),
      delivered: (userId) =>
        h.line.state.outbox
          .filter((r) => r.channelId === c.account.channelId && r.chatId === userId)
          .map((r) => ({
            how: r.kind,
            texts: r.messages.map((m) => String(m.text ?? m.type)),
            retryKey: r.retryKey,
          })),
      failNextSend: () => h.line.state.addFault({ kind: "server_error", on: "reply", channelId: c.account.channelId }),
      revokeToken: () => {
        h.line.state.rotateToken(c.account.channelId);
      },
    };
  },
  async expectMediaViewable(_h, admin, attachment) {
    // LINE keeps the content: fetched by the job, kept under DATA_DIR, served to the workspace.
    if (!attachment.url.startsWith("/api/v1/media/")) throw new Error(`unexpected url ${attachment.url}`);
    const res = await admin.request("GET", attachment.url);
    if (res.status !== 200 || !res.headers.get("content-type")?.startsWith("image/")) {
      throw new Error(`media answered ${res.status} ${res.headers.get("content-type")}`);
    }
  },
};

/** The messages of a channel, oldest first. */
export async function messagesOf(h: Harness, channelId: string) {
  return h.runtime.database.db
    .select()
    .from(messages)
    .where(eq(messages.channelId, channelId))
    .orderBy(asc(messages.createdAt), asc(messages.id));
}

export async function inboundOf(h: Harness, channelId: string) {
  return h.runtime.database.db.select().from(inboundEvents).where(eq(inboundEvents.channelId, channelId));
}

export async function channelRow(h: Harness, channelId: string) {
  const [row] = await h.runtime.database.db.select().from(channels).where(eq(channels.id, channelId));
  return row!;
}

export async function conversationsOf(h: Harness, channelId: string) {
  return h.runtime.database.db.select().from(conversations).where(eq(conversations.channelId, channelId));
}
