import { createRoute, z } from "@hono/zod-openapi";
import {
  AssignChannelChatbotInput,
  ChannelDto,
  ChannelListQuery,
  ChannelListResponse,
  ConnectMessengerOAuthPagesInput,
  ConnectMessengerOAuthPagesResponse,
  ConnectMessengerPageInput,
  MessengerOAuthPagesQuery,
  MessengerOAuthPagesResponse,
  MessengerWebhookSetup,
  WebhookVerificationTest,
} from "@tandem/contracts";
import {
  assignChannelChatbot,
  completeMessengerOAuth,
  connectMessengerOAuthPages,
  connectMessengerPage,
  DomainError,
  disconnectChannel,
  getChannel,
  getMessengerWebhookSetup,
  listChannels,
  listMessengerOAuthPages,
  messengerOAuthSettings,
  OAUTH_COOKIE_PATH,
  OAUTH_NONCE_COOKIE,
  OAUTH_NONCE_TTL_SECONDS,
  OAUTH_PENDING_COOKIE,
  OAUTH_PENDING_TTL_SECONDS,
  startMessengerOAuth,
  subscribeChannel,
  testWebhookVerification,
  unsubscribeChannel,
} from "@tandem/core";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";
import type { AppEnv } from "../types.ts";

const IdParam = z.object({ id: z.string().min(1).max(64) });

const OAuthCallbackQuery = z.object({
  code: z.string().max(2000).optional(),
  state: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
  error_reason: z.string().max(200).optional(),
});

const redirect = (description: string) => ({ 302: { description } });

/** The OAuth flow is bound to this: the session for the dashboard, the token for an API client. */
function caller(c: Context<AppEnv>) {
  const auth = c.get("auth");
  return { binding: auth.sessionId ? `session:${auth.sessionId}` : `token:${auth.tokenId}` };
}

function setOAuthCookie(c: Context<AppEnv>, name: string, value: string, maxAge: number) {
  setCookie(c, name, value, {
    httpOnly: true,
    // Lax: the cookie comes back on the top-level redirect from facebook.com, like the session cookie.
    sameSite: "Lax",
    secure: c.get("runtime").config.appUrl.startsWith("https://"),
    path: OAUTH_COOKIE_PATH,
    maxAge,
  });
}

