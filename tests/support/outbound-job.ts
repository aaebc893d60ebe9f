/**
 * What the tests of the `send-outbound-message` job share: a runtime whose Graph and LINE addresses
 * point at the simulator over real HTTP, the job's handler called with a hand-built job context (the
 * attempt numbers are then explicit), and a customer's conversation on a simulated Messenger Page.
 */
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { type AppJobDeps, type JobContext, type Runtime, silentLogger } from "@tandem/core";
import { type Db, messages } from "@tandem/db";
import {
  createChannel,
  createContact,
  createConversation,
  createMessage,
  createTestWorkspace,
} from "@tandem/db/testing";
import { createSimulator } from "@tandem/simulator";
import { eq } from "drizzle-orm";
import { sealPageToken } from "../../packages/core/src/channels/messenger/page-token.ts";
import { sendOutboundMessage } from "../../packages/core/src/messages/send-outbound-message.ts";
import { createTestRuntime } from "./runtime.ts";

const HOUR = 3_600_000;

/** `n` random decimal digits: page ids, PSIDs, LINE channel ids. */
export const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("");

export interface OutboundJobHarness {
  runtime: Runtime;
  simulator: ReturnType<typeof createSimulator>;
  graph: ReturnType<typeof createSimulator>["graph"]["state"];
  line: ReturnType<typeof createSimulator>["line"]["state"];
  jobCtx: (attempt?: number) => JobContext<AppJobDeps>;
  /** Runs the job's handler once for the message, as attempt `attempt` (1 by default). */
  send: (messageId: string, attempt?: number) => Promise<void>;
  load: (messageId: string) => Promise<typeof messages.$inferSelect>;
  close: () => Promise<void>;
}

export async function startOutboundJobHarness(): Promise<OutboundJobHarness> {
  const runtime = await createTestRuntime();
  const simulator = createSimulator();
  let server: ReturnType<typeof serve> | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
  runtime.config.facebook.graphApiUrl = `http://127.0.0.1:${port}/graph`;
  runtime.config.lineApiUrl = `http://127.0.0.1:${port}/line/api`;
  runtime.config.lineDataApiUrl = `http://127.0.0.1:${port}/line/data`;

  const jobCtx = (attempt = 1): JobContext<AppJobDeps> => ({
    db: runtime.database.db,
    config: runtime.config,
    keyring: runtime.keyring,
    realtime: runtime.realtime,
    limiter: runtime.limiter,
    channels: runtime.channels,
    queue: undefined as never,
    jobId: `test-${attempt}`,
    jobKey: null,
    name: sendOutboundMessage.name,
    attempt,
    maxAttempts: sendOutboundMessage.retry.attempts,
    log: silentLogger,
    signal: new AbortController().signal,
  });
  return {
    runtime,
    simulator,
    graph: simulator.graph.state,
    line: simulator.line.state,
    jobCtx,
    send: async (messageId, attempt) => sendOutboundMessage.handle({ messageId }, jobCtx(attempt)),
    async load(messageId) {
      const [row] = await runtime.database.db.select().from(messages).where(eq(messages.id, messageId));
      return row!;
    },
    async close() {
      // A test may have attached and started a queue (`runtime.queue`).
      await runtime.queue?.stop({ timeoutMs: 1_000 });
      await new Promise((resolve) => server?.close(resolve));
      await runtime.close();
    },
  };
}

/** A new customer (`platformUserId` on `channel`) and their conversation, last written to at `lastInboundAt`. */
export async function createCustomerConversation(
  db: Db,
  channel: { id: string; workspaceId: string },
  customer: { platformUserId: string; lastInboundAt: Date },
) {
  const contact = await createContact(db, {
    workspaceId: channel.workspaceId,
    channelId: channel.id,
    platformUserId: customer.platformUserId,
  });
  const conversation = await createConversation(db, {
    workspaceId: channel.workspaceId,
    channelId: channel.id,
    contactId: contact.id,
    lastInboundAt: customer.lastInboundAt,
  });
  return { contact, conversation };
}

/**
 * A workspace with a simulated Page connected (as a Messenger channel unless `channelType` says
 * otherwise) and one customer who last wrote `hoursAgo` hours ago (1 by default); `message` adds a
 * queued bot message ("Hello!" unless given) to their conversation.
 */
export async function createMessengerThread(
  h: OutboundJobHarness,
  options: { hoursAgo?: number; channelType?: "messenger" | "web" | "api"; externalId?: string } = {},
) {
  const db = h.runtime.database.db;
  const ws = await createTestWorkspace(db);
  const page = h.graph.addPage({ id: digits(15), name: "Sim Page", accessToken: `EAAPAGE${digits(20)}` });
  const channel = await createChannel(db, {
    workspaceId: ws.workspace.id,
    type: options.channelType ?? "messenger",
    externalId: options.externalId ?? page.id,
    ...sealPageToken(h.runtime.keyring, page.accessToken),
  });
  const psid = digits(16);
  const { conversation } = await createCustomerConversation(db, channel, {
    platformUserId: psid,
    lastInboundAt: new Date(Date.now() - (options.hoursAgo ?? 1) * HOUR),
  });
  const message = (values: Partial<typeof messages.$inferInsert> = {}) =>
    createMessage(db, { conversationId: conversation.id, role: "BOT", status: "queued", text: "Hello!", ...values });
  return { ws, page, channel, psid, conversation, message };
}
