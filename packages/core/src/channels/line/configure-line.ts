import type { ChannelDto, ConfigureLineInput } from "@tandem/contracts";
import { channels } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../../audit/record-audit.ts";
import { actorRole, type Ctx, withTransaction } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import { assertCan } from "../../policy.ts";
import { loadChannelDto } from "../channel-to-dto.ts";
import { markReconnectNeeded } from "../mark-reconnect-needed.ts";
import { forgetWebhookChannel } from "../webhook-channel-cache.ts";
import { lineClients } from "./adapter.ts";
import type { LineBotInfo } from "./client.ts";
import { LineApiError } from "./errors.ts";
import { findLineChannelOfChatbot, getChatbotForLine, lineChannelIdOf } from "./line-channel-of-chatbot.ts";
import { type LineSecrets, readLineSecrets, sealLineSecrets } from "./line-deps.ts";

export type ConfigureLine = ConfigureLineInput & { chatbotId: string };

/**
 * Connects a LINE Official Account to a chatbot with its Messaging API channel's credentials, or
 * updates the chatbot's LINE channel. The token is checked with LINE's bot info, which also names the
 * channel and gives the bot's user id — the `destination` of its webhooks, hence `external_id`. The
 * secret cannot be checked until a signed webhook arrives; its format is. On an update an omitted
 * secret or token keeps the stored one, and "reconnect needed" is cleared once the token passes.
 * A LINE account is connected once at a time: to one chatbot of one workspace.
 */
export async function configureLine(ctx: Ctx, input: ConfigureLine): Promise<ChannelDto> {
  const deps = lineClients(ctx);
  assertCan(actorRole(ctx.actor), "channels.manage");
  await getChatbotForLine(ctx, input.chatbotId);
  const current = await findLineChannelOfChatbot(ctx, input.chatbotId);
  const stored = current?.secretsEncrypted ? readLineSecrets(deps.keyring, current) : null;
  const channelSecret = input.channelSecret ?? stored?.channelSecret;
  const channelAccessToken = input.channelAccessToken ?? stored?.channelAccessToken;
  if (!channelSecret || !channelAccessToken) {
    throw new DomainError(
      "line_credentials_required",
      "Connecting a LINE channel needs its Channel ID, Channel secret and Channel access token",
      {
        details: [
          ...(channelSecret ? [] : [{ path: "channelSecret", message: "Required" }]),
          ...(channelAccessToken ? [] : [{ path: "channelAccessToken", message: "Required" }]),
        ],
      },
    );
  }

  let bot: LineBotInfo;
  try {
    bot = await deps.line.getBotInfo(channelAccessToken);
  } catch (error) {
    if (error instanceof LineApiError && error.tokenExpired) {
      // The stored token died since it was connected: the channel shows it too.
      if (current && !input.channelAccessToken) await markReconnectNeeded(ctx.db, current.id, error.reason);
      throw new DomainError(
        "invalid_line_token",
        `LINE rejected the channel access token (${error.message}). Copy the long-lived token from the Messaging API tab of the LINE Developers Console, or issue a new one there.`,
      );
    }
    if (error instanceof LineApiError && error.retryable) {
      throw new DomainError("platform_unavailable", `LINE is not answering right now: ${error.message}`, {
        cause: error,
      });
    }
    if (error instanceof LineApiError) {
      throw new DomainError("invalid_line_token", `LINE refused the bot-info check: ${error.reason}`, { cause: error });
    }
    throw error;
  }

  const secrets: LineSecrets = { channelSecret, channelAccessToken };
  let row: typeof channels.$inferSelect;
  try {
    row = await withTransaction(ctx, async (tx) => {
      // Serialises configurations of the same chatbot: one LINE channel per chatbot.
      await getChatbotForLine(tx, input.chatbotId, true);
      const existing = await findLineChannelOfChatbot(tx, input.chatbotId);
      if (existing && existing.externalId !== bot.userId) {
        throw new DomainError(
          "line_account_mismatch",
          `This token belongs to the LINE account "${bot.displayName}" (${bot.basicId}), not to the one connected to this chatbot ("${existing.name}"). Disconnect it first to connect another account.`,
        );
      }
      // Global on purpose: a LINE account belongs to one workspace at a time (unique among connected channels).
      const [holder] = await tx.db
        .select({ id: channels.id, workspaceId: channels.workspaceId })
        .from(channels)
        .where(and(eq(channels.type, "line"), eq(channels.externalId, bot.userId), isNull(channels.disconnectedAt)))
        .limit(1);
      if (holder && holder.id !== existing?.id) {
        throw alreadyConnected(bot, holder.workspaceId === ctx.workspaceId);
      }
      const values = {
        name: bot.displayName,
        ...sealLineSecrets(deps.keyring, secrets),
        config: { ...(existing?.config ?? {}), channelId: input.channelId, basicId: bot.basicId },
        status: "active" as const,
        statusReason: null,
      };
      const [saved] = existing
        ? await tx.db.update(channels).set(values).where(eq(channels.id, existing.id)).returning()
        : await tx.db
            .insert(channels)
            .values({
              ...values,
              workspaceId: ctx.workspaceId,
              chatbotId: input.chatbotId,
              type: "line",
              externalId: bot.userId,
            })
            .returning();
      await recordAudit(tx, {
        action: existing ? "channel.update" : "channel.connect",
        entityType: "channel",
        entityId: saved!.id,
        before: existing ? summary(existing) : null,
        after: {
          ...summary(saved!),
          secretReplaced: Boolean(existing && input.channelSecret && input.channelSecret !== stored?.channelSecret),
          tokenReplaced: Boolean(
            existing && input.channelAccessToken && input.channelAccessToken !== stored?.channelAccessToken,
          ),
        },
      });
      return saved!;
    });
  } catch (error) {
    // Two workspaces connecting the same account at once: the unique index decides.
    if (isUniqueViolation(error)) throw alreadyConnected(bot, false);
    throw error;
  }
  // The webhook verifies with the new secret from its next request.
  forgetWebhookChannel(ctx.db, "line", input.chatbotId);
  return loadChannelDto(ctx.db, row);
}

const summary = (c: typeof channels.$inferSelect) => ({
  type: c.type,
  lineChannelId: lineChannelIdOf(c),
  botUserId: c.externalId,
  name: c.name,
  chatbotId: c.chatbotId,
  status: c.status,
});

const alreadyConnected = (bot: LineBotInfo, sameWorkspace: boolean) =>
  new DomainError(
    "line_already_connected",
    sameWorkspace
      ? `The LINE account "${bot.displayName}" (${bot.basicId}) is already connected to another chatbot of this workspace. Disconnect it there first.`
      : `The LINE account "${bot.displayName}" (${bot.basicId}) is already connected to another workspace. Disconnect it there first.`,
  );

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  return e?.code === "23505" || e?.cause?.code === "23505";
}
