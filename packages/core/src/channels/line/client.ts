/**
 * The LINE Messaging API client: `api.line.me` for messages, profiles, bot info, webhook settings
 * and quota, `api-data.line.me` for the content customers send (`LINE_API_URL`, `LINE_DATA_API_URL`;
 * the simulator's `/_simulator/line/api` and `/line/data` in demo mode). Each call takes the
 * channel's access token, has a timeout, and fails with a classified `LineApiError`.
 *
 * Both base URLs are operator configuration, not URLs a workspace member types, so the client uses
 * the plain `fetch` as the Graph client does; the outbound guard of `net/outbound.ts` is for
 * user-chosen URLs. A caller may still pass a guarded `fetch`.
 */
import { createHash } from "node:crypto";
import { LineApiError, lineErrorFromResponse, lineNetworkError } from "./errors.ts";
import type { LineMessage } from "./messages.ts";

export interface LineClientOptions {
  apiUrl: string;
  dataApiUrl: string;
  /** Per JSON call; default 15 s. */
  timeoutMs?: number;
  /** A whole content download; default 60 s. */
  contentTimeoutMs?: number;
  /** Content larger than this is refused (`content_too_large`); default 25 MB. */
  maxContentBytes?: number;
  fetch?: typeof fetch;
}

export interface LineSentMessage {
  id: string;
  quoteToken?: string;
}

export interface LineSendResult {
  sentMessages: LineSentMessage[];
  /** `x-line-request-id` of the call (for a repeated retry key: the request that was accepted). */
  requestId: string | null;
  /** A push whose retry key LINE had already accepted (409): sent before, not sent again. */
  alreadyAccepted: boolean;
}

export interface LineProfile {
  displayName: string;
  userId: string;
  pictureUrl?: string;
  statusMessage?: string;
  language?: string;
}

export interface LineGroupSummary {
  groupId: string;
  groupName: string;
  pictureUrl?: string;
}

export interface LineBotInfo {
  userId: string;
  basicId: string;
  premiumId?: string;
  displayName: string;
  pictureUrl?: string;
  chatMode: "chat" | "bot";
  markAsReadMode: "auto" | "manual";
}

export interface LineWebhookTest {
  success: boolean;
  timestamp: string;
  statusCode: number;
  reason: string;
  detail: string;
}

export interface LineContent {
  bytes: Uint8Array;
  contentType: string;
}

export type LineQuota = { type: "none" } | { type: "limited"; value: number };

const DEFAULT_MAX_CONTENT = 25 * 1024 * 1024;

/**
 * A retry key (a UUID, as `X-Line-Retry-Key` wants) derived from what is being sent, e.g.
 * `${messageId}:${batchIndex}`: a retried push of the same batch repeats the key, so LINE answers
 * 409 instead of delivering it twice.
 */
