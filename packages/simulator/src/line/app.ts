/**
 * A fake LINE Messaging API as one Hono app with both of LINE's hosts below it:
 *
 *   {mount}/api/v2/bot/…    https://api.line.me       (point LINE_API_URL at `{mount}/api`)
 *   {mount}/data/v2/bot/…   https://api-data.line.me  (point LINE_DATA_API_URL at `{mount}/data`)
 *
 * Content is served on the data host only, as LINE does, so a client that mixes the hosts up fails
 * here too. Every call is recorded (the token never is); errors are LINE's `{message, details?}`
 * with an `x-line-request-id` on every answer. Webhook tests and `deliver` POST to the channel's
 * endpoint over real HTTP, signed with the channel secret. One divergence: http endpoints are
 * accepted (LINE requires https), so a local app can be the endpoint.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { LineError, lineErrors } from "./errors.ts";
import { signLineBody } from "./signature.ts";
import {
  chatTypeOf,
  type LineFault,
  type LineFaultTarget,
  type LineSentMessage,
  LineState,
  type LineStateSeed,
  type SimLineChannel,
} from "./state.ts";
import { validateMessages } from "./validate.ts";

export interface LineSimulatorOptions extends LineStateSeed {
  now?: () => number;
  /** Reply tokens expire this long after their event (default 60 s). */
  replyTokenTtlMs?: number;
  /** How long the platform waits for a webhook answer (default 2 s, LINE's). */
  webhookTimeoutMs?: number;
  /** How webhooks are POSTed; default global `fetch` (real HTTP). */
  fetch?: (request: Request) => Response | Promise<Response>;
  /** The oldest calls are dropped beyond this many (default 5000). */
  maxCalls?: number;
}

export interface LineCall {
  seq: number;
  host: "api" | "data";
  method: string;
  /** Path below the host (`/v2/bot/message/push`). */
  path: string;
  /** Lower-cased request headers without `authorization` and `cookie`. */
  headers: Record<string, string>;
  body: unknown;
  /** The channel whose token was used, if the token is known. */
  channelId?: string;
  time: number;
  status?: number;
  response?: unknown;
}

export interface LineWebhookBody {
  destination: string;
  events: Record<string, unknown>[];
}

export interface LineWebhookTestResult {
  success: boolean;
  timestamp: string;
  statusCode: number;
  reason: "OK" | "ERROR_STATUS_CODE" | "COULD_NOT_CONNECT" | "REQUEST_TIMEOUT";
  detail: string;
}

export interface LineSimulator {
  app: Hono<LineEnv>;
  calls: LineCall[];
  state: LineState;
  /**
   * Delivers events as the platform does: signed with the channel secret and POSTed to the
   * channel's webhook endpoint (when set and active). The raw body may be given to send it verbatim.
   */
  deliver(channelId: string, body: LineWebhookBody | string): Promise<LineWebhookTestResult>;
  reset(): void;
}

type LineEnv = {
  Variables: { body: unknown; rawBody: string; token?: string; requestId: string };
  Bindings: { incoming?: { socket?: { destroy(): void } } };
};
type LineContext = Context<LineEnv>;
type Handler = (c: LineContext, channel: SimLineChannel) => unknown;

