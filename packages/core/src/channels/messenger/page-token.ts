/** Page tokens of Messenger channels: sealed on connect, read per call, error 190 marks the channel. */
import type { Db } from "@tandem/db";
import { DomainError } from "../../errors.ts";
import { type Keyring, maskSecret } from "../../secrets/keyring.ts";
import { markReconnectNeeded } from "../mark-reconnect-needed.ts";
import { GraphApiError } from "./graph-client.ts";

/** The encrypted envelope and masked hint of a Page token, as stored on the channel row. */
export function sealPageToken(keyring: Keyring, pageAccessToken: string) {
  return {
    secretsEncrypted: keyring.encrypt(JSON.stringify({ pageAccessToken })),
    secretHints: { pageAccessToken: maskSecret(pageAccessToken) ?? "••••" },
  };
}

/** The Page token of a Messenger channel, decrypted. */
export function readPageToken(keyring: Keyring, channel: { secretsEncrypted: string | null }): string {
  if (!channel.secretsEncrypted) {
    throw new DomainError("channel_token_missing", "This channel has no Page access token: connect the Page again");
  }
  const secrets = JSON.parse(keyring.decrypt(channel.secretsEncrypted)) as { pageAccessToken?: unknown };
  if (typeof secrets.pageAccessToken !== "string" || !secrets.pageAccessToken) {
    throw new DomainError("channel_token_missing", "This channel has no Page access token: connect the Page again");
  }
  return secrets.pageAccessToken;
}

/**
 * Runs a Graph call made with a channel's token. Error 190 (invalid or expired token) marks the channel
 * "reconnect needed" before the error goes on, whoever made the call (a route, a job).
 */
export async function withChannelToken<T>(db: Db, channelId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof GraphApiError && error.tokenExpired) await markReconnectNeeded(db, channelId, error.message);
    throw error;
  }
}

/** A Graph failure as the HTTP API reports it: a dead token, a platform outage, or the platform's refusal. */
export function graphErrorToDomain(error: unknown): unknown {
  if (!(error instanceof GraphApiError)) return error;
  if (error.tokenExpired) {
    return new DomainError(
      "reconnect_needed",
      `Facebook rejected the Page token: ${error.message} Connect the Page again.`,
      {
        cause: error,
      },
    );
  }
  if (error.retryable) {
    return new DomainError("platform_unavailable", `Facebook is not answering right now: ${error.message}`, {
      cause: error,
    });
  }
  return new DomainError("platform_error", `Facebook refused the request: ${error.message}`, {
    details: { code: error.code, subcode: error.subcode },
    cause: error,
  });
}
