/**
 * The bot's guardrails, as pure functions over text and the chatbot's guardrail settings. The
 * pipeline applies them (`check-inbound-message.ts` at ingestion, `generate-bot-reply.ts` around the
 * provider call); whenever one says "hand off", the conversation goes to a person (`handoff.ts`).
 *
 * - Human request (customer → person) in English, Thai, Spanish, French, German and Japanese, plus
 *   the chatbot's own phrases: auto-bot off at ingestion, even when the bot is off or slow.
 * - Profanity, per language, on the customer's message (it is flagged for review; the bot still
 *   answers) and on the bot's reply (the reply is withheld and the conversation handed off).
 * - Consecutive bot replies without a person in between: at the maximum (default 3) the next
 *   automatic reply becomes a handoff.
 * - The handoff marker `[[HANDOFF]]` in the model's output: the text before it (the prompt asks for
 *   "a colleague will take over") is sent, without the marker, and the conversation handed off; a
 *   bare marker sends nothing.
 * - Refusal or uncertainty ("I can't help with that", "I'm not sure") in the output: withheld, handed
 *   off (`handoffOnRefusal`, default on).
 *
 * Matching: Latin-script words and phrases match whole words after lower-casing and removing accents
 * (an entry ending in `*` matches as a prefix: `fuck*`); other scripts match anywhere, since Thai,
 * Japanese and Chinese do not separate words with spaces.
 */
import type { GuardrailSettings } from "@tandem/db";
import { HANDOFF_MARKER } from "./prompt.ts";

export const DEFAULT_MAX_CONSECUTIVE_BOT_REPLIES = 3;
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.35;

/** Strong words only: a list that flags "Scunthorpe" or "Dickens" does more harm than good. */
export const DEFAULT_PROFANITY: Readonly<Record<string, readonly string[]>> = {
  en: [
    "fuck*",
    "motherfuck*",
    "shit",
    "shits",
    "shitty",
    "bullshit",
    "bitch*",
    "asshole*",
    "bastard*",
    "cunt*",
    "dickhead*",
    "wanker*",
    "whore*",
    "slut*",
  ],
  es: ["mierda", "puta", "putas", "puto", "hijo de puta", "joder", "gilipollas", "cabron", "cabrones", "pendejo*"],
  fr: ["merde", "putain", "connard*", "connasse*", "salope*", "encul*", "fils de pute", "pute"],
  de: ["scheisse", "scheiße", "scheiss*", "scheiß*", "arschloch*", "fotze", "wichser*", "hurensohn*", "fick*"],
  th: ["ควย", "เหี้ย", "เย็ด", "ไอ้สัตว์", "ระยำ", "แม่งเอ้ย"],
  ja: ["クソ", "くそったれ", "死ね", "ちくしょう", "畜生", "ファック"],
};

/** The model declining or unsure: better a person than a non-answer. */
export const DEFAULT_REFUSAL_PHRASES: readonly string[] = [
  "i can't help with",
  "i cannot help with",
  "i can't assist with",
  "i cannot assist with",
  "i'm unable to help",
  "i am unable to help",
  "i'm not able to help",
  "i am not able to help",
  "i don't have information",
  "i do not have information",
  "i don't have that information",
  "i don't know",
  "i do not know",
  "i'm not sure",
  "i am not sure",
  "as an ai",
  "no puedo ayudar",
  "no tengo informacion",
  "no estoy seguro",
  "je ne peux pas vous aider",
  "je ne sais pas",
  "ich kann ihnen nicht helfen",
  "ich weiss es nicht",
  "ich weiß es nicht",
  "ไม่สามารถช่วย",
  "ไม่ทราบ",
  "お答えできません",
  "わかりません",
  "分かりません",
];

export interface ResolvedGuardrails {
  profanityFilter: boolean;
  profanityWords: Record<string, string[]>;
  maxConsecutiveBotReplies: number;
  confidenceThreshold: number;
  handoffOnRefusal: boolean;
  refusalPhrases: string[];
  humanRequestPhrases: string[];
}

