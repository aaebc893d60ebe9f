import type { LineQuotaView, LineStatus, LineTokenState, LineWebhookView } from "@tandem/contracts";
import { actorRole, type Ctx } from "../../context.ts";
import { assertCan } from "../../policy.ts";
import { loadChannelDto } from "../channel-to-dto.ts";
import { getChannelInWorkspace } from "../get-channel-in-workspace.ts";
import { markReconnectNeeded } from "../mark-reconnect-needed.ts";
import { lineClients } from "./adapter.ts";
import { LineApiError } from "./errors.ts";
import { findLineChannelOfChatbot, getChatbotForLine, lineChannelIdOf } from "./line-channel-of-chatbot.ts";
import { lineWebhookUrl, lineWebhookUrlProblem, readLineSecrets } from "./line-deps.ts";

/**
 * The chatbot's LINE channel as the dashboard shows it: the row's status and webhook counters, and
 * live checks against LINE made in parallel — the token (bot info; a 401 marks the channel
 * "reconnect needed"), the webhook URL LINE has against the one we expect, and this month's push
 * quota and consumption. A check LINE does not answer is reported unavailable on its own.
 */
export async function lineStatus(ctx: Ctx, input: { chatbotId: string }): Promise<LineStatus> {
  const deps = lineClients(ctx);
  assertCan(actorRole(ctx.actor), "channels.manage");
  await getChatbotForLine(ctx, input.chatbotId);
  const channel = await findLineChannelOfChatbot(ctx, input.chatbotId);
  const expectedUrl = lineWebhookUrl(deps.appUrl, input.chatbotId);
  const webhook: LineWebhookView = {
    expectedUrl,
    problem: lineWebhookUrlProblem(deps, expectedUrl),
    line: null,
    error: null,
  };
  const checkedAt = new Date().toISOString();
  if (!channel) {
    return {
      chatbotId: input.chatbotId,
      connected: false,
      channel: null,
      lineChannelId: null,
      botUserId: null,
      basicId: null,
      token: null,
      webhook,
      quota: null,
      quotaError: null,
      checkedAt,
    };
  }

  const { channelAccessToken: token } = readLineSecrets(deps.keyring, channel);
  const [info, endpoint, quota, consumption] = await Promise.allSettled([
    deps.line.getBotInfo(token),
    deps.line.getWebhookEndpoint(token),
    deps.line.getQuota(token),
    deps.line.getQuotaConsumption(token),
  ]);

  let tokenState: LineTokenState;
  if (info.status === "fulfilled") {
    tokenState = { state: "valid", message: null };
  } else if (info.reason instanceof LineApiError && info.reason.tokenExpired) {
    await markReconnectNeeded(ctx.db, channel.id, info.reason.reason);
    tokenState = { state: "rejected", message: info.reason.reason };
  } else {
    tokenState = { state: "unavailable", message: failure(info.reason) };
  }

  if (endpoint.status === "fulfilled") {
    const set = endpoint.value.endpoint || null;
    webhook.line = { endpoint: set, active: endpoint.value.active, matches: set === expectedUrl };
  } else {
    webhook.error = failure(endpoint.reason);
  }

  let quotaView: LineQuotaView | null = null;
  let quotaError: string | null = null;
  if (quota.status === "fulfilled" && consumption.status === "fulfilled") {
    quotaView = {
      limit: quota.value.type === "limited" ? quota.value.value : null,
      used: consumption.value.totalUsage,
    };
  } else {
    quotaError = failure(quota.status === "rejected" ? quota.reason : (consumption as PromiseRejectedResult).reason);
  }

  const fresh = tokenState.state === "rejected" ? await getChannelInWorkspace(ctx, channel.id) : channel;
  return {
    chatbotId: input.chatbotId,
    connected: true,
    channel: await loadChannelDto(ctx.db, fresh),
    lineChannelId: lineChannelIdOf(channel),
    botUserId: channel.externalId,
    basicId:
      info.status === "fulfilled" ? info.value.basicId : ((channel.config.basicId as string | undefined) ?? null),
    token: tokenState,
    webhook,
    quota: quotaView,
    quotaError,
    checkedAt,
  };
}

/** What the dashboard shows for a check LINE did not answer. */
function failure(error: unknown): string {
  if (error instanceof LineApiError) {
    return error.retryable ? `LINE is not answering right now (${error.message})` : error.reason;
  }
  throw error;
}
