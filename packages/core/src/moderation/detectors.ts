/**
 * The moderation detectors, as pure functions over a message's text (docs/moderation.md). They run
 * where messages are stored (`flag-stored-message.ts`) and must stay cheap: a handful of regular
 * expressions, no model call. Profanity reuses the guardrails' word lists (`bots/guardrails.ts`).
 *
 * - Prompt injection (customer messages): a short list of phrasings that try to override the bot's
 *   instructions, in English and Thai, each with the confidence it deserves — "ignore all previous
 *   instructions" is unambiguous, "pretend you are" is often innocent.
 * - Personal data (bot answers): card numbers (13–19 digits, spaces or dashes allowed, Luhn-checked),
 *   e-mail addresses, phone numbers (international `+…`, or Thai `0x…` with 9–10 digits) and Thai
 *   national ids (13 digits with their check digit). A bot should never hand these out; an order
 *   number of the same length fails the checksum and is left alone. The shop's own phone numbers and
 *   addresses (the workspace's allow-list, `ContactAllowList`) are not personal data.
 */

export interface Detection {
  /** What matched, for the flag's reason (personal data is masked). */
  reason: string;
  confidence: number;
}

// ---- prompt injection ---------------------------------------------------------------------------

interface InjectionPattern {
  name: string;
  pattern: RegExp;
  confidence: number;
}

/**
 * Matched on the text lower-cased with whitespace collapsed. English patterns allow the common
 * variations ("ignore/disregard/forget (all) (the) previous/prior/above instructions/rules").
 */
