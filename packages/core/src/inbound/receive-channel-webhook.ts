/**
 * A per-channel webhook (LINE's `/api/v1/integrations/line/{chatbotId}/webhook`): the URL names the
 * chatbot, whose connected channel of that type supplies the secret (`inbound.secretOf`), then the
 * shared inbound store verifies, stores and answers. Unknown chatbot or no such channel: 404 and
 * nothing stored; a bad signature: 401, counted on the channel (rate-limited).
 */
import { channels } from "@tandem/db";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { ChannelType } from "../channels/adapter.ts";
import type { ChannelRegistry } from "../channels/registry.ts";
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
  const [channel] = await deps.db
    .select()
    .from(channels)
    .where(and(eq(channels.chatbotId, input.chatbotId), eq(channels.type, input.type), isNull(channels.disconnectedAt)))
    .orderBy(asc(channels.createdAt))
    .limit(1);
  if (!channel) throw new DomainError("channel_not_found", `No ${input.type} channel is connected for this chatbot`);
  return receiveInbound(deps, adapter, {
    rawBody: input.rawBody,
    header: input.header,
    secret: secretOf(channel),
    channelId: channel.id,
    sourceAddress: input.sourceAddress,
  });
}
