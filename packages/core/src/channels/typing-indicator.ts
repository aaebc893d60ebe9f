import type { channels, Db } from "@tandem/db";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { Keyring } from "../secrets/keyring.ts";
import { messengerDeps, readPageToken, withChannelToken } from "./messenger/messenger-deps.ts";

type ChannelRow = Pick<
  typeof channels.$inferSelect,
  "id" | "type" | "externalId" | "secretsEncrypted" | "status" | "disconnectedAt"
>;

export interface TypingDeps {
  config: Partial<Pick<Config, "facebook">>;
  keyring: Keyring;
  log: Logger;
  /** With it, a rejected Page token (error 190) marks the channel "reconnect needed", as a send would. */
  db?: Db;
}

/**
 * Shows the customer that the bot is writing, from the moment it starts composing (Messenger:
 * `typing_on`, which Messenger clears when the reply arrives or after 20 s). Fire and forget: it never
 * delays or fails the reply, and channels without such an indicator do nothing. A dead Page token
 * (190) is not only the indicator's problem: given `db`, the channel is marked "reconnect needed" at once.
 */
export function showTyping(
  deps: TypingDeps,
  channel: ChannelRow | null | undefined,
  recipientId: string | null | undefined,
  action: "typing_on" | "typing_off" = "typing_on",
): void {
  if (!channel || !recipientId || channel.disconnectedAt || channel.status !== "active") return;
  if (channel.type !== "messenger" || !channel.externalId || !deps.config.facebook) return;
  let token: string;
  try {
    token = readPageToken(deps.keyring, channel);
  } catch {
    return;
  }
  const { graph } = messengerDeps({ config: { facebook: deps.config.facebook }, keyring: deps.keyring });
  const pageId = channel.externalId;
  const call = () => graph.senderAction(pageId, token, recipientId, action);
  void (deps.db ? withChannelToken(deps.db, channel.id, call) : call()).catch((err: unknown) =>
    deps.log.debug({ err, channelId: channel.id }, "typing indicator not shown"),
  );
}