export function lineRetryKey(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function createLineClient(options: LineClientOptions) {
  const api = options.apiUrl.replace(/\/+$/, "");
  const dataApi = options.dataApiUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const contentTimeoutMs = options.contentTimeoutMs ?? 60_000;
  const maxContentBytes = options.maxContentBytes ?? DEFAULT_MAX_CONTENT;

  async function send(
    url: string,
    init: { method: string; token: string; body?: unknown; headers?: Record<string, string>; timeout: number },
  ): Promise<Response> {
    try {
      return await doFetch(url, {
        method: init.method,
        headers: {
          authorization: `Bearer ${init.token}`,
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...init.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(init.timeout),
      });
    } catch (cause) {
      throw lineNetworkError(cause, init.timeout);
    }
  }

  async function readJson(res: Response): Promise<unknown> {
    let text: string;
    try {
      text = await res.text();
    } catch (cause) {
      throw lineNetworkError(cause, timeoutMs);
    }
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch {
      return { message: text.slice(0, 200) };
    }
  }

  async function request<T>(
    method: string,
    path: string,
    token: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const res = await send(`${api}${path}`, { method, token, ...init, timeout: timeoutMs });
    const body = await readJson(res);
    if (!res.ok) throw lineErrorFromResponse(res.status, body, res.headers);
    return body as T;
  }

  const sentResult = (res: Response, body: unknown, alreadyAccepted: boolean): LineSendResult => {
    const sent = (body as { sentMessages?: LineSentMessage[] }).sentMessages;
    return {
      sentMessages: Array.isArray(sent) ? sent : [],
      requestId: res.headers.get(alreadyAccepted ? "x-line-accepted-request-id" : "x-line-request-id"),
      alreadyAccepted,
    };
  };

  const path = (...parts: string[]) => parts.map(encodeURIComponent).join("/");

  return {
    /** `POST /v2/bot/message/reply`: free, once per reply token, 1–5 messages. */
    async reply(
      token: string,
      input: { replyToken: string; messages: LineMessage[]; notificationDisabled?: boolean },
    ): Promise<LineSendResult> {
      const res = await send(`${api}/v2/bot/message/reply`, { method: "POST", token, body: input, timeout: timeoutMs });
      const body = await readJson(res);
      if (!res.ok) throw lineErrorFromResponse(res.status, body, res.headers);
      return sentResult(res, body, false);
    },

    /**
     * `POST /v2/bot/message/push` to a user, group or room; counts against the monthly quota. With a
     * retry key, a repeat LINE already accepted answers 409: that is success (`alreadyAccepted`).
     */
    async push(
      token: string,
      input: { to: string; messages: LineMessage[]; notificationDisabled?: boolean },
      options: { retryKey?: string } = {},
    ): Promise<LineSendResult> {
      const res = await send(`${api}/v2/bot/message/push`, {
        method: "POST",
        token,
        body: input,
        headers: options.retryKey ? { "x-line-retry-key": options.retryKey } : {},
        timeout: timeoutMs,
      });
      const body = await readJson(res);
      if (res.status === 409 && options.retryKey) return sentResult(res, body, true);
      if (!res.ok) throw lineErrorFromResponse(res.status, body, res.headers);
      return sentResult(res, body, false);
    },

    /** `POST /v2/bot/chat/loading/start`: 1:1 chats only, 5–60 s in steps of 5 (rounded up here). */
    async showLoading(token: string, userId: string, seconds = 20): Promise<void> {
      const loadingSeconds = Math.min(60, Math.max(5, Math.ceil(seconds / 5) * 5));
      await request("POST", "/v2/bot/chat/loading/start", token, { body: { chatId: userId, loadingSeconds } });
    },

    getProfile: (token: string, userId: string) =>
      request<LineProfile>("GET", `/v2/bot/profile/${path(userId)}`, token),
    getGroupMemberProfile: (token: string, groupId: string, userId: string) =>
      request<LineProfile>("GET", `/v2/bot/group/${path(groupId)}/member/${path(userId)}`, token),
    getRoomMemberProfile: (token: string, roomId: string, userId: string) =>
      request<LineProfile>("GET", `/v2/bot/room/${path(roomId)}/member/${path(userId)}`, token),
    getGroupSummary: (token: string, groupId: string) =>
      request<LineGroupSummary>("GET", `/v2/bot/group/${path(groupId)}/summary`, token),

    /**
     * `GET /v2/bot/message/{id}/content` on the data host: what a customer sent as an image, video,
     * audio or file, read as a stream and refused beyond `maxBytes` before it is all in memory.
     */
    async downloadContent(token: string, messageId: string, limits: { maxBytes?: number } = {}): Promise<LineContent> {
      const maxBytes = limits.maxBytes ?? maxContentBytes;
      const res = await send(`${dataApi}/v2/bot/message/${path(messageId)}/content`, {
        method: "GET",
        token,
        timeout: contentTimeoutMs,
      });
      if (!res.ok) throw lineErrorFromResponse(res.status, await readJson(res), res.headers);
      const tooLarge = () =>
        new LineApiError(`The content of message ${messageId} is larger than ${maxBytes} bytes`, {
          status: res.status,
          code: "content_too_large",
        });
      const declared = Number(res.headers.get("content-length"));
      if (Number.isFinite(declared) && declared > maxBytes) {
        await res.body?.cancel();
        throw tooLarge();
      }
      const contentType = res.headers.get("content-type")?.split(";")[0]?.trim() || "application/octet-stream";
      const chunks: Uint8Array[] = [];
      let size = 0;
      if (res.body) {
        const reader = res.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            size += value.byteLength;
            if (size > maxBytes) {
              await reader.cancel();
              throw tooLarge();
            }
            chunks.push(value);
          }
        } catch (error) {
          if (error instanceof LineApiError) throw error;
          throw lineNetworkError(error, contentTimeoutMs);
        }
      }
      return { bytes: Buffer.concat(chunks, size), contentType };
    },

    getBotInfo: (token: string) => request<LineBotInfo>("GET", "/v2/bot/info", token),

    getWebhookEndpoint: (token: string) =>
      request<{ endpoint: string; active: boolean }>("GET", "/v2/bot/channel/webhook/endpoint", token),
    async setWebhookEndpoint(token: string, endpoint: string): Promise<void> {
      await request("PUT", "/v2/bot/channel/webhook/endpoint", token, { body: { endpoint } });
    },
    /** LINE posts an empty, signed delivery to the endpoint (the one set, or `endpoint`) and reports. */
    testWebhookEndpoint: (token: string, endpoint?: string) =>
      request<LineWebhookTest>("POST", "/v2/bot/channel/webhook/test", token, {
        body: endpoint === undefined ? {} : { endpoint },
      }),

    getQuota: (token: string) => request<LineQuota>("GET", "/v2/bot/message/quota", token),
    getQuotaConsumption: (token: string) =>
      request<{ totalUsage: number }>("GET", "/v2/bot/message/quota/consumption", token),
  };
}

export type LineClient = ReturnType<typeof createLineClient>;
