import { describe, expect, it } from "vitest";
import {
  checkOutput,
  DEFAULT_CONFIDENCE_THRESHOLD,
  DEFAULT_MAX_CONSECUTIVE_BOT_REPLIES,
  findProfanity,
  resolveGuardrails,
  wantsHuman,
} from "./guardrails.ts";
import { HANDOFF_MARKER } from "./prompt.ts";

const defaults = resolveGuardrails({});

describe("resolveGuardrails", () => {
  it("fills in the defaults and ignores malformed values", () => {
    expect(defaults).toMatchObject({
      profanityFilter: true,
      maxConsecutiveBotReplies: DEFAULT_MAX_CONSECUTIVE_BOT_REPLIES,
      confidenceThreshold: DEFAULT_CONFIDENCE_THRESHOLD,
      handoffOnRefusal: true,
      humanRequestPhrases: [],
    });
    expect(Object.keys(defaults.profanityWords).sort()).toEqual(["de", "en", "es", "fr", "ja", "th"]);
    const odd = resolveGuardrails({ maxConsecutiveBotReplies: -1, confidenceThreshold: 7 } as never);
    expect(odd).toMatchObject({ maxConsecutiveBotReplies: 3, confidenceThreshold: 0.35 });
    expect(resolveGuardrails({ maxConsecutiveBotReplies: 5, confidenceThreshold: 0.6 })).toMatchObject({
      maxConsecutiveBotReplies: 5,
      confidenceThreshold: 0.6,
    });
  });

  it("a language given in the settings replaces that language's list; others keep theirs", () => {
    const custom = resolveGuardrails({ profanityWords: { en: ["darn"], nl: ["kanker*"] } });
    expect(findProfanity("Darn it", custom)).toEqual({ language: "en", word: "darn" });
    expect(findProfanity("This is shit", custom)).toBeNull();
    expect(findProfanity("kankerzooi", custom)).toEqual({ language: "nl", word: "kanker*" });
    expect(findProfanity("Das ist Scheiße", custom)).toMatchObject({ language: "de" });
  });
});

describe("findProfanity", () => {
  it.each([
    ["What the fuck is this", "en"],
    ["FUCKING late again", "en"],
    ["this is bullshit", "en"],
    ["qué mierda de servicio", "es"],
    ["Putain, encore en retard", "fr"],
    ["So eine Scheiße", "de"],
    ["so ein scheiss laden", "de"],
    ["ร้านเหี้ยอะไรเนี่ย", "th"],
    ["クソみたいな対応", "ja"],
  ])("finds %j (%s)", (text, language) => {
    expect(findProfanity(text, defaults)).toMatchObject({ language });
  });

  it.each([
    "Do you ship to Scunthorpe?",
    "I love Dickens novels",
    "Can I pass my assessment?",
    "shiitake mushrooms",
    "ส่งสินค้ากี่วัน",
    "",
  ])("does not flag %j", (text) => {
    expect(findProfanity(text, defaults)).toBeNull();
  });

  it("is off when the filter is off", () => {
    expect(findProfanity("fuck", resolveGuardrails({ profanityFilter: false }))).toBeNull();
  });
});

describe("checkOutput", () => {
  it("sends a normal answer, trimmed", () => {
    expect(checkOutput("  We ship in 2 days.  ", defaults)).toEqual({ action: "send", text: "We ship in 2 days." });
  });

  it("the handoff marker: the text before it is sent without the marker, then handed off; a bare marker sends nothing", () => {
    expect(checkOutput(`A colleague will take over from here. ${HANDOFF_MARKER}`, defaults)).toEqual({
      action: "handoff",
      reason: "model_handoff",
      text: "A colleague will take over from here.",
    });
    expect(checkOutput(HANDOFF_MARKER, defaults)).toEqual({ action: "handoff", reason: "model_handoff", text: null });
    expect(checkOutput(` ${HANDOFF_MARKER}\n`, defaults)).toMatchObject({ text: null });
  });

  it("withholds profanity in the answer, even before a marker", () => {
    expect(checkOutput("That is bullshit.", defaults)).toEqual({
      action: "handoff",
      reason: "profanity_output",
      withheld: "That is bullshit.",
    });
    expect(checkOutput(`Shit happens ${HANDOFF_MARKER}`, defaults)).toMatchObject({ reason: "profanity_output" });
  });

  it.each([
    "I'm sorry, but I can't help with that request.",
    "I’m not sure about that.",
    "I don't have information about your order.",
    "Lo siento, no puedo ayudar con eso.",
    "申し訳ありませんが、お答えできません。",
  ])("hands off on the refusal or uncertainty %j", (text) => {
    expect(checkOutput(text, defaults)).toMatchObject({ action: "handoff", reason: "refusal", withheld: text });
  });

  it("sends refusals when handoffOnRefusal is off, and knows extra phrases", () => {
    expect(checkOutput("I'm not sure.", resolveGuardrails({ handoffOnRefusal: false }))).toMatchObject({
      action: "send",
    });
    expect(
      checkOutput("Let me check with the team.", resolveGuardrails({ refusalPhrases: ["check with the team"] })),
    ).toMatchObject({ reason: "refusal" });
  });

  it("an empty answer or a filtered one hands off", () => {
    expect(checkOutput("   ", defaults)).toMatchObject({ action: "handoff", reason: "empty_output" });
    expect(checkOutput("", defaults, { finishReason: "content_filter" })).toMatchObject({
      reason: "content_filtered",
    });
  });
});

describe("wantsHuman", () => {
  it.each([
    "I want to talk to a human",
    "can I talk to a human?",
    "Can I speak to a PERSON please",
    "agent",
    "talk to someone",
    "ขอคุยกับพนักงานหน่อย",
    "อยากคุยกับคนครับ",
    "quiero hablar con una persona",
    "¿Hay un humano?",
    "Je veux parler à un conseiller",
    "Un humain, s'il vous plaît",
    "Ich möchte mit einem Mitarbeiter sprechen",
    "Bitte einen Menschen!",
    "人間と話したい",
    "担当者をお願いします",
    "オペレーターにつないでください",
    "Can I speak to a manager?",
    "ติดต่อเจ้าหน้าที่ได้ไหม",
    "Quiero hablar con un asesor",
    "Je voudrais parler à quelqu’un",
    "Kann ich mit jemandem sprechen?",
    "スタッフと話せますか",
    "Agent!",
    "human please",
    "Are you a real person?",
    "I need a real person",
    "Can you connect me with customer service?",
    "persona real por favor",
    "人間",
    "人間でお願いします",
  ])("detects %j", (text) => {
    expect(wantsHuman(text)).toBe(true);
  });

  it.each([
    "What is your return policy?",
    "Can I pick it up in person?",
    "How much is it per person?",
    "Do you keep my personal data?",
    "สวัสดีครับ",
    "返品したいです",
    "My travel agent booked the wrong size",
    "Is this wig made of human hair?",
    "human hair wig",
    "¿Cuánto cuesta por persona?",
    "Ihre Mitarbeiter waren sehr freundlich",
    "人間工学に基づいた椅子はありますか",
    "Do you have agents in Chiang Mai?",
    "C'est pour une personne",
  ])("does not flag %j", (text) => {
    expect(wantsHuman(text)).toBe(false);
  });

  it("accepts extra phrases", () => {
    expect(wantsHuman("Ik wil een medewerker", ["medewerker"])).toBe(true);
    expect(wantsHuman("Ik wil een medewerker")).toBe(false);
  });
});