export const INJECTION_PATTERNS: readonly InjectionPattern[] = [
  {
    name: "ignore previous instructions",
    pattern:
      /\b(?:ignore|disregard|forget|override|bypass)\b(?: \w+){0,3} (?:previous|prior|above|earlier|preceding|your|system|original|initial) (?:instructions?|rules|prompts?|directives|guidelines|messages)\b/,
    confidence: 0.95,
  },
  {
    name: "reveal the system prompt",
    pattern:
      /\b(?:show|reveal|print|repeat|tell me|give me|what(?: is|'s)|output|display|leak)\b(?: \w+){0,3} (?:system|initial|original|hidden|secret) (?:prompt|instructions?|message)\b/,
    confidence: 0.9,
  },
  { name: "system prompt", pattern: /\bsystem prompt\b/, confidence: 0.6 },
  {
    name: "you are now",
    pattern:
      /\byou are now (?:a |an |in |the |my )?(?:\w+ ){0,2}(?:mode|ai|assistant|bot|model|character|persona|dan)\b/,
    confidence: 0.8,
  },
  { name: "developer mode", pattern: /\b(?:developer|god|jailbreak|unrestricted|dan) mode\b/, confidence: 0.85 },
  { name: "DAN jailbreak", pattern: /\b(?:do anything now|jailbreak|jailbroken)\b/, confidence: 0.85 },
  {
    name: "role-play without rules",
    pattern:
      /\b(?:pretend|act as if|imagine) (?:that )?you (?:are|were|have) (?:\w+ ){0,4}(?:no|without) (?:rules|restrictions|limits|filters|guidelines)\b/,
    confidence: 0.85,
  },
  {
    name: "role-play as another AI",
    pattern:
      /\b(?:pretend to be|act as|roleplay as|role-play as|you will play) (?:an? )?(?:unfiltered|uncensored|evil|different|another) (?:ai|assistant|bot|model|character)\b/,
    confidence: 0.75,
  },
  {
    name: "new instructions",
    pattern: /\b(?:new|updated|real) (?:system )?instructions?:/,
    confidence: 0.7,
  },
  // Thai: ignore the previous instructions / commands; reveal the system prompt; you are now …;
  // pretend to be … without rules.
  {
    name: "ignore previous instructions (th)",
    pattern: /(?:ไม่ต้องสนใจ|ลืม|เพิกเฉย|ละเว้น|ข้าม)(?:คำสั่ง|กฎ|ข้อความ)(?:ทั้งหมด)?(?:ก่อนหน้า|ก่อนหน้านี้|เดิม|ข้างบน|ด้านบน)/,
    confidence: 0.95,
  },
  {
    name: "reveal the system prompt (th)",
    pattern: /(?:บอก|แสดง|เปิดเผย|ขอดู)(?:คำสั่ง|พรอมต์|พรอมท์|prompt)(?:ของ)?(?:ระบบ|ตั้งต้น|ลับ)/,
    confidence: 0.9,
  },
  { name: "system prompt (th)", pattern: /(?:พรอมต์|พรอมท์)ระบบ|system prompt/, confidence: 0.6 },
  { name: "you are now (th)", pattern: /ตอนนี้คุณคือ|จากนี้ไปคุณคือ|ต่อไปนี้คุณคือ/, confidence: 0.8 },
  {
    name: "role-play without rules (th)",
    pattern: /(?:แกล้งทำเป็น|สมมติว่าคุณเป็น|สวมบทบาท).{0,30}(?:ไม่มีกฎ|ไร้ข้อจำกัด|ไม่มีข้อจำกัด)/,
    confidence: 0.85,
  },
];

/** Lower case, NFKC, whitespace collapsed; Thai SARA AM put back together (NFKC splits it in two). */
const squash = (text: string) =>
  text
    .normalize("NFKC")
    .replace(/\u0E4D\u0E32/g, "\u0E33")
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/\s+/g, " ")
    .trim();

/** The most confident injection pattern the text matches, or null. */
export function findPromptInjection(text: string | null | undefined): Detection | null {
  if (!text) return null;
  const plain = squash(text);
  let best: InjectionPattern | null = null;
  for (const p of INJECTION_PATTERNS) {
    if (p.pattern.test(plain) && (!best || p.confidence > best.confidence)) best = p;
  }
  return best ? { reason: `Prompt injection: "${best.name}"`, confidence: best.confidence } : null;
}

// ---- personal data ------------------------------------------------------------------------------

/** The Luhn checksum card numbers carry. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** A Thai national id: 13 digits, the last being (11 − Σ dᵢ·(13 − i) mod 11) mod 10 over the first 12. */
export function thaiIdValid(digits: string): boolean {
  if (!/^\d{13}$/.test(digits) || digits[0] === "0") return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (digits.charCodeAt(i) - 48) * (13 - i);
  return (11 - (sum % 11)) % 10 === digits.charCodeAt(12) - 48;
}

/** Runs of digits, possibly grouped by single spaces or dashes, not glued to other digits or letters. */
const DIGIT_RUN = /(?<![\p{L}\p{N}])\d(?:[ -]?\d){8,22}(?![\p{L}\p{N}])/gu;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
/** `+` country code then 8–14 digits, or a Thai number: 0 then 8–9 digits (02 123 4567, 081-234-5678). */
const INTERNATIONAL_PHONE = /(?<![\p{L}\p{N}+])\+\d{1,3}[ -]?(?:\(?\d{1,4}\)?[ -]?){2,5}\d{2,4}(?![\p{L}\p{N}])/gu;
const THAI_PHONE = /(?<![\p{L}\p{N}])0\d{1,2}[ -]?\d{3}[ -]?\d{3,4}(?![\p{L}\p{N}])/gu;

export type PiiKind = "card_number" | "thai_national_id" | "email" | "phone";

/** The shop's own contact details (workspace setting `moderation`): a bot may give these out. */
export interface ContactAllowList {
  phones?: readonly string[] | undefined;
  emails?: readonly string[] | undefined;
}

/**
 * Whether two written phone numbers are the same line: equal digits once a national trunk `0` is
 * dropped, or one international (`+66 2 123 4567`) being the other (`02 123 4567`) behind a 1–3
 * digit country code.
 */
export function samePhone(a: string, b: string): boolean {
  const parse = (v: string) => {
    const digits = v.replace(/\D/g, "");
    const international = v.trim().startsWith("+");
    const trunk = !international && digits.startsWith("0");
    return { digits: trunk ? digits.slice(1) : digits, international, trunk };
  };
  const x = parse(a);
  const y = parse(b);
  if (x.digits.length < 6 || y.digits.length < 6) return false;
  if (x.international === y.international && x.digits === y.digits) return true;
  const covers = (long: typeof x, short: typeof y) =>
    long.international &&
    short.trunk &&
    long.digits.endsWith(short.digits) &&
    long.digits.length - short.digits.length <= 3;
  return covers(x, y) || covers(y, x);
}

/** The kinds of personal data in the text, each once, in a fixed order; empty when there is none. */
export function findPiiKinds(text: string | null | undefined, allow: ContactAllowList = {}): PiiKind[] {
  if (!text) return [];
  const found = new Set<PiiKind>();
  for (const match of text.matchAll(DIGIT_RUN)) {
    const digits = match[0].replace(/[ -]/g, "");
    if (digits.length === 13 && thaiIdValid(digits)) found.add("thai_national_id");
    else if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) found.add("card_number");
  }
  const allowedEmails = new Set((allow.emails ?? []).map((e) => e.trim().toLowerCase()));
  for (const match of text.matchAll(EMAIL)) {
    if (!allowedEmails.has(match[0].toLowerCase())) found.add("email");
  }
  const allowedPhones = allow.phones ?? [];
  for (const match of [...text.matchAll(INTERNATIONAL_PHONE), ...text.matchAll(THAI_PHONE)]) {
    if (!allowedPhones.some((own) => samePhone(own, match[0]))) found.add("phone");
  }
  return (["card_number", "thai_national_id", "email", "phone"] as const).filter((k) => found.has(k));
}

const PII_LABELS: Record<PiiKind, string> = {
  card_number: "a card number",
  thai_national_id: "a Thai national id",
  email: "an e-mail address",
  phone: "a phone number",
};
/** How sure each kind is: checksums make card numbers and ids near certain; a phone-like run less so. */
const PII_CONFIDENCE: Record<PiiKind, number> = { card_number: 0.95, thai_national_id: 0.9, email: 0.8, phone: 0.6 };

/** Personal data in the text as one detection (one flag per message and type), or null. */
export function findPii(text: string | null | undefined, allow: ContactAllowList = {}): Detection | null {
  const kinds = findPiiKinds(text, allow);
  if (kinds.length === 0) return null;
  return {
    reason: `Personal data in a bot answer: ${kinds.map((k) => PII_LABELS[k]).join(", ")}`,
    confidence: Math.max(...kinds.map((k) => PII_CONFIDENCE[k])),
  };
}
