import type { ChannelDto, ConnectMessengerPageInput } from "@tandem/contracts";
import { channels, chatbots } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../../audit/record-audit.ts";
import { actorRole, type Ctx, withTransaction } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import { assertCan } from "../../policy.ts";
import { loadChannelDto } from "../channel-to-dto.ts";
import { getChannelInWorkspace } from "../get-channel-in-workspace.ts";
import { messengerClients } from "./adapter.ts";
import { GraphApiError, type GraphClient } from "./graph-client.ts";
import { graphErrorToDomain, sealPageToken } from "./page-token.ts";
import { refreshPageMetadata } from "./refresh-page-metadata.ts";
import { subscribeLoadedChannel } from "./subscribe.ts";

/**
 * Connecting a Facebook Page by its id and a Page access token pasted by an admin (the OAuth flow
 * ends here too, with tokens from `/me/accounts`). The token must open the Page (`GET /{page-id}`)
 * and be the Page's own token (`GET /me` answers the Page for a Page token, the person for a user
 * token). A Page is connected to one workspace at a time; connecting it again in the same workspace
 * replaces the token and clears "reconnect needed". The app is then subscribed to the Page's webhook.
 */
export async function connectMessengerPage(ctx: Ctx, input: ConnectMessengerPageInput): Promise<ChannelDto> {
  const deps = messengerClients(ctx);
  assertCan(actorRole(ctx.actor), "channels.manage");
  const page = await verifyPageToken(deps.graph, input.pageId, input.pageAccessToken);
  return connectVerifiedPage(ctx, {
    pageId: input.pageId,
    name: input.pageName ?? page.name,
    pageAccessToken: input.pageAccessToken,
    chatbotId: input.chatbotId,
  });
}

/** Checks that `token` is the Page access token of `pageId`; a refusal is `invalid_page_token` with Facebook's words. */
export async function verifyPageToken(graph: GraphClient, pageId: string, token: string) {
  let page: { id: string; name: string };
  let me: { id: string; name?: string };
  try {
    [page, me] = await Promise.all([graph.getPage(pageId, token), graph.getMe(token)]);
  } catch (error) {
    if (error instanceof GraphApiError && !error.retryable) {
      throw new DomainError("invalid_page_token", `Facebook rejected this Page access token: ${error.message}`, {
        details: { code: error.code, subcode: error.subcode },
      });
    }
    throw graphErrorToDomain(error);
  }
  if (me.id !== pageId || page.id !== pageId) {
    throw new DomainError(
      "invalid_page_token",
      `This is not a Page access token of Page ${pageId}: it belongs to ${me.name ? `"${me.name}" (${me.id})` : me.id}. Use the token of the Page itself.`,
    );
  }
  return page;
}

export interface VerifiedPage {
  pageId: string;
  name: string;
  pageAccessToken: string;
  chatbotId?: string | undefined;
}

/** Stores the channel (new, or the same workspace's existing one) and subscribes the app to the Page. */
export async function connectVerifiedPage(ctx: Ctx, page: VerifiedPage): Promise<ChannelDto> {
  const deps = messengerClients(ctx);
  const chatbotId = page.chatbotId ? await chatbotInWorkspace(ctx, page.chatbotId) : undefined;
  let row: typeof channels.$inferSelect;
  try {
    row = await withTransaction(ctx, async (tx) => {
      // Global on purpose: a Page belongs to one workspace at a time (unique index among connected channels).
      const [existing] = await tx.db
        .select()
        .from(channels)
        .where(
          and(eq(channels.type, "messenger"), eq(channels.externalId, page.pageId), isNull(channels.disconnectedAt)),
        )
        .for("update")
        .limit(1);
      if (existing && existing.workspaceId !== ctx.workspaceId) throw alreadyConnected(page.pageId);
      const values = {
        name: page.name,
        ...sealPageToken(deps.keyring, page.pageAccessToken),
        status: "active" as const,
        statusReason: null,
        chatbotId: chatbotId ?? existing?.chatbotId ?? (await defaultChatbotId(tx)),
      };
      const [saved] = existing
        ? await tx.db.update(channels).set(values).where(eq(channels.id, existing.id)).returning()
        : await tx.db
            .insert(channels)
            .values({ ...values, workspaceId: ctx.workspaceId, type: "messenger", externalId: page.pageId })
            .returning();
      await recordAudit(tx, {
        action: "channel.connect",
        entityType: "channel",
        entityId: saved!.id,
        before: existing ? summary(existing) : null,
        after: summary(saved!),
      });
      return saved!;
    });
  } catch (error) {
    // Two workspaces connecting the same Page at once: the unique index decides.
    if (isUniqueViolation(error)) throw alreadyConnected(page.pageId);
    throw error;
  }

  // The Page's name, about and category for `{facebook_metadata}`: read in the background.
  await ctx.queue
    ?.enqueue(refreshPageMetadata, { channelId: row.id }, { workspaceId: ctx.workspaceId })
    .catch((err) => ctx.log.warn({ err, channelId: row.id }, "could not enqueue reading the Page's metadata"));

  try {
    return await subscribeLoadedChannel(ctx, row);
  } catch (error) {
    // The Page is connected; the subscription can be retried with POST /channels/{id}/subscribe.
    if (!(error instanceof DomainError)) throw error;
    ctx.log.warn({ err: error, channelId: row.id }, "connected a Page but could not subscribe the app");
    if (error.code !== "reconnect_needed") {
      await ctx.db
        .update(channels)
        .set({ statusReason: `Subscribing the app to the Page failed: ${error.message}` })
        .where(and(eq(channels.id, row.id), eq(channels.workspaceId, ctx.workspaceId)));
    }
    return loadChannelDto(ctx.db, await getChannelInWorkspace(ctx, row.id));
  }
}

const summary = (c: typeof channels.$inferSelect) => ({
  pageId: c.externalId,
  name: c.name,
  chatbotId: c.chatbotId,
  status: c.status,
});

const alreadyConnected = (pageId: string) =>
  new DomainError(
    "page_already_connected",
    `Page ${pageId} is already connected to another workspace. Disconnect it there first.`,
  );

async function chatbotInWorkspace(ctx: Ctx, chatbotId: string): Promise<string> {
  const [bot] = await ctx.db
    .select({ id: chatbots.id })
    .from(chatbots)
    .where(and(eq(chatbots.id, chatbotId), eq(chatbots.workspaceId, ctx.workspaceId), isNull(chatbots.deletedAt)))
    .limit(1);
  if (!bot) throw new DomainError("chatbot_not_found", "Chatbot not found");
  return bot.id;
}

async function defaultChatbotId(ctx: Ctx): Promise<string | null> {
  const [bot] = await ctx.db
    .select({ id: chatbots.id })
    .from(chatbots)
    .where(and(eq(chatbots.workspaceId, ctx.workspaceId), eq(chatbots.isDefault, true), isNull(chatbots.deletedAt)))
    .limit(1);
  return bot?.id ?? null;
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  return e?.code === "23505" || e?.cause?.code === "23505";
}
