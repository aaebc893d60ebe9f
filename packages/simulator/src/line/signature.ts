import { createHmac } from "node:crypto";

/** The `x-line-signature` value: base64(HMAC-SHA256(channel secret, the exact body bytes)). */
export function signLineBody(channelSecret: string, body: string | Uint8Array): string {
  return createHmac("sha256", channelSecret).update(body).digest("base64");
}