/** The chatbot's settings with the defaults filled in; malformed values fall back to the default. */
export function resolveGuardrails(settings: GuardrailSettings | null | undefined): ResolvedGuardrails {
  const s = settings ?? {};
  const profanityWords: Record<string, string[]> = {};
  for (const [lang, words] of Object.entries(DEFAULT_PROFANITY)) profanityWords[lang] = [...words];
  if (s.profanityWords && typeof s.profanityWords === "object") {
    for (const [lang, words] of Object.entries(s.profanityWords)) {
      if (Array.isArray(words)) profanityWords[lang] = strings(words);
    }
  }
  return {
    profanityFilter: s.profanityFilter !== false,
    profanityWords,
    maxConsecutiveBotReplies: positiveInt(s.maxConsecutiveBotReplies) ?? DEFAULT_MAX_CONSECUTIVE_BOT_REPLIES,
    confidenceThreshold: unitInterval(s.confidenceThreshold) ?? DEFAULT_CONFIDENCE_THRESHOLD,
    handoffOnRefusal: s.handoffOnRefusal !== false,
    refusalPhrases: [...DEFAULT_REFUSAL_PHRASES, ...strings(s.refusalPhrases)],
    humanRequestPhrases: strings(s.humanRequestPhrases),
  };
}

// ---- matching -----------------------------------------------------------------------------------

/** Lower-cased, NFKC, curly apostrophes straightened, whitespace collapsed. */
const normalize = (text: string) =>
  text.normalize("NFKC").toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, " ").trim();
/** `normalize`, then accents removed (é → e), for Latin-script matching. */
const fold = (text: string) => normalize(text).normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC");

