import { randomBytes } from "node:crypto";
import type {
  ConnectMessengerOAuthPagesInput,
  ConnectMessengerOAuthPagesResponse,
  MessengerOAuthPagesResponse,
} from "@tandem/contracts";
import { channels } from "@tandem/db";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { hmac, safeEqual, sha256 } from "../../auth/crypto.ts";
import type { Config } from "../../config.ts";
import { actorRole, type Ctx } from "../../context.ts";
import { DomainError, isDomainError } from "../../errors.ts";
import { assertCan } from "../../policy.ts";
import { type MessengerClients, messengerClients } from "./adapter.ts";
import { connectVerifiedPage } from "./connect-page.ts";
import type { GraphPage } from "./graph-client.ts";
import { graphErrorToDomain } from "./page-token.ts";

/**
 * Connecting Pages with Facebook Login, in four steps:
 *
 * 1. `start` → 302 to the Login dialog. `state` is bound to the caller's session: a random nonce goes
 *    into a short-lived httpOnly cookie and `state = nonce.HMAC(AUTH_SECRET, binding + nonce)`, so a
 *    callback is accepted only in the browser *and* the session that started it (login CSRF and
 *    code injection fail).
 * 2. `callback` checks both, exchanges the code for a user token and that for a long-lived one.
 * 3. The admin picks Pages (`pages`), 4. and connects them (`connect`).
 *
 * Between 2 and 4 the Login result waits **in an encrypted httpOnly cookie** (keyring AES-GCM, path
 * limited to the OAuth routes, 15 minutes, bound to the session and the workspace, named by a random
 * id that must match the `oauth` parameter). It holds the long-lived *user* token rather than the list
 * of Pages with their tokens: a Page token is derived from that user token by `/me/accounts` at the
 * moment it is needed, and one user token fits a cookie however many Pages the person manages (30
 * Page tokens would not). Nothing is kept in process memory, so any web process of a scaled
 * deployment can serve any step, and nothing stays in the database once the flow is abandoned.
 */
export const MESSENGER_OAUTH_SCOPES = ["pages_show_list", "pages_messaging", "pages_manage_metadata"];
export const OAUTH_NONCE_COOKIE = "tandem_fb_oauth_state";
export const OAUTH_PENDING_COOKIE = "tandem_fb_oauth";
/** Both cookies are sent only to the OAuth routes. */
export const OAUTH_COOKIE_PATH = "/api/v1/channels/messenger/oauth";
export const OAUTH_NONCE_TTL_SECONDS = 10 * 60;
export const OAUTH_PENDING_TTL_SECONDS = 15 * 60;

export interface MessengerOAuthSettings {
  appUrl: string;
  authSecret: string;
  appId: string | undefined;
  appSecret: string | undefined;
}

export const messengerOAuthSettings = (runtime: {
  config: Pick<Config, "appUrl" | "facebook">;
  authSecret: string;
}): MessengerOAuthSettings => ({
  appUrl: runtime.config.appUrl,
  authSecret: runtime.authSecret,
  appId: runtime.config.facebook.appId,
  appSecret: runtime.config.facebook.appSecret,
});

export const messengerOAuthRedirectUri = (appUrl: string) => `${appUrl}/api/v1/channels/messenger/oauth/callback`;

/** Who the flow belongs to: the session id for the dashboard, the token id for an API token. */
export interface OAuthCaller {
  binding: string;
}

const stateMac = (settings: MessengerOAuthSettings, binding: string, nonce: string) =>
  hmac(settings.authSecret, `messenger-oauth:${binding}:${nonce}`);

function assertAppConfigured(settings: MessengerOAuthSettings) {
  if (!settings.appId || !settings.appSecret) {
    throw new DomainError(
      "facebook_app_not_configured",
      "Facebook Login needs FB_APP_ID and FB_APP_SECRET; set them, or connect a Page with its id and token",
    );
  }
}

/** Step 1: the Login dialog URL and the nonce the caller keeps in its cookie. */
export function startMessengerOAuth(
  ctx: Ctx,
  caller: OAuthCaller,
  settings: MessengerOAuthSettings,
): { url: string; nonce: string } {
  assertCan(actorRole(ctx.actor), "channels.manage");
  assertAppConfigured(settings);
  const nonce = randomBytes(16).toString("base64url");
  const url = messengerClients(ctx).graph.dialogUrl({
    redirectUri: messengerOAuthRedirectUri(settings.appUrl),
    state: `${nonce}.${stateMac(settings, caller.binding, nonce)}`,
    scope: MESSENGER_OAUTH_SCOPES,
  });
  return { url, nonce };
}

export interface OAuthCallbackInput {
  code?: string | undefined;
  state?: string | undefined;
  /** Set by Facebook when the person cancels or refuses. */
  error?: string | undefined;
  errorDescription?: string | undefined;
  /** The nonce cookie set by step 1. */
  nonceCookie: string | undefined;
}

