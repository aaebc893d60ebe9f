/**
 * The Messenger customer of the /simulator page, under `/_simulator/customer/messenger/`:
 *
 *   POST /send      {psid, name?, text | quickReplyPayload + text | postback, attachmentUrl?}
 *   POST /delivery  {psid}   delivery receipt for the Page's messages not yet reported
 *   POST /read      {psid}   read receipt up to now
 *   GET  /thread?psid=       what the customer sent and what the Page sent back, in order
 *   GET  /customers          known customers and Pages, for the page's picker
 *
 * Events are built with the simulator's customer helpers and POSTed to the app's webhook signed
 * with the app secret, exactly as Meta delivers them; the Page's side of the thread is read from the
 * fake Graph API's outbox, i.e. what the app really sent through the Send API.
 */
import { randomUUID } from "node:crypto";
import {
  type SimulatorCard,
  SimulatorReceiptInput,
  type SimulatorReceiptResult,
  SimulatorSendInput,
  type SimulatorThread,
  type SimulatorThreadItem,
} from "@tandem/contracts";
import type { Logger } from "@tandem/core";
import {
  attachmentEvent,
  deliveryEvent,
  type MessagingEvent,
  type MessengerAttachment,
  messengerWebhook,
  type OutboundRecord,
  postbackEvent,
  postSignedWebhook,
  quickReplyEvent,
  readEvent,
  type Simulator,
  textEvent,
} from "@tandem/simulator";

export interface MessengerCustomerOptions {
  /** `${APP_URL}/api/webhooks/messenger`. */
  webhookUrl: string;
  /** Read at each call: the app secret the webhook signatures use. */
  appSecret: () => string;
  defaultPageId: string;
  log: Logger;
  /** How webhooks are delivered; default global `fetch` (real HTTP). */
  fetch?: (request: Request) => Response | Promise<Response>;
}

type WebhookResult = { status: number; ok: boolean };

interface CustomerMessage extends Omit<SimulatorThreadItem, "from" | "time" | "messagingType" | "tag"> {
  pageId: string;
  psid: string;
  time: number;
}

/** Customer messages kept per thread; the Graph simulator keeps its own outbox (5000 records). */
const MAX_PER_THREAD = 500;

const threadKey = (pageId: string, psid: string) => `${pageId}:${psid}`;

