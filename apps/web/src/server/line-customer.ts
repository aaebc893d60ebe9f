/**
 * The LINE customer of the /simulator page, under `/_simulator/customer/line/`:
 *
 *   POST /send               {userId, name?, channelId?, groupId?, chatbotId?, event}: as a LINE user, 1:1
 *                            or in a group — text, sticker, image, location, postback, follow, unfollow, unsend
 *   GET  /thread?userId=|groupId=&channelId=   what the customers sent and what the bot sent back, in order
 *   GET  /customers          channels (with their simulated credentials, to paste on Settings → Channels),
 *                            users and groups, for the page's pickers
 *   GET  /content/:messageId what a customer sent as an image, for the page to show
 *
 * Events are built with the simulator's LINE customer helpers (reply tokens and media registered
 * with the fake API) and POSTed signed with the channel secret, as LINE delivers them: to the
 * channel's webhook endpoint when one is set on the fake LINE (the app sets it when it connects the
 * channel), else to the app's LINE webhook of the chatbot named in the request. The bot's side of
 * the thread is the fake Messaging API's outbox, i.e. what the app really sent by reply or push.
 */
import { randomUUID } from "node:crypto";
import {
  type LineSimulatorCustomers,
  LineSimulatorSendInput,
  type LineSimulatorSendResult,
  type LineSimulatorThread,
  type LineSimulatorThreadItem,
  type SimulatorCard,
} from "@tandem/contracts";
import type { Logger } from "@tandem/core";
import {
  createLineCustomer,
  type LineEventBase,
  type LineOutboundRecord,
  type LineSource,
  lineGroup,
  lineUser,
  postSignedLineWebhook,
  type SimLineChannel,
  type Simulator,
} from "@tandem/simulator";

export interface LineCustomerOptions {
  /** `${APP_URL}/api/v1/integrations/line/${chatbotId}/webhook`. */
  webhookUrl: (chatbotId: string) => string;
  defaultChannelId: string;
  log: Logger;
  /** How webhooks are delivered; default global `fetch` (real HTTP). */
  fetch?: (request: Request) => Response | Promise<Response>;
  /** Default 10 s: longer than LINE's 2 s, so a slow development server still gets the event. */
  timeoutMs?: number;
  /** The simulator's base path, for the content links of the thread; default `/_simulator`. */
  basePath?: string;
}

type WebhookResult = { status: number; ok: boolean };

interface CustomerItem extends Omit<LineSimulatorThreadItem, "time"> {
  time: number;
}

/** Customer items kept per chat; the LINE simulator keeps its own outbox (5000 records). */
const MAX_PER_CHAT = 500;

const chatKey = (channelId: string, chatId: string) => `${channelId}:${chatId}`;

