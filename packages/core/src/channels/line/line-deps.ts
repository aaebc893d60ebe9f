import { DomainError } from "../../errors.ts";
import { type Keyring, maskSecret } from "../../secrets/keyring.ts";
import type { LineClient } from "./client.ts";
import { LineApiError } from "./errors.ts";

/** What the LINE channel verbs need besides `ctx` (`lineClients(ctx)`): the Messaging API, the keyring, our public URL. */
export interface LineDeps {
  line: LineClient;
  keyring: Keyring;
  appUrl: string;
  /** LINE calls go to the simulator, which accepts http webhook URLs; LINE itself requires https. */
  simulated: boolean;
}

export interface LineSecrets {
  channelSecret: string;
  channelAccessToken: string;
}

/** The encrypted envelope and masked hints of a LINE channel's credentials, as stored on the row. */
export function sealLineSecrets(keyring: Keyring, secrets: LineSecrets) {
  return {
    secretsEncrypted: keyring.encrypt(
      JSON.stringify({ channelSecret: secrets.channelSecret, channelAccessToken: secrets.channelAccessToken }),
    ),
    secretHints: {
      channelSecret: maskSecret(secrets.channelSecret) ?? "••••",
      channelAccessToken: maskSecret(secrets.channelAccessToken) ?? "••••",
    },
  };
}

/** The secret and token of a LINE channel, decrypted. */
export function readLineSecrets(keyring: Keyring, channel: { secretsEncrypted: string | null }): LineSecrets {
  const missing = () =>
    new DomainError("channel_token_missing", "This LINE channel has no stored credentials: configure it again");
  if (!channel.secretsEncrypted) throw missing();
  const secrets = JSON.parse(keyring.decrypt(channel.secretsEncrypted)) as Partial<Record<keyof LineSecrets, unknown>>;
  if (typeof secrets.channelSecret !== "string" || typeof secrets.channelAccessToken !== "string") throw missing();
  return { channelSecret: secrets.channelSecret, channelAccessToken: secrets.channelAccessToken };
}

/** Where LINE delivers a chatbot's events. */
export const lineWebhookUrl = (appUrl: string, chatbotId: string) =>
  `${appUrl}/api/v1/integrations/line/${encodeURIComponent(chatbotId)}/webhook`;

/** Why LINE would refuse `url` as a webhook endpoint (it requires https), or null. */
export function lineWebhookUrlProblem(deps: Pick<LineDeps, "simulated">, url: string): string | null {
  if (deps.simulated || url.startsWith("https://")) return null;
  return `LINE only delivers webhooks to https URLs, and this server's address is ${new URL(url).origin}. Set APP_URL to the public https address of this server (e.g. behind a reverse proxy or a tunnel) and restart it.`;
}

/**
 * A LINE failure with a stored token, as the HTTP API reports it: the token is dead (the channel
 * needs new credentials), LINE is not answering, or LINE refused the request with its reason.
 */
export function lineErrorToDomain(error: unknown): unknown {
  if (!(error instanceof LineApiError)) return error;
  if (error.tokenExpired) {
    return new DomainError(
      "reconnect_needed",
      `LINE rejected the stored channel access token: ${error.message} Issue a new token and update the credentials.`,
      { cause: error },
    );
  }
  if (error.retryable) {
    return new DomainError("platform_unavailable", `LINE is not answering right now: ${error.message}`, {
      cause: error,
    });
  }
  return new DomainError("platform_error", `LINE refused the request: ${error.reason}`, {
    details: { status: error.status, lineRequestId: error.requestId, details: error.details },
    cause: error,
  });
}