export function mountMessengerCustomer(simulator: Simulator, options: MessengerCustomerOptions): void {
  const { app, graph } = simulator;
  const sent = new Map<string, CustomerMessage[]>();
  /** Outbox position up to which a delivery receipt was sent, per thread. */
  const deliveredUpTo = new Map<string, number>();
  const base = "/customer/messenger";

  const invalid = (issues: unknown) => ({
    error: { code: "invalid_input", message: "Invalid input", requestId: randomUUID(), details: issues },
  });

  async function deliver(events: MessagingEvent[]): Promise<WebhookResult> {
    try {
      const res = await postSignedWebhook(options.webhookUrl, options.appSecret(), messengerWebhook(events), {
        fetch: options.fetch,
      });
      await res.body?.cancel();
      if (!res.ok) options.log.warn({ status: res.status }, "simulator: the app rejected a Messenger webhook");
      return { status: res.status, ok: res.ok };
    } catch (err) {
      options.log.warn({ err, url: options.webhookUrl }, "simulator: could not deliver a Messenger webhook");
      return { status: 0, ok: false };
    }
  }

  const pageMessages = (pageId: string, psid: string) =>
    graph.state.outbox.filter((r) => r.kind === "message" && r.pageId === pageId && r.recipientId === psid);

  app.post(`${base}/send`, async (c) => {
    const parsed = SimulatorSendInput.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(invalid(parsed.error.issues), 400);
    const input = parsed.data;
    const pageId = input.pageId ?? options.defaultPageId;
    if (!graph.state.pages.has(pageId)) {
      return c.json(
        { error: { code: "page_not_found", message: `The simulator has no Page ${pageId}`, requestId: randomUUID() } },
        404,
      );
    }
    // A name introduces a new customer; an existing one keeps theirs (the inbox shows the profile).
    if (input.name && !graph.state.users.has(input.psid)) {
      const [firstName = input.name, ...rest] = input.name.split(/\s+/);
      graph.state.addUser({
        psid: input.psid,
        firstName,
        lastName: rest.join(" "),
      });
    }

    const thread = { pageId, psid: input.psid };
    const attachments: MessengerAttachment[] = input.attachmentUrl
      ? [{ type: attachmentType(input.attachmentUrl), payload: { url: input.attachmentUrl } }]
      : [];
    const event = input.postback
      ? postbackEvent({ ...thread, ...input.postback })
      : attachments.length > 0
        ? attachmentEvent({ ...thread, attachments, text: input.text })
        : input.quickReplyPayload
          ? quickReplyEvent({ ...thread, text: input.text!, payload: input.quickReplyPayload })
          : textEvent({ ...thread, text: input.text! });

    const record: CustomerMessage = {
      pageId,
      psid: input.psid,
      mid: event.postback?.mid ?? event.message!.mid,
      kind: input.postback
        ? "postback"
        : attachments.length > 0
          ? "attachment"
          : input.quickReplyPayload
            ? "quick_reply"
            : "text",
      text: input.postback?.title ?? input.text ?? null,
      attachments: attachments.map((a) => ({ type: a.type, url: a.payload.url ?? null, name: null })),
      quickReplies: [],
      payload: input.postback?.payload ?? input.quickReplyPayload ?? null,
      time: event.timestamp,
      webhook: null,
    };
    // Recorded before the webhook goes out, so the thread never shows an answer before its question.
    const key = threadKey(pageId, input.psid);
    const list = sent.get(key) ?? [];
    list.push(record);
    if (list.length > MAX_PER_THREAD) list.splice(0, list.length - MAX_PER_THREAD);
    sent.set(key, list);

    record.webhook = await deliver([event]);
    if (!record.webhook.ok) {
      return c.json(
        {
          error: {
            code: "webhook_failed",
            message:
              record.webhook.status === 0
                ? `Could not reach the app at ${options.webhookUrl}`
                : `The app answered ${record.webhook.status} to the webhook`,
            requestId: randomUUID(),
            details: { status: record.webhook.status },
          },
        },
        502,
      );
    }
    return c.json({ mid: record.mid, webhook: record.webhook }, 200);
  });

  app.post(`${base}/delivery`, async (c) => {
    const parsed = SimulatorReceiptInput.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(invalid(parsed.error.issues), 400);
    const pageId = parsed.data.pageId ?? options.defaultPageId;
    const key = threadKey(pageId, parsed.data.psid);
    const outbox = graph.state.outbox;
    const from = deliveredUpTo.get(key) ?? 0;
    const mids = outbox
      .slice(Math.min(from, outbox.length))
      .filter((r) => r.kind === "message" && r.pageId === pageId && r.recipientId === parsed.data.psid)
      .flatMap((r) => (r.messageId ? [r.messageId] : []));
    deliveredUpTo.set(key, outbox.length);
    const watermark = Date.now();
    const webhook = await deliver([
      deliveryEvent({ pageId, psid: parsed.data.psid, watermark, ...(mids.length > 0 ? { mids } : {}) }),
    ]);
    return c.json({ watermark, mids, webhook } satisfies SimulatorReceiptResult, webhook.ok ? 200 : 502);
  });

  app.post(`${base}/read`, async (c) => {
    const parsed = SimulatorReceiptInput.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(invalid(parsed.error.issues), 400);
    const pageId = parsed.data.pageId ?? options.defaultPageId;
    const watermark = Date.now();
    const webhook = await deliver([readEvent({ pageId, psid: parsed.data.psid, watermark })]);
    return c.json({ watermark, mids: [], webhook } satisfies SimulatorReceiptResult, webhook.ok ? 200 : 502);
  });

  app.get(`${base}/thread`, (c) => {
    const psid = c.req.query("psid")?.trim();
    if (!psid) return c.json(invalid([{ path: ["psid"], message: "Required" }]), 400);
    const pageId = c.req.query("pageId") ?? options.defaultPageId;
    const fromCustomer = (sent.get(threadKey(pageId, psid)) ?? []).map(
      ({ pageId: _p, psid: _u, time, ...m }): [number, SimulatorThreadItem] => [
        time,
        { ...m, from: "customer", time: new Date(time).toISOString(), messagingType: null, tag: null },
      ],
    );
    const fromPage = pageMessages(pageId, psid).map((r): [number, SimulatorThreadItem] => [r.time, pageItem(r)]);
    // Stable sort: on equal times the customer's message comes first (the Page answers it).
    const items = [...fromCustomer, ...fromPage].sort((a, b) => a[0] - b[0]).map(([, item]) => item);

    let pageTyping = false;
    let pageSeenAt: string | null = null;
    for (const r of graph.state.outbox) {
      if (r.pageId !== pageId || r.recipientId !== psid) continue;
      if (r.kind === "message") pageTyping = false;
      else if (r.senderAction === "typing_on") pageTyping = true;
      else if (r.senderAction === "typing_off") pageTyping = false;
      else if (r.senderAction === "mark_seen") pageSeenAt = new Date(r.time).toISOString();
    }
    const profile = graph.state.profile(psid);
    const name = [profile.firstName, profile.lastName].filter(Boolean).join(" ");
    return c.json({ pageId, psid, name, items, pageTyping, pageSeenAt } satisfies SimulatorThread);
  });

  app.get(`${base}/customers`, (c) => {
    const pageId = c.req.query("pageId") ?? options.defaultPageId;
    const lastActivity = new Map<string, number>();
    const touch = (psid: string, time: number) => lastActivity.set(psid, Math.max(lastActivity.get(psid) ?? 0, time));
    for (const list of sent.values()) for (const m of list) if (m.pageId === pageId) touch(m.psid, m.time);
    for (const r of graph.state.outbox) if (r.kind === "message" && r.pageId === pageId) touch(r.recipientId, r.time);
    const psids = new Set([...graph.state.users.keys(), ...lastActivity.keys()]);
    const customers = [...psids]
      .map((psid) => {
        const profile = graph.state.profile(psid);
        const last = lastActivity.get(psid);
        return {
          psid,
          name: [profile.firstName, profile.lastName].filter(Boolean).join(" "),
          lastActivityAt: last ? new Date(last).toISOString() : null,
        };
      })
      .sort((a, b) => (b.lastActivityAt ?? "").localeCompare(a.lastActivityAt ?? ""));
    const pages = [...graph.state.pages.values()].map((p) => ({ id: p.id, name: p.name }));
    return c.json({ defaultPageId: options.defaultPageId, pages, customers });
  });
}