export function mountLineCustomer(simulator: Simulator, options: LineCustomerOptions): void {
  const { app, line } = simulator;
  const sent = new Map<string, CustomerItem[]>();
  const base = "/customer/line";
  const contentUrl = (messageId: string) => `${options.basePath ?? "/_simulator"}${base}/content/${messageId}`;

  const error = (status: 400 | 404 | 409 | 502, code: string, message: string, details?: unknown) => ({
    body: { error: { code, message, requestId: randomUUID(), ...(details === undefined ? {} : { details }) } },
    status,
  });

  async function deliver(url: string, channel: SimLineChannel, event: LineEventBase): Promise<WebhookResult> {
    try {
      const body = { destination: channel.userId, events: [event] };
      const res = await postSignedLineWebhook(url, body, channel.channelSecret, {
        fetch: options.fetch,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await res.body?.cancel();
      if (!res.ok) options.log.warn({ status: res.status }, "simulator: the app rejected a LINE webhook");
      return { status: res.status, ok: res.ok };
    } catch (err) {
      options.log.warn({ err, url }, "simulator: could not deliver a LINE webhook");
      return { status: 0, ok: false };
    }
  }

  app.post(`${base}/send`, async (c) => {
    const parsed = LineSimulatorSendInput.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) {
      const failure = error(400, "invalid_input", "Invalid input", parsed.error.issues);
      return c.json(failure.body, failure.status);
    }
    const input = parsed.data;
    const channel = line.state.channels.get(input.channelId ?? options.defaultChannelId);
    if (!channel) {
      const failure = error(404, "channel_not_found", `The simulator has no LINE channel ${input.channelId}`);
      return c.json(failure.body, failure.status);
    }
    const url =
      channel.webhookActive && channel.webhookEndpoint
        ? channel.webhookEndpoint
        : input.chatbotId
          ? options.webhookUrl(input.chatbotId)
          : null;
    if (!url) {
      const failure = error(
        409,
        "webhook_not_set",
        "This LINE channel has no webhook endpoint yet: connect it in Settings → Channels, or name the chatbot",
      );
      return c.json(failure.body, failure.status);
    }
    // A name introduces a new customer; an existing one keeps theirs (the inbox shows the profile).
    if (!line.state.users.has(input.userId)) {
      line.state.addUser({ userId: input.userId, displayName: input.name ?? "LINE user" });
    }
    let source: LineSource = lineUser(input.userId);
    if (input.groupId) {
      const group = line.state.groups.get(input.groupId);
      if (!group) {
        const failure = error(404, "group_not_found", `The simulator has no LINE group ${input.groupId}`);
        return c.json(failure.body, failure.status);
      }
      if (!group.memberIds.includes(input.userId)) group.memberIds.push(input.userId);
      source = lineGroup(input.groupId, input.userId);
    }

    const customer = createLineCustomer(line, channel.channelId);
    const ev = input.event;
    const event =
      ev.type === "text"
        ? customer.text(source, ev.text)
        : ev.type === "sticker"
          ? customer.sticker(source, { packageId: ev.packageId, stickerId: ev.stickerId })
          : ev.type === "image"
            ? customer.image(source)
            : ev.type === "location"
              ? customer.location(source, ev)
              : ev.type === "postback"
                ? customer.postback(source, { data: ev.data, ...(ev.params ? { params: ev.params } : {}) })
                : ev.type === "follow"
                  ? customer.follow(source)
                  : ev.type === "unfollow"
                    ? customer.unfollow(source)
                    : customer.unsend(source, ev.messageId);

    const chatId = input.groupId ?? input.userId;
    const key = chatKey(channel.channelId, chatId);
    const list = sent.get(key) ?? [];
    if (ev.type === "unsend") {
      for (const item of list) if (item.id === ev.messageId) item.unsent = true;
    }
    const item = customerItem(event, input.userId);
    // Recorded before the webhook goes out, so the thread never shows an answer before its question.
    list.push(item);
    if (list.length > MAX_PER_CHAT) list.splice(0, list.length - MAX_PER_CHAT);
    sent.set(key, list);

    item.webhook = await deliver(url, channel, event);
    const messageId = (event.message as { id?: string } | undefined)?.id ?? null;
    if (!item.webhook.ok) {
      const failure = error(
        502,
        "webhook_failed",
        item.webhook.status === 0
          ? `Could not reach the app at ${url}`
          : `The app answered ${item.webhook.status} to the webhook`,
        { status: item.webhook.status },
      );
      return c.json(failure.body, failure.status);
    }
    return c.json({
      webhookEventId: event.webhookEventId,
      messageId,
      webhook: item.webhook,
    } satisfies LineSimulatorSendResult);
  });

  app.get(`${base}/thread`, (c) => {
    const groupId = c.req.query("groupId")?.trim();
    const userId = c.req.query("userId")?.trim();
    const chatId = groupId || userId;
    if (!chatId) {
      const failure = error(400, "invalid_input", "Invalid input", [{ path: ["userId"], message: "Required" }]);
      return c.json(failure.body, failure.status);
    }
    const channelId = c.req.query("channelId") ?? options.defaultChannelId;
    const fromCustomer = (sent.get(chatKey(channelId, chatId)) ?? []).map(
      ({ time, ...item }): [number, LineSimulatorThreadItem] => [time, { ...item, time: new Date(time).toISOString() }],
    );
    const records = line.state.outbox.filter((r) => r.channelId === channelId && r.chatId === chatId);
    const fromBot = records.flatMap((r) =>
      botItems(r).map((item): [number, LineSimulatorThreadItem] => [r.time, item]),
    );
    // Stable sort: on equal times the customer's message comes first (the bot answers it).
    const items = [...fromCustomer, ...fromBot].sort((a, b) => a[0] - b[0]).map(([, item]) => item);

    const lastBotTime = records.at(-1)?.time ?? 0;
    const loading = line.calls.findLast(
      (call) =>
        call.path === "/v2/bot/chat/loading/start" &&
        call.status === 202 &&
        call.channelId === channelId &&
        (call.body as { chatId?: unknown } | undefined)?.chatId === chatId,
    );
    const seconds = Number((loading?.body as { loadingSeconds?: unknown } | undefined)?.loadingSeconds ?? 20);
    const botLoading = Boolean(
      loading && loading.time >= lastBotTime && line.state.now() < loading.time + seconds * 1000,
    );
    const name = groupId
      ? (line.state.groups.get(groupId)?.groupName ?? groupId)
      : (line.state.users.get(chatId)?.displayName ?? chatId);
    return c.json({
      channelId,
      chatType: groupId ? "group" : "user",
      chatId,
      name,
      items,
      botLoading,
    } satisfies LineSimulatorThread);
  });

  app.get(`${base}/customers`, (c) => {
    const lastActivity = new Map<string, number>();
    const touch = (userId: string, time: number) =>
      lastActivity.set(userId, Math.max(lastActivity.get(userId) ?? 0, time));
    for (const list of sent.values()) for (const item of list) if (item.userId) touch(item.userId, item.time);
    for (const r of line.state.outbox) if (r.chatType === "user") touch(r.chatId, r.time);
    const users = [...line.state.users.values()]
      .map((user) => {
        const last = lastActivity.get(user.userId);
        return {
          userId: user.userId,
          name: user.displayName,
          lastActivityAt: last ? new Date(last).toISOString() : null,
        };
      })
      .sort((a, b) => (b.lastActivityAt ?? "").localeCompare(a.lastActivityAt ?? ""));
    return c.json({
      defaultChannelId: options.defaultChannelId,
      channels: [...line.state.channels.values()].map((channel) => ({
        channelId: channel.channelId,
        name: channel.displayName,
        basicId: channel.basicId,
        webhookEndpoint: channel.webhookEndpoint || null,
        channelSecret: channel.channelSecret,
        channelAccessToken: channel.channelAccessToken,
      })),
      users,
      groups: [...line.state.groups.values()].map((g) => ({
        groupId: g.groupId,
        name: g.groupName,
        memberIds: g.memberIds,
      })),
    } satisfies LineSimulatorCustomers);
  });

  app.get(`${base}/content/:messageId`, (c) => {
    const content = line.state.contents.get(c.req.param("messageId"));
    if (!content) {
      const failure = error(404, "content_not_found", "No content for this message");
      return c.json(failure.body, failure.status);
    }
    return c.body(new Uint8Array(content.bytes), 200, {
      "content-type": content.contentType,
      "cache-control": "max-age=3600",
    });
  });

  function customerItem(event: LineEventBase, userId: string): CustomerItem {
    const message = (event.message ?? null) as Record<string, unknown> | null;
    const id = typeof message?.id === "string" ? message.id : event.webhookEventId;
    const item: CustomerItem = {
      id,
      from: "customer",
      userId,
      kind: "other",
      text: null,
      sticker: null,
      url: null,
      previewUrl: null,
      location: null,
      payload: null,
      via: null,
      unsent: false,
      time: event.timestamp,
      webhook: null,
    };
    if (!message) {
      const postback = event.postback as { data: string } | undefined;
      const kind =
        event.type === "postback" || event.type === "follow" || event.type === "unfollow" ? event.type : "unsend";
      const unsent = (event.unsend as { messageId?: string } | undefined)?.messageId ?? null;
      return { ...item, kind, payload: kind === "unsend" ? unsent : (postback?.data ?? null) };
    }
    switch (message.type) {
      case "text":
        return { ...item, kind: "text", text: String(message.text) };
      case "sticker":
        return { ...item, kind: "sticker", sticker: stickerOf(message) };
      case "image":
        return { ...item, kind: "image", url: contentUrl(id) };
      case "location":
        return { ...item, kind: "location", location: locationOf(message) };
      default:
        return item;
    }
  }
}

/** One bubble per LINE message object the bot sent. */
function botItems(record: LineOutboundRecord): LineSimulatorThreadItem[] {
  return record.messages.map((message, index) => {
    const item: LineSimulatorThreadItem = {
      id: record.sentMessages[index]?.id ?? `${record.requestId}:${index}`,
      from: "bot",
      userId: null,
      kind: "other",
      text: null,
      sticker: null,
      url: null,
      previewUrl: null,
      location: null,
      payload: null,
      via: record.kind,
      unsent: false,
      time: new Date(record.time).toISOString(),
      webhook: null,
    };
    switch (message.type) {
      case "text":
        return { ...item, kind: "text", text: String(message.text ?? "") };
      case "sticker":
        return { ...item, kind: "sticker", sticker: stickerOf(message) };
      case "image":
      case "video":
      case "audio":
        return {
          ...item,
          kind: message.type,
          url: String(message.originalContentUrl ?? "") || null,
          previewUrl: String(message.previewImageUrl ?? "") || null,
        };
      case "location":
        return { ...item, kind: "location", location: locationOf(message) };
      case "template": {
        const template = isRecordValue(message.template) ? message.template : {};
        const columns = Array.isArray(template.columns) ? template.columns.filter(isRecordValue) : [];
        const altText = typeof message.altText === "string" ? message.altText : null;
        if (template.type !== "carousel") return { ...item, text: altText };
        return { ...item, kind: "template", text: altText, cards: columns.map(carouselCard) };
      }
      default:
        // Flex, other templates, imagemap: their alt text is what a phone shows in the chat list.
        return { ...item, text: typeof message.altText === "string" ? message.altText : null };
    }
  });
}

const isRecordValue = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A carousel column as a card: thumbnail, title, text and its actions (a `uri` one opens its link). */
function carouselCard(column: Record<string, unknown>): SimulatorCard {
  const actions = Array.isArray(column.actions) ? column.actions.filter(isRecordValue) : [];
  return {
    title: String(column.title ?? ""),
    subtitle: typeof column.text === "string" ? column.text : null,
    imageUrl: typeof column.thumbnailImageUrl === "string" ? column.thumbnailImageUrl : null,
    buttons: actions.map((a) => ({
      title: String(a.label ?? ""),
      url: a.type === "uri" && typeof a.uri === "string" ? a.uri : null,
    })),
  };
}

/** The sticker of a LINE message object, as the thread shows it. */
function stickerOf(message: Record<string, unknown>): LineSimulatorThreadItem["sticker"] {
  return { packageId: String(message.packageId), stickerId: String(message.stickerId) };
}

/** The place of a LINE location message object, as the thread shows it. */
function locationOf(message: Record<string, unknown>): LineSimulatorThreadItem["location"] {
  return {
    title: typeof message.title === "string" ? message.title : null,
    address: typeof message.address === "string" ? message.address : null,
    latitude: Number(message.latitude),
    longitude: Number(message.longitude),
  };
}
