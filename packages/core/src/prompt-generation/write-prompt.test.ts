import { describe, expect, it } from "vitest";
import { estimateTokens, validatePromptTemplate } from "../bots/prompt.ts";
import { cleanGeneratedPrompt, fitDocuments, templatePrompt, writerMessages } from "./write-prompt.ts";

const brief = {
  chatbotName: "Lotus Spa bot",
  language: "en",
  documents: [
    {
      name: "menu.pdf",
      text: "Lotus Spa\nThai massage, 60 minutes: 800 baht\nWe are open every day from 10:00 to 21:00.\nBookings can be cancelled free of charge up to 24 hours before. Enter the {voucher_code} when booking online.",
    },
  ],
};

describe("fitDocuments", () => {
  it("keeps short documents whole and cuts long ones to their share of the budget", () => {
    const short = { name: "a.txt", text: "Short note about parking." };
    const long = { name: "b.txt", text: "Lorem ipsum dolor sit amet. ".repeat(2000) };
    const [a, b] = fitDocuments([short, long], 1000);
    expect(a).toEqual({ ...short, truncated: false });
    expect(b!.truncated).toBe(true);
    // The long one gets what the short one left.
    expect(estimateTokens(b!.text)).toBeLessThanOrEqual(1000 - estimateTokens(short.text));
    expect(estimateTokens(b!.text)).toBeGreaterThan(900);
  });
});

describe("cleanGeneratedPrompt", () => {
  it("drops a code fence and the braces of unknown placeholders, keeping the known ones", () => {
    const { prompt, removedVariables } = cleanGeneratedPrompt(
      "```markdown\nYou are {brand_name}'s bot. Link: {booking_url}, again {booking_url}. {knowledge}\n```",
    );
    expect(prompt).toBe("You are {brand_name}'s bot. Link: booking_url, again booking_url. {knowledge}");
    expect(removedVariables).toEqual(["booking_url"]);
  });
});

describe("writerMessages", () => {
  it("sends the brief and each document by name", () => {
    const [message] = writerMessages({ ...brief, context: "Spa guests", tone: "warm" });
    expect(message!.role).toBe("user");
    expect(message!.content).toContain("Chatbot name: Lotus Spa bot");
    expect(message!.content).toContain("What it is for: Spa guests");
    expect(message!.content).toContain('<document name="menu.pdf">\nLotus Spa\nThai massage');
  });
});

describe("templatePrompt (offline)", () => {
  it("fills the five sections with facts and policies from the text, using known variables only", () => {
    const prompt = templatePrompt({ ...brief, instructions: "Offer a booking." });
    const order = ["## Role", "## Boundaries", "## Handling instructions", "## Tone", "## Safety and compliance"].map(
      (h) => prompt.indexOf(h),
    );
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!))).toBe(true);
    expect(prompt).toContain("- Thai massage, 60 minutes: 800 baht");
    expect(prompt).toContain("- We are open every day from 10:00 to 21:00.");
    // A policy goes under safety and compliance, its unknown placeholder without braces.
    const safety = prompt.slice(prompt.indexOf("## Safety and compliance"));
    expect(safety).toContain("Bookings can be cancelled free of charge up to 24 hours before.");
    expect(prompt).toContain("voucher_code");
    expect(prompt).toContain("- Offer a booking.");
    expect(prompt).toContain("Write in this tone: {tone}.");
    expect(validatePromptTemplate(prompt)).toEqual({ ok: true, unknownVariables: [] });
  });

  it("uses the given tone and context instead of the variables", () => {
    const prompt = templatePrompt({ ...brief, tone: "calm", context: "Helps spa guests book treatments." });
    expect(prompt).toContain("Write in a calm tone.");
    expect(prompt).toContain("Helps spa guests book treatments.");
  });
});