/**
 * A Send API message as a bubble: text, attachment (or template) and the quick replies under it. An
 * uploaded file (`filedata`) shows at the URL the fake Graph API serves it from, with its file name.
 */
function pageItem(record: OutboundRecord): SimulatorThreadItem {
  const message = record.message ?? {};
  const attachment = isRecord(message.attachment) ? message.attachment : null;
  const payload = attachment && isRecord(attachment.payload) ? attachment.payload : null;
  const isTemplate = attachment?.type === "template";
  const elements = isTemplate && payload && Array.isArray(payload.elements) ? payload.elements.filter(isRecord) : null;
  const templateText = isTemplate && payload && typeof payload.text === "string" ? payload.text : null;
  const quickReplies = Array.isArray(message.quick_replies)
    ? message.quick_replies.filter(isRecord).map((q) => ({
        title: String(q.title ?? q.content_type ?? ""),
        payload: String(q.payload ?? ""),
      }))
    : [];
  return {
    mid: record.messageId ?? "",
    from: "page",
    kind: isTemplate ? "template" : attachment ? "attachment" : "text",
    text: typeof message.text === "string" ? message.text : templateText,
    attachments:
      attachment && !isTemplate
        ? [
            {
              type: String(attachment.type ?? "file"),
              url: typeof payload?.url === "string" ? payload.url : null,
              name: record.upload?.name ?? null,
            },
          ]
        : [],
    ...(elements ? { cards: elements.map(genericCard) } : {}),
    quickReplies,
    payload: null,
    time: new Date(record.time).toISOString(),
    webhook: null,
    messagingType: record.messagingType ?? null,
    tag: record.tag ?? null,
  };
}

/** A generic template's element as a card: its image, title, subtitle and web_url buttons. */
function genericCard(element: Record<string, unknown>): SimulatorCard {
  const buttons = Array.isArray(element.buttons) ? element.buttons.filter(isRecord) : [];
  return {
    title: String(element.title ?? ""),
    subtitle: typeof element.subtitle === "string" ? element.subtitle : null,
    imageUrl: typeof element.image_url === "string" ? element.image_url : null,
    buttons: buttons.map((b) => ({ title: String(b.title ?? ""), url: typeof b.url === "string" ? b.url : null })),
  };
}

function attachmentType(url: string): MessengerAttachment["type"] {
  const path = url.split(/[?#]/)[0]!.toLowerCase();
  if (/\.(png|jpe?g|gif|webp|bmp|svg)$/.test(path)) return "image";
  if (/\.(mp4|mov|webm|m4v)$/.test(path)) return "video";
  if (/\.(mp3|m4a|ogg|wav|aac)$/.test(path)) return "audio";
  return "file";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
