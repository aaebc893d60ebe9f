/**
 * LINE signs every webhook with `x-line-signature` = base64(HMAC-SHA256(channel secret, body)). The
 * HMAC covers the raw bytes as received: a body parsed and serialised again (emoji, spacing, key
 * order) no longer matches (line-bot-sdk-nodejs#922), so this takes the bytes, never parsed JSON.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** 32 bytes in padded base64: 43 characters and one `=`. */
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;

export function verifyLineSignature(
  rawBody: Uint8Array | string,
  signature: string | null | undefined,
  channelSecret: string,
): boolean {
  if (!signature || !channelSecret) return false;
  const trimmed = signature.trim();
  if (!SIGNATURE.test(trimmed)) return false;
  const expected = createHmac("sha256", channelSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(trimmed, "base64"));
}
