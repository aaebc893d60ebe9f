/**
 * The widget's calls to the public chat API. The visitor token goes in `X-Visitor-Token` (never in a
 * URL); no cookies are sent. A 401 (the token expired while the laptop slept) refreshes the token
 * once and retries.
 */
import type {
  PublicChatAnswer,
  PublicIdentifyInput,
  PublicMessageDto,
  PublicSessionMessages,
  PublicWidgetConfig,
} from "@tandem/contracts/public-chat";
import { PUBLIC_HEADERS, PUBLIC_SSE_EVENTS } from "@tandem/contracts/public-chat-wire";
import { readSse } from "./sse.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface StreamHandlers {
  delta(text: string): void;
  completed(answer: PublicChatAnswer): void;
  handoff(reason: string, message: string | null): void;
}

async function failure(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = response.statusText || "Request failed";
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not JSON: keep the status
  }
  return new ApiError(response.status, code, message);
}

export class Api {
  /** The visitor's current token and session; `refresh` asks the config endpoint for a new token. */
  token = "";
  sessionId = "";

  constructor(
    readonly base: string,
    readonly chatbotId: string,
    private readonly refresh: () => Promise<void>,
  ) {}

  private url(path: string): string {
    return `${this.base}/api/v1/public/chat/${encodeURIComponent(this.chatbotId)}${path}`;
  }

  private session(path = ""): string {
    return `/sessions/${encodeURIComponent(this.sessionId)}${path}`;
  }

  async config(sessionId: string | null): Promise<PublicWidgetConfig> {
    const headers: Record<string, string> = {};
    if (sessionId) headers[PUBLIC_HEADERS.visitorSession] = sessionId;
    const response = await fetch(this.url("/config"), { headers, credentials: "omit" });
    if (!response.ok) throw await failure(response);
    return (await response.json()) as PublicWidgetConfig;
  }

  /** A request with the visitor token; on 401 the token is refreshed once and the request repeated. */
  private async call(path: string, init: RequestInit = {}, retried = false): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set(PUBLIC_HEADERS.visitorToken, this.token);
    if (init.body) headers.set("Content-Type", "application/json");
    const response = await fetch(this.url(path), { ...init, headers, credentials: "omit" });
    if (response.status === 401 && !retried) {
      const error = await failure(response);
      // A refused identity is not an expired token: refreshing would not help.
      if (error.code === "identity_unverified") throw error;
      await this.refresh();
      return this.call(path, init, true);
    }
    if (!response.ok) throw await failure(response);
    return response;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.call(path, init)).json()) as T;
  }

  /** Sends a message and streams the answer; resolves when the stream ends. */
  async send(message: string, clientMessageId: string, on: StreamHandlers): Promise<void> {
    const response = await this.call("/messages", {
      method: "POST",
      headers: { Accept: "text/event-stream" },
      body: JSON.stringify({ sessionId: this.sessionId, message, clientMessageId }),
    });
    if (!response.headers.get("Content-Type")?.includes("text/event-stream")) {
      // A server that answered in one piece.
      on.completed((await response.json()) as PublicChatAnswer);
      return;
    }
    let streamError: ApiError | null = null;
    let ended = false;
    await readSse(response, ({ event, data }) => {
      const body = JSON.parse(data) as Record<string, unknown>;
      if (event === PUBLIC_SSE_EVENTS.delta) on.delta(String(body.text ?? ""));
      else if (event === PUBLIC_SSE_EVENTS.completed) {
        ended = true;
        on.completed(body as unknown as PublicChatAnswer);
      } else if (event === PUBLIC_SSE_EVENTS.handoff) {
        ended = true;
        on.handoff(String(body.reason ?? ""), (body.message as string | null) ?? null);
      } else if (event === PUBLIC_SSE_EVENTS.error) {
        streamError = new ApiError(200, String(body.code ?? "error"), String(body.message ?? ""));
      }
    });
    if (streamError) throw streamError;
    if (!ended) throw new ApiError(0, "stream_interrupted", "The answer was interrupted.");
  }

  /** Every message after `after` (all when null), following `hasMore`. */
  async messages(after: string | null): Promise<{ messages: PublicMessageDto[]; humanActive: boolean }> {
    const all: PublicMessageDto[] = [];
    let cursor = after;
    for (;;) {
      const query = new URLSearchParams({ limit: "200" });
      if (cursor) query.set("after", cursor);
      const page = await this.json<PublicSessionMessages>(this.session(`/messages?${query}`));
      all.push(...page.messages);
      const last = page.messages.at(-1);
      if (!page.hasMore || !last) return { messages: all, humanActive: page.humanActive };
      cursor = last.id;
    }
  }

  async feedback(messageId: string, rating: "helpful" | "not_helpful"): Promise<void> {
    await this.call(`/messages/${encodeURIComponent(messageId)}/feedback`, {
      method: "POST",
      body: JSON.stringify({ sessionId: this.sessionId, rating }),
    });
  }

  async handoff(): Promise<void> {
    await this.call(this.session("/handoff"), { method: "POST", body: "{}" });
  }

  identify(input: PublicIdentifyInput): Promise<{ verified: boolean }> {
    return this.json("/identify", { method: "POST", body: JSON.stringify(input) });
  }
}
