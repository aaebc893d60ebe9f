/**
 * The Facebook Graph API client (Messenger Platform). One place for the version, the base URL
 * (`GRAPH_API_URL`, the simulator in demo mode), timeouts and the error vocabulary: every failure is
 * a `GraphApiError` that says whether it is worth retrying and whether the token is dead (190).
 */
export const GRAPH_API_VERSION = "v25.0";

/**
 * Graph error codes worth retrying: 1 unknown, 2 temporary/service, 4 app request limit, 17 user request
 * limit, 32 Page request limit, 613 rate limit. HTTP 5xx and network failures (status 0) are retried
 * whatever the code; every other refusal is final.
 */
const RETRYABLE_CODES = new Set([1, 2, 4, 17, 32, 613]);

export class GraphApiError extends Error {
  readonly status: number;
  readonly code: number | null;
  readonly subcode: number | null;
  readonly fbtraceId: string | null;
  /** Transient (rate limit, 5xx, network): the job queue retries it with backoff. */
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    init: {
      status: number;
      code?: number | null;
      subcode?: number | null;
      fbtraceId?: string | null;
      retryable?: boolean;
    },
  ) {
    super(message);
    this.name = "GraphApiError";
    this.status = init.status;
    this.code = init.code ?? null;
    this.subcode = init.subcode ?? null;
    this.fbtraceId = init.fbtraceId ?? null;
    this.retryable =
      init.retryable ??
      (init.status >= 500 ||
        init.status === 0 ||
        (init.code !== null && init.code !== undefined && RETRYABLE_CODES.has(init.code)));
  }

  /** Error 190: the token is invalid or expired — the channel needs re-authorisation. */
  get tokenExpired(): boolean {
    return this.code === 190;
  }

  /**
   * Code 10 with subcode 2018278: sent outside the allowed messaging window. A bare code 10 is a
   * permission refusal (the app may not use the API), not a window problem.
   */
  get outsideWindow(): boolean {
    return this.code === 10 && this.subcode === 2018278;
  }
}

export interface GraphClientOptions {
  baseUrl: string;
  appId?: string | undefined;
  appSecret?: string | undefined;
  /** `FB_LOGIN_CONFIG_ID`: a Facebook Login for Business configuration, used by the Login dialog instead of `scope`. */
  loginConfigId?: string | undefined;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface SendApiResponse {
  recipient_id: string;
  message_id?: string;
}

/** A Page's public description (fields Facebook omits when the Page has none). */
export interface GraphPageMetadata {
  id: string;
  name?: string;
  about?: string;
  category?: string;
  description?: string;
}

export interface GraphPage {
  id: string;
  name: string;
  access_token?: string;
  tasks?: string[];
  category?: string;
}

export interface GraphProfile {
  first_name?: string;
  last_name?: string;
  name?: string;
  profile_pic?: string;
  locale?: string;
  timezone?: number;
}

export const DEFAULT_SUBSCRIBED_FIELDS = [
  "messages",
  "messaging_postbacks",
  "message_deliveries",
  "message_reads",
  "message_echoes",
  "message_reactions",
  "standby",
];

type Query = Record<string, string | number | boolean | undefined>;

export function createGraphClient(options: GraphClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function request<T>(
    method: string,
    path: string,
    init: { token?: string; query?: Query; body?: unknown; form?: FormData } = {},
  ): Promise<T> {
    const url = new URL(`${base}/${GRAPH_API_VERSION}/${path.replace(/^\//, "")}`);
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    if (init.token) url.searchParams.set("access_token", init.token);
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        // A form sets its own multipart content type (with the boundary).
        headers: init.body === undefined ? {} : { "content-type": "application/json" },
        body: init.form ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      const timedOut = (cause as Error).name === "TimeoutError";
      throw new GraphApiError(
        timedOut ? `Graph API timed out after ${timeoutMs} ms` : `Graph API unreachable: ${(cause as Error).message}`,
        {
          status: 0,
          retryable: true,
        },
      );
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok || (body && typeof body === "object" && "error" in body)) {
      const error = (
        body as { error?: { message?: string; code?: number; error_subcode?: number; fbtrace_id?: string } } | null
      )?.error;
      const err = new GraphApiError(error?.message ?? `Graph API answered HTTP ${res.status}`, {
        status: res.status,
        code: error?.code ?? null,
        subcode: error?.error_subcode ?? null,
        fbtraceId: error?.fbtrace_id ?? null,
      });
      const retryAfter = Number(res.headers.get("retry-after"));
      if (Number.isFinite(retryAfter) && retryAfter > 0) Object.assign(err, { retryAfterMs: retryAfter * 1000 });
      throw err;
    }
    return body as T;
  }

