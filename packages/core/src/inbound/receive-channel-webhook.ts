/**
 * A per-channel webhook (LINE's `/api/v1/integrations/line/{chatbotId}/webhook`): the URL names the
 * chatbot, whose connected channel of that type supplies the secret (`inbound.secretOf`), then the
 * shared inbound store verifies, stores and answers. Unknown chatbot or no such channel: 404 and
 * nothing stored; a bad signature: 401, counted on the channel (rate-limited). The channel and its
 * secret are remembered for a few seconds (`webhook-channel-cache.ts`, which says why that is safe).
 */
import type { ChannelType } from "../channels/adapter.ts";
import type { ChannelRegistry } from "../channels/registry.ts";
import { webhookChannelCache } from "../channels/webhook-channel-cache.ts";
import { DomainError } from "../errors.ts";
import { type InboundDeps, type ReceiveInboundResult, receiveInbound } from "./store.ts";

export interface ReceiveChannelWebhookInput {
  type: ChannelType;
  chatbotId: string;
  rawBody: Uint8Array;
  header(name: string): string | undefined;
  sourceAddress?: string | undefined;
}

export async function receiveChannelWebhook(
  deps: InboundDeps & { channels: ChannelRegistry },
  input: ReceiveChannelWebhookInput,
): Promise<ReceiveInboundResult> {
  const adapter = deps.channels.get(input.type);
  const secretOf = adapter.inbound?.secretOf;
  if (!secretOf) throw new DomainError("channel_not_supported", `${input.type} has no per-channel webhook`);
  const cache = webhookChannelCache(deps.db);
  const found = await cache.get(deps.db, input.type, input.chatbotId, secretOf);
  if (!found) throw new DomainError("channel_not_found", `No ${input.type} channel is connected for this chatbot`);
  let channel = found.value;
  // A remembered secret that no longer verifies may have been replaced since: read it again before the 401.
  if (found.cached && !adapter.inbound?.verify({ rawBody: input.rawBody, header: input.header }, channel.secret)) {
    const fresh = await cache.read(deps.db, input.type, input.chatbotId, secretOf);
    if (!fresh) throw new DomainError("channel_not_found", `No ${input.type} channel is connected for this chatbot`);
    channel = fresh;
  }
  return receiveInbound(deps, adapter, {
    rawBody: input.rawBody,
    header: input.header,
    secret: channel.secret,
    channelId: channel.channelId,
    sourceAddress: input.sourceAddress,
  });
}