const LATIN_ENTRY = /^[\p{Script=Latin}\p{N}\s'*.-]+$/u;
const WORD = "[\\p{L}\\p{N}]";

/** A compiled word-list entry: a whole-word regex for Latin script, a substring otherwise. */
type Matcher = (normalized: { folded: string; plain: string }) => boolean;

function compile(entry: string): Matcher | null {
  const trimmed = entry.trim();
  if (!trimmed) return null;
  if (LATIN_ENTRY.test(trimmed)) {
    const prefix = trimmed.endsWith("*");
    const body = fold(prefix ? trimmed.slice(0, -1) : trimmed)
      .split(" ")
      .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("\\s+");
    if (!body) return null;
    const re = new RegExp(`(?<!${WORD})${body}${prefix ? `${WORD}*` : ""}(?!${WORD})`, "u");
    return ({ folded }) => re.test(folded);
  }
  const needle = normalize(trimmed);
  return ({ plain }) => plain.includes(needle);
}

const compiled = new Map<string, Matcher | null>();
function matcherFor(entry: string): Matcher | null {
  let m = compiled.get(entry);
  if (m === undefined) {
    m = compile(entry);
    if (compiled.size > 5000) compiled.clear();
    compiled.set(entry, m);
  }
  return m;
}

function firstMatch(text: string, entries: readonly string[]): string | null {
  const normalized = { folded: fold(text), plain: normalize(text) };
  for (const entry of entries) if (matcherFor(entry)?.(normalized)) return entry;
  return null;
}

export interface ProfanityMatch {
  language: string;
  word: string;
}

/** The first listed word found in `text`, or null (also null when the filter is off). */
export function findProfanity(text: string | null | undefined, guardrails: ResolvedGuardrails): ProfanityMatch | null {
  if (!text || !guardrails.profanityFilter) return null;
  for (const [language, words] of Object.entries(guardrails.profanityWords)) {
    const word = firstMatch(text, words);
    if (word) return { language, word };
  }
  return null;
}

/** The refusal or uncertainty phrase found in `text`, or null. */
export function findRefusal(text: string, guardrails: ResolvedGuardrails): string | null {
  return firstMatch(text, guardrails.refusalPhrases);
}

// ---- human request ------------------------------------------------------------------------------

/**
 * How customers ask for a person. A word like "agent", "human" or "persona" alone is not enough — "my
 * travel agent", "human hair", "¿cuánto por persona?" are not requests — so it counts in two ways:
 * in a phrase that asks for one ("talk to a human", "hablar con un asesor", "mit einem Mitarbeiter
 * sprechen"), or as (nearly) the whole message ("agent!", "Un humain, s'il vous plaît", "Bitte einen
 * Menschen"). Latin-script patterns run on the folded text (lower case, no accents); Thai and
 * Japanese phrases match anywhere.
 */
const HUMAN_REQUEST_PATTERNS = [
  // English
  /\b(?:talk|speak|chat|connect|transfer|put) (?:me )?(?:through )?(?:to|with) (?:a |an |the |your |some |one of your )?(?:real |live |actual |human )?(?:person|people|human|agent|operator|representative|rep|manager|staff|staff member|someone|somebody|anyone|employee|customer service)\b/,
  /\b(?:real|live|actual) (?:person|human|agent|people)\b/,
  /\bhuman (?:agent|being|support|please)\b/,
  /\b(?:customer service|customer support|support) (?:rep|representative|agent)\b/,
  /\b(?:is there|are you|is this) (?:a )?(?:real )?(?:human|person)\b/,
  /\b(?:want|need|get me) (?:a |an )?(?:real |live )?(?:human|person|agent|operator|representative)\b/,
  // Spanish
  /\b(?:hablar|comunicarme|contactar|chatear) con (?:un |una |el |la |algun |alguna )?(?:persona|humano|humana|agente|asesor|asesora|encargado|encargada|representante|operador|operadora|alguien)\b/,
  /\b(?:persona|agente) (?:real|humano|humana)\b/,
  /\bhay (?:un |una |algun |alguna )?(?:humano|humana|persona real)\b/,
  // French
  /\bparler (?:a|avec) (?:quelqu'un|quelqu un|un humain|une personne|un agent|un conseiller|une conseillere|un responsable|un operateur|une vraie personne)\b/,
  /\b(?:vraie personne|etre humain)\b/,
  // German
  /\bmit (?:jemandem|einer person|einem menschen|einem mitarbeiter|einer mitarbeiterin|einem berater|einer beraterin|einem kundenberater|einer kundenberaterin) (?:sprechen|reden|verbinden|chatten)\b/,
  /\b(?:echten|echter|echte|echtem) (?:mensch|menschen|person|mitarbeiter)\b/,
];

/** Person words that make a request when they are (nearly) the whole message. */
const PERSON_WORDS = new Set([
  "person",
  "human",
  "agent",
  "operator",
  "representative",
  "rep",
  "staff",
  "someone",
  "somebody",
  "manager",
  "persona",
  "humano",
  "humana",
  "agente",
  "asesor",
  "asesora",
  "humain",
  "humaine",
  "conseiller",
  "conseillere",
  "mensch",
  "menschen",
  "mitarbeiter",
  "mitarbeiterin",
]);
/** Courtesy and filler words left out when judging whether a message is just "a person, please". */
const FILLER =
  /\b(?:please|pls|plz|por favor|s'il vous plait|s'il te plait|bitte|hi|hello|hola|bonjour|hallo|now|ahora|maintenant|jetzt|a|an|the|un|una|une|ein|eine|einen|einem|i|want|need|quiero|necesito|je|veux|ich|will|mochte|real|live|actual|vrai|vraie|echten|hay)\b/g;

const HUMAN_REQUEST_PHRASES = [
  // Thai: talk to a person / staff / an officer / the admin; "contact staff"
  "คุยกับคน",
  "ขอคุยกับพนักงาน",
  "คุยกับพนักงาน",
  "คุยกับเจ้าหน้าที่",
  "ติดต่อเจ้าหน้าที่",
  "ขอสายเจ้าหน้าที่",
  "คุยกับแอดมิน",
  "ขอคุยกับแอดมิน",
  // Japanese: talk to a human / a person in charge / an operator / staff, staffed support
  "人間と話",
  "人間に代わ",
  "人間の担当",
  "人間のオペレーター",
  "担当者",
  "オペレーター",
  "有人対応",
  "有人チャット",
  "スタッフと話",
  "スタッフに代わ",
  "人と話したい",
];

/** True when the customer asks to talk to a person rather than the bot. */
export function wantsHuman(text: string | null | undefined, extraPhrases: readonly string[] = []): boolean {
  if (!text) return false;
  const folded = fold(text);
  if (HUMAN_REQUEST_PATTERNS.some((re) => re.test(folded))) return true;
  const words = folded
    .replace(FILLER, " ")
    .split(/[^\p{L}\p{N}']+/u)
    .filter(Boolean);
  if (words.length > 0 && words.length <= 2 && words.some((w) => PERSON_WORDS.has(w.replace(/s$/, "")))) return true;
  const plain = normalize(text);
  if (HUMAN_REQUEST_PHRASES.some((p) => plain.includes(p))) return true;
  // Japanese "人間" (a human) alone, or nearly: not inside a longer word such as 人間工学 (ergonomics).
  if (plain.replace(/[\s、。！？!?ー〜を]/g, "").replace(/(?:お願いします|お願い|ください|で|が)+$/, "") === "人間")
    return true;
  return firstMatch(text, extraPhrases) !== null;
}

// ---- the bot's output ---------------------------------------------------------------------------

export type HandoffReason =
  | "no_chatbot"
  | "human_requested"
  | "max_bot_replies"
  | "low_confidence"
  | "model_handoff"
  | "refusal"
  | "profanity_output"
  | "empty_output"
  | "content_filtered"
  | "provider_not_configured"
  | "provider_error"
  | "bot_error";

export type OutputVerdict =
  | { action: "send"; text: string }
  /** The model asked for a person: `text` (the marker removed) is sent first when there is any. */
  | { action: "handoff"; reason: "model_handoff"; text: string | null }
  /** Not sent: `withheld` is kept in the handoff note's metadata for review. */
  | {
      action: "handoff";
      reason: "profanity_output" | "refusal" | "empty_output" | "content_filtered";
      withheld: string;
    };

/** What happens to a model's answer: sent as is, sent and handed off, or withheld and handed off. */
export function checkOutput(
  raw: string,
  guardrails: ResolvedGuardrails,
  options: { finishReason?: string } = {},
): OutputVerdict {
  const hasMarker = raw.includes(HANDOFF_MARKER);
  const text = raw
    .split(HANDOFF_MARKER)
    .join(" ")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
  if (options.finishReason === "content_filter")
    return { action: "handoff", reason: "content_filtered", withheld: text };
  if (findProfanity(text, guardrails)) return { action: "handoff", reason: "profanity_output", withheld: text };
  if (hasMarker) return { action: "handoff", reason: "model_handoff", text: text || null };
  if (!text) return { action: "handoff", reason: "empty_output", withheld: raw };
  if (guardrails.handoffOnRefusal && findRefusal(text, guardrails)) {
    return { action: "handoff", reason: "refusal", withheld: text };
  }
  return { action: "send", text };
}

/** The SYSTEM note a handoff leaves in the thread. */
export function handoffNote(reason: HandoffReason, guardrails?: Pick<ResolvedGuardrails, "maxConsecutiveBotReplies">) {
  switch (reason) {
    case "no_chatbot":
      return "No chatbot is set up for this conversation: handed to a person.";
    case "human_requested":
      return "The customer asked for a person: handed to a person.";
    case "max_bot_replies":
      return `The bot answered ${guardrails?.maxConsecutiveBotReplies ?? DEFAULT_MAX_CONSECUTIVE_BOT_REPLIES} times in a row: handed to a person.`;
    case "low_confidence":
      return "The bot could not answer confidently: handed to a person.";
    case "model_handoff":
      return "The bot could not help and asked for a person: handed to a person.";
    case "refusal":
      return "The bot's answer was a refusal or unsure, so it was not sent: handed to a person.";
    case "profanity_output":
      return "The bot's answer contained a blocked word, so it was not sent: handed to a person.";
    case "empty_output":
      return "The bot returned an empty answer: handed to a person.";
    case "content_filtered":
      return "The AI provider filtered the answer: handed to a person.";
    case "provider_not_configured":
      return "The chatbot's AI provider is not configured (no API key or base URL): handed to a person.";
    case "provider_error":
      return "The AI provider failed to answer: handed to a person.";
    case "bot_error":
      return "The bot failed to answer (an internal error): handed to a person.";
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v.trim() !== "") : [];
}
const positiveInt = (value: unknown) =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
const unitInterval = (value: unknown) =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