  return {
    request,
    /** `GET /{page-id}?fields=id,name` with the Page token. */
    getPage: (pageId: string, token: string) =>
      request<GraphPage>("GET", encodeURIComponent(pageId), { token, query: { fields: "id,name" } }),
    /** `GET /{page-id}?fields=name,about,category,description` with the Page token: what `{facebook_metadata}` says. */
    getPageMetadata: (pageId: string, token: string) =>
      request<GraphPageMetadata>("GET", encodeURIComponent(pageId), {
        token,
        query: { fields: "name,about,category,description" },
      }),
    /** `GET /me` with a token: for a Page token, the Page itself. */
    getMe: (token: string) =>
      request<{ id: string; name: string }>("GET", "me", { token, query: { fields: "id,name" } }),
    subscribeApp: (pageId: string, token: string, fields: string[] = DEFAULT_SUBSCRIBED_FIELDS) =>
      request<{ success: boolean }>("POST", `${encodeURIComponent(pageId)}/subscribed_apps`, {
        token,
        query: { subscribed_fields: fields.join(",") },
      }),
    unsubscribeApp: (pageId: string, token: string) =>
      request<{ success: boolean }>("DELETE", `${encodeURIComponent(pageId)}/subscribed_apps`, { token }),
    /** Pages the user can manage, following `paging.next` (bounded). */
    async listPages(userToken: string): Promise<GraphPage[]> {
      const pages: GraphPage[] = [];
      let after: string | undefined;
      for (let i = 0; i < 20; i++) {
        const res = await request<{ data: GraphPage[]; paging?: { cursors?: { after?: string }; next?: string } }>(
          "GET",
          "me/accounts",
          {
            token: userToken,
            query: { fields: "id,name,access_token,tasks,category", limit: 100, after },
          },
        );
        pages.push(...res.data);
        after = res.paging?.next ? res.paging.cursors?.after : undefined;
        if (!after) break;
      }
      return pages;
    },
    /** OAuth: code → short-lived user token. */
    exchangeCode: (code: string, redirectUri: string) =>
      request<{ access_token: string; expires_in?: number }>("GET", "oauth/access_token", {
        query: { client_id: options.appId, client_secret: options.appSecret, redirect_uri: redirectUri, code },
      }),
    /** Short-lived → long-lived user token. */
    exchangeLongLived: (token: string) =>
      request<{ access_token: string; expires_in?: number }>("GET", "oauth/access_token", {
        query: {
          grant_type: "fb_exchange_token",
          client_id: options.appId,
          client_secret: options.appSecret,
          fb_exchange_token: token,
        },
      }),
    /**
     * The Facebook Login dialog; on the simulator it lives beside the Graph API. With a Facebook Login
     * for Business configuration (`loginConfigId`) the configuration names the permissions, so
     * `config_id` replaces `scope`, and `override_default_response_type` keeps the code flow whatever
     * token type the configuration grants.
     */
    dialogUrl(params: { redirectUri: string; state: string; scope: string[] }): string {
      const host = base === "https://graph.facebook.com" ? "https://www.facebook.com" : base;
      const url = new URL(`${host}/${GRAPH_API_VERSION}/dialog/oauth`);
      url.searchParams.set("client_id", options.appId ?? "");
      url.searchParams.set("redirect_uri", params.redirectUri);
      url.searchParams.set("state", params.state);
      if (options.loginConfigId) {
        url.searchParams.set("config_id", options.loginConfigId);
        url.searchParams.set("response_type", "code");
        url.searchParams.set("override_default_response_type", "true");
      } else {
        url.searchParams.set("scope", params.scope.join(","));
        url.searchParams.set("response_type", "code");
      }
      return url.toString();
    },
    /** User Profile API: name and picture, and `locale` unless left out (it needs its own approval). */
    getProfile: (psid: string, token: string, options: { locale?: boolean } = {}) =>
      request<GraphProfile>("GET", encodeURIComponent(psid), {
        token,
        query: { fields: `first_name,last_name,profile_pic${options.locale === false ? "" : ",locale"}` },
      }),
    /**
     * ID Matching API: the PSIDs an app-scoped user id (Facebook Login's, and the data-deletion
     * callback's `user_id`) has on the Pages of the app's business. Needs the app access token
     * (`{app-id}|{app-secret}`); follows `paging.next` (bounded).
     */
    async idsForPages(appScopedUserId: string): Promise<{ id: string; page: { id: string } }[]> {
      if (!options.appId || !options.appSecret) return [];
      const ids: { id: string; page: { id: string } }[] = [];
      let after: string | undefined;
      for (let i = 0; i < 20; i++) {
        const res = await request<{
          data: { id: string; page: { id: string } }[];
          paging?: { cursors?: { after?: string }; next?: string };
        }>("GET", `${encodeURIComponent(appScopedUserId)}/ids_for_pages`, {
          token: `${options.appId}|${options.appSecret}`,
          query: { limit: 100, after },
        });
        ids.push(...res.data);
        after = res.paging?.next ? res.paging.cursors?.after : undefined;
        if (!after) break;
      }
      return ids;
    },
    /** Send API: `POST /{page-id}/messages`. */
    sendMessage: (pageId: string, token: string, body: Record<string, unknown>) =>
      request<SendApiResponse>("POST", `${encodeURIComponent(pageId)}/messages`, { token, body }),
    /**
     * Send API with a file: `multipart/form-data` with each field JSON-encoded (`recipient`,
     * `message` with `attachment.type` and an empty payload…) and the bytes in `filedata`.
     */
    sendMessageWithFile: (
      pageId: string,
      token: string,
      fields: Record<string, unknown>,
      file: { bytes: Uint8Array; mime: string; name: string },
    ) => {
      const form = new FormData();
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined) form.set(key, typeof value === "string" ? value : JSON.stringify(value));
      }
      form.set("filedata", new Blob([new Uint8Array(file.bytes)], { type: file.mime }), file.name);
      return request<SendApiResponse>("POST", `${encodeURIComponent(pageId)}/messages`, { token, form });
    },
    senderAction: (pageId: string, token: string, psid: string, action: "typing_on" | "typing_off" | "mark_seen") =>
      request<SendApiResponse>("POST", `${encodeURIComponent(pageId)}/messages`, {
        token,
        body: { recipient: { id: psid }, sender_action: action },
      }),
  };
}

export type GraphClient = ReturnType<typeof createGraphClient>;
