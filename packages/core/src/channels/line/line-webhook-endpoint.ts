import type { LineWebhookEndpointResult, LineWebhookTestResult } from "@tandem/contracts";
import { recordAudit } from "../../audit/record-audit.ts";
import { actorRole, type Ctx } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import { assertCan } from "../../policy.ts";
import { markReconnectNeeded } from "../mark-reconnect-needed.ts";
import { lineClients } from "./adapter.ts";
import { LineApiError } from "./errors.ts";
import type { ChannelRow } from "./line-channel-of-chatbot.ts";
import { getLineChannelOfChatbot } from "./line-channel-of-chatbot.ts";
import { lineErrorToDomain, lineWebhookUrl, lineWebhookUrlProblem, readLineSecrets } from "./line-deps.ts";

/**
 * Sets the chatbot's webhook URL on LINE (`PUT /v2/bot/channel/webhook/endpoint`), which also turns
 * "Use webhook" on. LINE refuses anything but https: with an http APP_URL, outside the simulator,
 * the reason is given here instead of LINE's bare 400.
 */
export async function setLineWebhookEndpoint(
  ctx: Ctx,
  input: { chatbotId: string },
): Promise<LineWebhookEndpointResult> {
  const deps = lineClients(ctx);
  assertCan(actorRole(ctx.actor), "channels.manage");
  const channel = await getLineChannelOfChatbot(ctx, input.chatbotId);
  const endpoint = lineWebhookUrl(deps.appUrl, input.chatbotId);
  const problem = lineWebhookUrlProblem(deps, endpoint);
  if (problem) throw new DomainError("line_webhook_requires_https", problem);
  const { channelAccessToken } = readLineSecrets(deps.keyring, channel);
  await withLineToken(ctx, channel, () => deps.line.setWebhookEndpoint(channelAccessToken, endpoint));
  await recordAudit(ctx, {
    action: "channel.set_webhook",
    entityType: "channel",
    entityId: channel.id,
    after: { endpoint },
  });
  return { endpoint, active: true };
}

/**
 * LINE's own test (`POST /v2/bot/channel/webhook/test`): LINE posts an empty, signed delivery to the
 * URL set on it and reports what our endpoint answered. The verdict is returned as LINE gives it.
 */
export async function testLineWebhook(ctx: Ctx, input: { chatbotId: string }): Promise<LineWebhookTestResult> {
  const deps = lineClients(ctx);
  assertCan(actorRole(ctx.actor), "channels.manage");
  const channel = await getLineChannelOfChatbot(ctx, input.chatbotId);
  const { channelAccessToken } = readLineSecrets(deps.keyring, channel);
  const result = await withLineToken(ctx, channel, () => deps.line.testWebhookEndpoint(channelAccessToken));
  return {
    success: result.success,
    timestamp: result.timestamp,
    statusCode: result.statusCode,
    reason: result.reason,
    detail: result.detail,
  };
}

/** A call with the stored token: a 401 marks the channel "reconnect needed"; failures become domain errors. */
async function withLineToken<T>(ctx: Ctx, channel: ChannelRow, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof LineApiError && error.tokenExpired)
      await markReconnectNeeded(ctx.db, channel.id, error.reason);
    throw lineErrorToDomain(error);
  }
}