const RETRY_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createLineSimulator(options: LineSimulatorOptions = {}): LineSimulator {
  const state = new LineState(options, { replyTokenTtlMs: options.replyTokenTtlMs, now: options.now });
  const calls: LineCall[] = [];
  const maxCalls = options.maxCalls ?? 5_000;
  const webhookTimeoutMs = options.webhookTimeoutMs ?? 2_000;
  let seq = 0;
  const app = new Hono<LineEnv>();

  app.use("*", async (c, next) => {
    const pattern = c.req.routePath;
    const base = pattern.endsWith("/*") ? pattern.slice(0, -2) : "";
    const below = c.req.path.slice(base.length) || "/";
    const host = below.startsWith("/data/") ? "data" : "api";
    const path = below.replace(/^\/(api|data)(?=\/|$)/, "") || "/";

    const rawBody = c.req.method === "GET" || c.req.method === "HEAD" ? "" : await c.req.text();
    let body: unknown;
    if (rawBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
    }
    const token = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      if (key !== "authorization" && key !== "cookie") headers[key] = value;
    });
    const call: LineCall = {
      seq: ++seq,
      host,
      method: c.req.method,
      path,
      headers,
      body,
      channelId: token ? state.channelByToken(token)?.channelId : undefined,
      time: state.now(),
    };
    calls.push(call);
    if (calls.length > maxCalls) calls.splice(0, calls.length - maxCalls);
    c.set("body", body);
    c.set("rawBody", rawBody);
    c.set("token", token);
    c.set("requestId", state.newRequestId());

    await next();

    c.res.headers.set("x-line-request-id", c.get("requestId"));
    call.status = c.res.status;
    if (c.res.headers.get("content-type")?.includes("application/json")) {
      call.response = await c.res
        .clone()
        .json()
        .catch(() => undefined);
    }
  });

  const authenticate = (c: LineContext): SimLineChannel => {
    const token = c.get("token");
    if (!token) throw lineErrors.missingAuth();
    const channel = state.channelByToken(token);
    if (!channel) throw lineErrors.invalidToken();
    return channel;
  };

  /** Applies an injected fault: throws its error, cuts the connection, or waits before answering. */
  const applyFault = async (c: LineContext, fault: LineFault) => {
    switch (fault.kind) {
      case "server_error":
        throw lineErrors.serverError();
      case "unavailable":
        throw lineErrors.unavailable();
      case "rate_limit":
        throw lineErrors.rateLimit();
      case "token_revoked":
        throw lineErrors.invalidToken();
      case "network_reset": {
        const socket = c.env?.incoming?.socket;
        if (!socket) throw new Error("network_reset: no socket to cut (served in-process)");
        socket.destroy();
        throw new NetworkReset();
      }
      case "timeout":
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 30_000));
        return;
      case "invalid_request":
        throw lineErrors.invalidBody([{ message: "Refused by an injected fault", property: "messages[0]" }]);
    }
  };

  /** A reply or push that carries a template message (what a `templates` fault hits). */
  const carriesTemplate = (c: LineContext, target: string): boolean => {
    if (target !== "reply" && target !== "push") return false;
    const body = c.get("body");
    const messages = isRecord(body) ? body.messages : undefined;
    return Array.isArray(messages) && messages.some((m) => isRecord(m) && m.type === "template");
  };

  const route = (
    host: "api" | "data",
    method: "GET" | "POST" | "PUT",
    path: string,
    target: Exclude<LineFaultTarget, "all">,
    handler: Handler,
  ) => {
    app.on(method, `/${host}${path}`, async (c) => {
      try {
        const channel = authenticate(c);
        const fault =
          state.takeFault(channel.channelId, target) ??
          (carriesTemplate(c, target) ? state.takeFault(channel.channelId, "templates") : undefined);
        if (fault) await applyFault(c, fault);
        const result = await handler(c, channel);
        return result instanceof Response ? result : c.json(result as object);
      } catch (error) {
        if (error instanceof LineError) return errorResponse(c, error);
        if (error instanceof NetworkReset) return new Response(null, { status: 500 });
        throw error;
      }
    });
  };

  const jsonBody = (c: LineContext): Record<string, unknown> => {
    const body = c.get("body");
    if (c.get("rawBody") && typeof body === "string") throw lineErrors.unparsable();
    return isRecord(body) ? body : {};
  };

  const sentMessagesFor = (messages: unknown[]): LineSentMessage[] =>
    messages.map((message) => {
      const type = isRecord(message) ? message.type : undefined;
      // Quote tokens come back for the message types a user can quote.
      const quotable = type === "text" || type === "sticker" || type === "image" || type === "video";
      return { id: state.nextMessageId(), ...(quotable ? { quoteToken: state.newQuoteToken() } : {}) };
    });

  // ---- Messages -----------------------------------------------------------------------------

  route("api", "POST", "/v2/bot/message/reply", "reply", (c, channel) => {
    const body = jsonBody(c);
    const details = validateMessages(body.messages);
    if (typeof body.replyToken !== "string" || body.replyToken === "") {
      details.unshift({ message: "May not be empty", property: "replyToken" });
    }
    if (details.length > 0) throw lineErrors.invalidBody(details);
    const token = state.takeReplyToken(channel.channelId, body.replyToken as string);
    if (!token) throw lineErrors.invalidReplyToken();
    const messages = body.messages as Record<string, unknown>[];
    const sentMessages = sentMessagesFor(messages);
    state.recordOutbound({
      kind: "reply",
      channelId: channel.channelId,
      chatType: token.chatType,
      chatId: token.chatId,
      messages,
      sentMessages,
      replyToken: token.token,
      notificationDisabled: body.notificationDisabled === true,
      requestId: c.get("requestId"),
      time: state.now(),
    });
    return { sentMessages };
  });

  route("api", "POST", "/v2/bot/message/push", "push", (c, channel) => {
    const retryKey = c.req.header("x-line-retry-key");
    if (retryKey !== undefined && !RETRY_KEY.test(retryKey)) throw lineErrors.invalidRetryKey();
    if (retryKey) {
      const accepted = state.acceptedRetry(channel.channelId, retryKey);
      if (accepted) throw lineErrors.retryKeyAccepted(accepted.requestId, accepted.sentMessages);
    }
    const body = jsonBody(c);
    const details = validateMessages(body.messages);
    const chatType = typeof body.to === "string" ? chatTypeOf(body.to) : undefined;
    if (typeof body.to !== "string" || body.to === "") details.unshift({ message: "May not be empty", property: "to" });
    if (details.length > 0) throw lineErrors.invalidBody(details);
    if (!chatType)
      throw lineErrors.badRequest("The property, 'to', in the request body is invalid (line: -, column: -)");
    const to = body.to as string;
    const cost = state.pushCost(chatType, to);
    if (channel.monthlyQuota !== null && channel.usage + cost > channel.monthlyQuota) throw lineErrors.monthlyLimit();

    const messages = body.messages as Record<string, unknown>[];
    const sentMessages = sentMessagesFor(messages);
    channel.usage += cost;
    if (retryKey) state.acceptRetry(channel.channelId, retryKey, c.get("requestId"), sentMessages);
    state.recordOutbound({
      kind: "push",
      channelId: channel.channelId,
      chatType,
      chatId: to,
      messages,
      sentMessages,
      ...(retryKey ? { retryKey } : {}),
      notificationDisabled: body.notificationDisabled === true,
      requestId: c.get("requestId"),
      time: state.now(),
    });
    return { sentMessages };
  });

  route("api", "POST", "/v2/bot/chat/loading/start", "loading", (c) => {
    const body = jsonBody(c);
    const details: { message: string; property: string }[] = [];
    const chatId = typeof body.chatId === "string" ? body.chatId : "";
    if (!chatId) details.push({ message: "May not be empty", property: "chatId" });
    const seconds = body.loadingSeconds ?? 20;
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 5 || seconds > 60 || seconds % 5 !== 0) {
      details.push({ message: "Must be a multiple of 5 between 5 and 60", property: "loadingSeconds" });
    }
    if (details.length > 0) throw lineErrors.invalidBody(details);
    // The loading animation exists in one-on-one chats only.
    if (chatTypeOf(chatId) !== "user") throw lineErrors.badRequest("The chat ID must be a user ID");
    return c.json({}, 202);
  });

  // ---- Profiles, groups, rooms --------------------------------------------------------------

  const profileOf = (userId: string, withPrivate: boolean) => {
    const user = state.users.get(userId);
    if (!user) throw lineErrors.notFound();
    return {
      displayName: user.displayName,
      userId: user.userId,
      ...(user.pictureUrl ? { pictureUrl: user.pictureUrl } : {}),
      ...(withPrivate && user.statusMessage ? { statusMessage: user.statusMessage } : {}),
      ...(withPrivate && user.language ? { language: user.language } : {}),
    };
  };

  route("api", "GET", "/v2/bot/profile/:userId", "profile", (c) => profileOf(c.req.param("userId") ?? "", true));

  route("api", "GET", "/v2/bot/group/:groupId/summary", "profile", (c) => {
    const group = state.groups.get(c.req.param("groupId") ?? "");
    if (!group) throw lineErrors.notFound();
    return {
      groupId: group.groupId,
      groupName: group.groupName,
      ...(group.pictureUrl ? { pictureUrl: group.pictureUrl } : {}),
    };
  });

  route("api", "GET", "/v2/bot/group/:groupId/member/:userId", "profile", (c) => {
    const group = state.groups.get(c.req.param("groupId") ?? "");
    const userId = c.req.param("userId") ?? "";
    if (!group?.memberIds.includes(userId)) throw lineErrors.notFound();
    return profileOf(userId, false);
  });

  route("api", "GET", "/v2/bot/room/:roomId/member/:userId", "profile", (c) => {
    const room = state.rooms.get(c.req.param("roomId") ?? "");
    const userId = c.req.param("userId") ?? "";
    if (!room?.memberIds.includes(userId)) throw lineErrors.notFound();
    return profileOf(userId, false);
  });

  // ---- Content (data host) ------------------------------------------------------------------

  const contentOf = (c: LineContext, channel: SimLineChannel) => {
    const content = state.contents.get(c.req.param("messageId") ?? "");
    if (!content || content.channelId !== channel.channelId) throw lineErrors.notFound();
    return content;
  };

  route("data", "GET", "/v2/bot/message/:messageId/content", "content", (c, channel) => {
    const content = contentOf(c, channel);
    return c.body(new Uint8Array(content.bytes), 200, {
      "content-type": content.contentType,
      "content-length": String(content.bytes.byteLength),
    });
  });

  route("data", "GET", "/v2/bot/message/:messageId/content/transcoding", "content", (c, channel) => {
    const content = contentOf(c, channel);
    if (content.type !== "video" && content.type !== "audio") throw lineErrors.notFound();
    return { status: "succeeded" };
  });

  // ---- Bot, webhook endpoint, quota ---------------------------------------------------------

  route("api", "GET", "/v2/bot/info", "info", (_c, channel) => ({
    userId: channel.userId,
    basicId: channel.basicId,
    displayName: channel.displayName,
    ...(channel.pictureUrl ? { pictureUrl: channel.pictureUrl } : {}),
    chatMode: channel.chatMode,
    markAsReadMode: channel.markAsReadMode,
  }));

  route("api", "GET", "/v2/bot/channel/webhook/endpoint", "webhook", (_c, channel) => ({
    endpoint: channel.webhookEndpoint,
    active: channel.webhookActive,
  }));

  route("api", "PUT", "/v2/bot/channel/webhook/endpoint", "webhook", (c, channel) => {
    const endpoint = jsonBody(c).endpoint;
    if (typeof endpoint !== "string" || !isWebhookUrl(endpoint)) {
      throw lineErrors.invalidBody([{ message: "Invalid webhook endpoint URL", property: "endpoint" }]);
    }
    channel.webhookEndpoint = endpoint;
    channel.webhookActive = true;
    return {};
  });

  route("api", "POST", "/v2/bot/channel/webhook/test", "webhook", async (c, channel) => {
    const requested = jsonBody(c).endpoint;
    if (requested !== undefined && (typeof requested !== "string" || !isWebhookUrl(requested))) {
      throw lineErrors.invalidBody([{ message: "Invalid webhook endpoint URL", property: "endpoint" }]);
    }
    const endpoint = requested ?? channel.webhookEndpoint;
    if (!endpoint) throw lineErrors.badRequest("The webhook endpoint URL is not set");
    return postWebhook(endpoint, channel, JSON.stringify({ destination: channel.userId, events: [] }));
  });

  route("api", "GET", "/v2/bot/message/quota", "quota", (_c, channel) =>
    channel.monthlyQuota === null ? { type: "none" } : { type: "limited", value: channel.monthlyQuota },
  );

  route("api", "GET", "/v2/bot/message/quota/consumption", "quota", (_c, channel) => ({ totalUsage: channel.usage }));

  app.all("*", (c) => errorResponse(c, lineErrors.notFound()));

  async function postWebhook(endpoint: string, channel: SimLineChannel, raw: string): Promise<LineWebhookTestResult> {
    const timestamp = new Date(state.now()).toISOString();
    const bytes = Buffer.from(raw, "utf8");
    const request = new Request(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "LineBotWebhook/2.0",
        "x-line-signature": signLineBody(channel.channelSecret, bytes),
      },
      body: bytes,
      signal: AbortSignal.timeout(webhookTimeoutMs),
    });
    try {
      const response = await (options.fetch ?? fetch)(request);
      await response.body?.cancel();
      const ok = response.status >= 200 && response.status < 300;
      return {
        success: ok,
        timestamp,
        statusCode: response.status,
        reason: ok ? "OK" : "ERROR_STATUS_CODE",
        detail: String(response.status),
      };
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError";
      return {
        success: false,
        timestamp,
        statusCode: 0,
        reason: timedOut ? "REQUEST_TIMEOUT" : "COULD_NOT_CONNECT",
        detail: timedOut ? `no answer within ${webhookTimeoutMs} ms` : String((error as Error).cause ?? error),
      };
    }
  }

  return {
    app,
    calls,
    state,
    async deliver(channelId, body) {
      const channel = state.channels.get(channelId);
      if (!channel) throw new Error(`Unknown LINE channel ${channelId}`);
      if (!channel.webhookEndpoint || !channel.webhookActive) {
        throw new Error(`LINE channel ${channelId} has no active webhook endpoint`);
      }
      return postWebhook(channel.webhookEndpoint, channel, typeof body === "string" ? body : JSON.stringify(body));
    },
    reset() {
      calls.length = 0;
      seq = 0;
      state.reset();
    },
  };
}

/** The connection was cut on purpose: whatever is answered after it never reaches the client. */
class NetworkReset extends Error {}

function errorResponse(c: LineContext, error: LineError): Response {
  return c.json(error.toBody(), error.status as 400, error.headers);
}

function isWebhookUrl(value: string): boolean {
  if (value.length > 500 || !URL.canParse(value)) return false;
  const protocol = new URL(value).protocol;
  return protocol === "https:" || protocol === "http:";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