export function channelRoutes() {
  const app = createRouter();

  // GET /api/v1/channels — the workspace's channels with status, subscription and webhook health
  app.openapi(
    createRoute({
      method: "get",
      path: "/channels",
      tags: ["channels"],
      ...permit("channels.manage"),
      request: { query: ChannelListQuery },
      responses: { 200: json(ChannelListResponse), ...errors(401, 403) },
    }),
    async (c) => c.json(await listChannels(c.get("ctx"), c.req.valid("query")), 200),
  );

  // GET /api/v1/channels/messenger/webhook — the app-level webhook: callback URL, configuration, unconnected Pages
  app.openapi(
    createRoute({
      method: "get",
      path: "/channels/messenger/webhook",
      tags: ["channels"],
      ...permit("channels.manage"),
      responses: { 200: json(MessengerWebhookSetup), ...errors(401, 403) },
    }),
    async (c) => c.json(await getMessengerWebhookSetup(c.get("ctx"), c.get("runtime")), 200),
  );

  // POST /api/v1/channels/messenger/webhook/verify — Meta's verification handshake, played against the callback URL
  app.openapi(
    createRoute({
      method: "post",
      path: "/channels/messenger/webhook/verify",
      tags: ["channels"],
      ...permit("channels.manage"),
      description:
        'Sends the GET Meta sends on "Verify and save" (hub.mode, hub.verify_token, hub.challenge) to the public callback URL and reports whether the challenge came back. 200 either way; `ok` is the verdict.',
      responses: { 200: json(WebhookVerificationTest), ...errors(401, 403, 409) },
    }),
    async (c) => c.json(await testWebhookVerification(c.get("ctx"), c.get("runtime")), 200),
  );

  // POST /api/v1/channels/messenger/connect — connect a Page by its id and Page access token
  app.openapi(
    createRoute({
      method: "post",
      path: "/channels/messenger/connect",
      tags: ["channels"],
      ...permit("channels.manage"),
      request: jsonBody(ConnectMessengerPageInput),
      responses: { 201: json(ChannelDto, "Connected"), ...errors(400, 401, 403, 404, 409) },
    }),
    async (c) => c.json(await connectMessengerPage(c.get("ctx"), c.req.valid("json")), 201),
  );

  // GET /api/v1/channels/messenger/oauth/start — redirect to Facebook Login (state bound to the session)
  app.openapi(
    createRoute({
      method: "get",
      path: "/channels/messenger/oauth/start",
      tags: ["channels"],
      ...permit("channels.manage"),
      responses: { ...redirect("To the Facebook Login dialog"), ...errors(400, 401, 403) },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      const { url, nonce } = startMessengerOAuth(c.get("ctx"), caller(c), messengerOAuthSettings(runtime));
      setOAuthCookie(c, OAUTH_NONCE_COOKIE, nonce, OAUTH_NONCE_TTL_SECONDS);
      return c.redirect(url, 302);
    },
  );

  // GET /api/v1/channels/messenger/oauth/callback — Facebook Login comes back here; on to page selection
  app.openapi(
    createRoute({
      method: "get",
      path: "/channels/messenger/oauth/callback",
      tags: ["channels"],
      ...permit("channels.manage"),
      request: { query: OAuthCallbackQuery },
      responses: {
        ...redirect("To Settings → Channels, with `oauth=<id>` to pick Pages or `oauthError=<code>`"),
        ...errors(400, 401, 403),
      },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      const query = c.req.valid("query");
      const settingsUrl = new URL(`${runtime.config.appUrl}/settings/channels`);
      let result: { id: string; cookie: string };
      try {
        result = await completeMessengerOAuth(
          c.get("ctx"),
          caller(c),
          {
            code: query.code,
            state: query.state,
            error: query.error,
            errorDescription: query.error_description,
            nonceCookie: getCookie(c, OAUTH_NONCE_COOKIE),
          },
          messengerOAuthSettings(runtime),
        );
      } catch (error) {
        // A forged or stale state is answered as an error; a refusal or a Facebook failure goes back to the page.
        if (!(error instanceof DomainError) || error.code === "oauth_state_mismatch") throw error;
        deleteCookie(c, OAUTH_NONCE_COOKIE, { path: OAUTH_COOKIE_PATH });
        settingsUrl.searchParams.set("oauthError", error.code);
        return c.redirect(settingsUrl.toString(), 302);
      }
      deleteCookie(c, OAUTH_NONCE_COOKIE, { path: OAUTH_COOKIE_PATH });
      setOAuthCookie(c, OAUTH_PENDING_COOKIE, result.cookie, OAUTH_PENDING_TTL_SECONDS);
      settingsUrl.searchParams.set("oauth", result.id);
      return c.redirect(settingsUrl.toString(), 302);
    },
  );

  // GET /api/v1/channels/messenger/oauth/pages — the Pages of the Facebook Login result (no tokens)
  app.openapi(
    createRoute({
      method: "get",
      path: "/channels/messenger/oauth/pages",
      tags: ["channels"],
      ...permit("channels.manage"),
      request: { query: MessengerOAuthPagesQuery },
      responses: { 200: json(MessengerOAuthPagesResponse), ...errors(400, 401, 403) },
    }),
    async (c) => {
      const ref = { ...caller(c), oauth: c.req.valid("query").oauth, cookie: getCookie(c, OAUTH_PENDING_COOKIE) };
      return c.json(await listMessengerOAuthPages(c.get("ctx"), ref), 200);
    },
  );

  // POST /api/v1/channels/messenger/oauth/connect — connect the Pages the admin picked
  app.openapi(
    createRoute({
      method: "post",
      path: "/channels/messenger/oauth/connect",
      tags: ["channels"],
      ...permit("channels.manage"),
      request: jsonBody(ConnectMessengerOAuthPagesInput),
      responses: { 200: json(ConnectMessengerOAuthPagesResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const ref = { ...caller(c), cookie: getCookie(c, OAUTH_PENDING_COOKIE) };
      return c.json(await connectMessengerOAuthPages(c.get("ctx"), ref, c.req.valid("json")), 200);
    },
  );

  // GET /api/v1/channels/{id} — one channel of the workspace
  app.openapi(
    createRoute({
      method: "get",
      path: "/channels/{id}",
      tags: ["channels"],
      ...permit("channels.manage"),
      request: { params: IdParam },
      responses: { 200: json(ChannelDto), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await getChannel(c.get("ctx"), c.req.valid("param").id), 200),
  );

  // PATCH /api/v1/channels/{id} — name the chatbot that answers the channel (null: none, people reply)
  app.openapi(
    createRoute({
      method: "patch",
      path: "/channels/{id}",
      tags: ["channels"],
      ...permit("channels.manage"),
      request: { params: IdParam, ...jsonBody(AssignChannelChatbotInput) },
      responses: { 200: json(ChannelDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(await assignChannelChatbot(c.get("ctx"), c.req.valid("param").id, c.req.valid("json").chatbotId), 200),
  );

  // POST /api/v1/channels/{id}/subscribe — subscribe the app to the Page's webhook (subscribed_apps)
  app.openapi(
    createRoute({
      method: "post",
      path: "/channels/{id}/subscribe",
      tags: ["channels"],
      ...permit("channels.manage"),
      request: { params: IdParam },
      responses: { 200: json(ChannelDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) => c.json(await subscribeChannel(c.get("ctx"), c.req.valid("param").id), 200),
  );

  // POST /api/v1/channels/{id}/unsubscribe — stop the Page's webhook; the channel stays connected
  app.openapi(
    createRoute({
      method: "post",
      path: "/channels/{id}/unsubscribe",
      tags: ["channels"],
      ...permit("channels.manage"),
      request: { params: IdParam },
      responses: { 200: json(ChannelDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) => c.json(await unsubscribeChannel(c.get("ctx"), c.req.valid("param").id), 200),
  );

  // DELETE /api/v1/channels/{id} — disconnect: unsubscribe (best effort), wipe the token, keep the history
  app.openapi(
    createRoute({
      method: "delete",
      path: "/channels/{id}",
      tags: ["channels"],
      ...permit("channels.manage"),
      request: { params: IdParam },
      responses: { 204: { description: "Disconnected" }, ...errors(401, 403, 404) },
    }),
    async (c) => {
      await disconnectChannel(c.get("ctx"), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  return app;
}
