import type { channels, Db } from "@tandem/db";
import type { Logger } from "../logger.ts";
import { markReconnectNeeded } from "./mark-reconnect-needed.ts";
import type { ChannelRegistry } from "./registry.ts";

type ChannelRow = Pick<
  typeof channels.$inferSelect,
  "id" | "type" | "externalId" | "secretsEncrypted" | "status" | "disconnectedAt"
>;

export interface TypingDeps {
  /** Without adapters (a context that reaches no platform) nothing is shown. */
  channels?: ChannelRegistry | undefined;
  log: Logger;
  /** With it, a rejected token (Graph 190) marks the channel "reconnect needed", as a send would. */
  db?: Db;
}

/**
 * Shows the customer that the bot is writing, from the moment it starts composing (Messenger:
 * `typing_on`, which Messenger clears when the reply arrives or after 20 s), through the channel's
 * adapter. Fire and forget: it never delays or fails the reply, and channels without such an indicator
 * do nothing. A dead token is not only the indicator's problem: given `db`, the channel is marked
 * "reconnect needed" at once.
 */
export function showTyping(
  deps: TypingDeps,
  channel: ChannelRow | null | undefined,
  recipientId: string | null | undefined,
  action: "typing_on" | "typing_off" = "typing_on",
): void {
  if (!channel || !recipientId || channel.disconnectedAt || channel.status !== "active") return;
  const adapter = deps.channels?.find(channel.type);
  if (!adapter?.capabilities.typing || !adapter.showTyping) return;
  const shown = async () => {
    try {
      await adapter.showTyping?.(channel, recipientId, action === "typing_on");
    } catch (err) {
      const classified = adapter.classifyError(err);
      if (classified?.tokenExpired && deps.db) await markReconnectNeeded(deps.db, channel.id, classified.reason);
      throw err;
    }
  };
  void shown().catch((err: unknown) => deps.log.debug({ err, channelId: channel.id }, "typing indicator not shown"));
}
