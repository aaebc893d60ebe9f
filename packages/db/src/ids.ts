import { randomBytes } from "node:crypto";

/**
 * Prefixed, time-sortable identifiers (`conv_01JD…`): a 48-bit millisecond timestamp followed by
 * 80 random bits, both in Crockford base32. Sorting ids sorts by creation time, which keeps
 * cursor pagination simple, and the prefix makes logs and URLs readable.
 */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export const ID_PREFIXES = {
  workspace: "ws",
  user: "usr",
  session: "ses",
  member: "mem",
  invitation: "inv",
  passwordReset: "pwr",
  apiToken: "tok",
  providerCredential: "cred",
  chatbot: "bot",
  promptVersion: "pv",
  promptGeneration: "pgen",
  channel: "ch",
  contact: "ct",
  conversation: "conv",
  message: "msg",
  inboundEvent: "evt",
  job: "job",
  knowledgeSource: "ks",
  document: "doc",
  chunk: "chk",
  shopifyStore: "shop",
  product: "prod",
  shopifyWebhookEvent: "swh",
  feedback: "fb",
  moderationFlag: "flag",
  auditLog: "aud",
  playgroundSession: "play",
  dataDeletion: "del",
  chatbotTranslation: "tr",
  analyticsDaily: "stat",
  cannedResponse: "cr",
  notification: "ntf",
  chatbotError: "cerr",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

let lastTime = 0;
let lastRandom: number[] = [];

function encodeTime(time: number): string {
  let out = "";
  let t = time;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function randomDigits(): number[] {
  const bytes = randomBytes(16);
  return Array.from({ length: 16 }, (_, i) => (bytes[i] as number) % 32);
}

/** Monotonic within a millisecond: the random part is incremented rather than redrawn. */
function nextRandom(time: number): number[] {
  if (time === lastTime && lastRandom.length === 16) {
    const next = [...lastRandom];
    for (let i = next.length - 1; i >= 0; i--) {
      if ((next[i] as number) < 31) {
        next[i] = (next[i] as number) + 1;
        break;
      }
      next[i] = 0;
    }
    lastRandom = next;
    return next;
  }
  lastTime = time;
  lastRandom = randomDigits();
  return lastRandom;
}

export function newId(kind: IdKind): string {
  const time = Date.now();
  const random = nextRandom(time)
    .map((d) => ALPHABET[d])
    .join("");
  return `${ID_PREFIXES[kind]}_${encodeTime(time)}${random}`;
}