/** Step 2: checks `state`, exchanges the code; returns the id and the sealed cookie of the pending result. */
export async function completeMessengerOAuth(
  ctx: Ctx,
  caller: OAuthCaller,
  input: OAuthCallbackInput,
  settings: MessengerOAuthSettings,
): Promise<{ id: string; cookie: string }> {
  assertCan(actorRole(ctx.actor), "channels.manage");
  const [nonce = "", mac = ""] = (input.state ?? "").split(".");
  const expected = stateMac(settings, caller.binding, nonce);
  if (!nonce || !input.nonceCookie || !safeEqual(nonce, input.nonceCookie) || !safeEqual(mac, expected)) {
    throw new DomainError(
      "oauth_state_mismatch",
      "This Facebook Login answer does not belong to your session. Start again from Settings → Channels.",
    );
  }
  if (input.error) {
    throw new DomainError("oauth_denied", input.errorDescription || "Facebook Login was cancelled");
  }
  if (!input.code) throw new DomainError("oauth_denied", "Facebook Login returned no authorisation code");
  assertAppConfigured(settings);
  const deps = messengerClients(ctx);

  let userToken: string;
  try {
    const short = await deps.graph.exchangeCode(input.code, messengerOAuthRedirectUri(settings.appUrl));
    userToken = (await deps.graph.exchangeLongLived(short.access_token)).access_token;
  } catch (error) {
    throw oauthGraphError(error);
  }
  const pending: PendingOAuth = {
    id: randomBytes(12).toString("base64url"),
    workspaceId: ctx.workspaceId,
    binding: sha256(caller.binding),
    userToken,
    expiresAt: Date.now() + OAUTH_PENDING_TTL_SECONDS * 1000,
  };
  return { id: pending.id, cookie: deps.keyring.encrypt(JSON.stringify(pending)) };
}

interface PendingOAuth {
  id: string;
  workspaceId: string;
  /** SHA-256 of the caller binding, so the cookie works only in the session that made it. */
  binding: string;
  userToken: string;
  expiresAt: number;
}

export interface PendingOAuthRef extends OAuthCaller {
  /** The `oauth` id from the callback redirect. */
  oauth: string;
  /** The pending cookie set by step 2. */
  cookie: string | undefined;
}

function openPending(ctx: Ctx, ref: PendingOAuthRef, deps: MessengerClients): PendingOAuth {
  const expired = new DomainError(
    "oauth_session_expired",
    "This Facebook Login result has expired or belongs to another session. Start again from Settings → Channels.",
  );
  if (!ref.cookie) throw expired;
  let pending: PendingOAuth;
  try {
    pending = JSON.parse(deps.keyring.decrypt(ref.cookie)) as PendingOAuth;
  } catch {
    throw expired;
  }
  const matches =
    safeEqual(pending.id ?? "", ref.oauth) &&
    pending.workspaceId === ctx.workspaceId &&
    safeEqual(pending.binding ?? "", sha256(ref.binding)) &&
    typeof pending.userToken === "string" &&
    pending.expiresAt > Date.now();
  if (!matches) throw expired;
  return pending;
}

async function pagesOf(pending: PendingOAuth, deps: MessengerClients): Promise<GraphPage[]> {
  try {
    return await deps.graph.listPages(pending.userToken);
  } catch (error) {
    throw oauthGraphError(error);
  }
}

/** Step 3: the Pages the person manages, and whether each is already connected here. No tokens. */
export async function listMessengerOAuthPages(ctx: Ctx, ref: PendingOAuthRef): Promise<MessengerOAuthPagesResponse> {
  const deps = messengerClients(ctx);
  assertCan(actorRole(ctx.actor), "channels.manage");
  const pages = await pagesOf(openPending(ctx, ref, deps), deps);
  const connected = new Set(
    pages.length === 0
      ? []
      : (
          await ctx.db
            .select({ externalId: channels.externalId })
            .from(channels)
            .where(
              and(
                eq(channels.workspaceId, ctx.workspaceId),
                eq(channels.type, "messenger"),
                isNull(channels.disconnectedAt),
                inArray(
                  channels.externalId,
                  pages.map((p) => p.id),
                ),
              ),
            )
        ).map((r) => r.externalId),
  );
  return { data: pages.map((p) => ({ id: p.id, name: p.name, connected: connected.has(p.id) })) };
}

/** Step 4: connects the chosen Pages with their Page tokens; each Page succeeds or fails on its own. */
export async function connectMessengerOAuthPages(
  ctx: Ctx,
  ref: OAuthCaller & { cookie: string | undefined },
  input: ConnectMessengerOAuthPagesInput,
): Promise<ConnectMessengerOAuthPagesResponse> {
  const deps = messengerClients(ctx);
  assertCan(actorRole(ctx.actor), "channels.manage");
  const pages = await pagesOf(openPending(ctx, { ...ref, oauth: input.oauth }, deps), deps);
  const result: ConnectMessengerOAuthPagesResponse = { data: [], errors: [] };
  for (const pageId of new Set(input.pageIds)) {
    const page = pages.find((p) => p.id === pageId);
    if (!page?.access_token) {
      result.errors.push({
        pageId,
        code: "page_not_found",
        message: "This Page is not among the Pages your Facebook account granted to the app",
      });
      continue;
    }
    try {
      result.data.push(
        await connectVerifiedPage(ctx, {
          pageId,
          name: page.name,
          pageAccessToken: page.access_token,
          chatbotId: input.chatbotId,
        }),
      );
    } catch (error) {
      if (!isDomainError(error)) throw error;
      result.errors.push({ pageId, code: error.code, message: error.message });
    }
  }
  return result;
}

function oauthGraphError(error: unknown): unknown {
  const mapped = graphErrorToDomain(error);
  if (isDomainError(mapped) && mapped.code !== "platform_unavailable") {
    return new DomainError("oauth_failed", `Facebook Login failed: ${(error as Error).message}`, { cause: error });
  }
  return mapped;
}
