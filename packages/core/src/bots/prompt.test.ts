import { describe, expect, it } from "vitest";
import type { KnowledgeItem } from "../llm/types.ts";
import type { ProductFact } from "../shopify/product-facts.ts";
import {
  assertValidPromptTemplate,
  buildPrompt,
  DEFAULT_PROMPT_TEMPLATE,
  estimateTokens,
  HANDOFF_MARKER,
  PRODUCTS_BUDGET_SHARE,
  PRODUCTS_SECTION_HEADING,
  type PromptTurn,
  validatePromptTemplate,
} from "./prompt.ts";

const say = (role: PromptTurn["role"], text: string, extra: Partial<PromptTurn> = {}): PromptTurn => ({
  role,
  kind: "text",
  text,
  status: role === "USER" ? "received" : "sent",
  ...extra,
});

const FAQ: KnowledgeItem[] = [
  { id: "faq:2", kind: "faq", title: "What is your return policy?", content: "30 days, full refund.", score: 1 },
  { id: "chk_1", kind: "passage", title: "Shipping guide", content: "Parcels leave\nwithin a day.", score: 0.5 },
];

describe("buildPrompt", () => {
  it("fills every variable of the default template from settings, knowledge and summary", () => {
    const prompt = buildPrompt({
      variables: {
        brandName: "Demo Shop",
        tone: "warm",
        doList: ["Greet by name", "  "],
        dontList: ["Promise delivery dates"],
        policySnippets: ["Refunds go to the original payment method."],
      },
      knowledge: FAQ,
      summary: "Customer: wants to return shoes.",
      turns: [say("USER", "Can I return my shoes?")],
    });
    expect(prompt.systemPrompt).toContain("You are Demo Shop's support assistant");
    expect(prompt.systemPrompt).toContain("Tone: warm.");
    expect(prompt.systemPrompt).toContain("Always:\n- Greet by name\n\nNever:\n- Promise delivery dates");
    expect(prompt.systemPrompt).toContain("if relevant: - Refunds go to the original payment method.");
    expect(prompt.systemPrompt).toContain(
      "<knowledge>\n1. Q: What is your return policy?\n   A: 30 days, full refund.\n2. (Shipping guide) Parcels leave within a day.\n</knowledge>",
    );
    expect(prompt.systemPrompt).toContain("Conversation summary: Customer: wants to return shoes.");
    expect(prompt.systemPrompt).toContain(HANDOFF_MARKER);
    expect(prompt.systemPrompt).not.toMatch(/\{[a-z_]+\}/);
    expect(prompt.knowledge).toEqual(FAQ);
    expect(prompt.messages).toEqual([{ role: "user", content: "Can I return my shoes?" }]);
  });

  it("uses defaults for missing settings: the chatbot's name, a neutral tone, (none)", () => {
    const prompt = buildPrompt({ chatbotName: "Helper", turns: [say("USER", "hi")] });
    expect(prompt.systemPrompt).toContain("You are Helper's support assistant");
    expect(prompt.systemPrompt).toContain("Tone: friendly and professional.");
    expect(prompt.systemPrompt).toContain("Always:\n(none)");
    expect(prompt.systemPrompt).toContain("<knowledge>\n(nothing relevant found)\n</knowledge>");
    expect(prompt.systemPrompt).toContain("Conversation summary: (none yet)");
  });

  it("maps USER to user and BOT and AGENT to assistant; leaves out notes, SYSTEM events and unsent replies", () => {
    const prompt = buildPrompt({
      turns: [
        say("USER", "Where is my order?"),
        say("BOT", "Could you give me the order number?"),
        say("USER", "#1234"),
        say("AGENT", "Customer is a reseller", { kind: "note" }),
        say("SYSTEM", "Auto-bot turned off by Ana", { kind: "event" }),
        say("AGENT", "Hi, Ana here: it ships today."),
        say("AGENT", "Sorry, this one failed", { status: "failed" }),
        say("USER", "", { kind: "attachment", attachments: [{ type: "image" }] }),
        say("USER", "Thanks!"),
      ],
    });
    expect(prompt.messages).toEqual([
      { role: "user", content: "Where is my order?" },
      { role: "assistant", content: "Could you give me the order number?" },
      { role: "user", content: "#1234" },
      { role: "assistant", content: "Hi, Ana here: it ships today." },
      { role: "user", content: "[image]\n\nThanks!" },
    ]);
    const all = JSON.stringify(prompt);
    expect(all).not.toContain("reseller");
    expect(all).not.toContain("Auto-bot");
    expect(all).not.toContain("failed");
  });

  it("keeps only the last N turns, starting at a customer's message", () => {
    const turns = Array.from({ length: 12 }, (_, i) => say(i % 2 ? "BOT" : "USER", `message ${i}`));
    const prompt = buildPrompt({ turns, lastNMessages: 4 });
    expect(prompt.messages.map((m) => m.content)).toEqual(["message 8", "message 9", "message 10", "message 11"]);
    expect(prompt.droppedTurns).toBe(0);
    // The 3 last turns open with the bot's: the chat starts at the customer's next message instead.
    const odd = buildPrompt({ turns, lastNMessages: 3 });
    expect(odd.messages.map((m) => m.content)).toEqual(["message 10", "message 11"]);
    expect(odd.messages[0]!.role).toBe("user");
    // A draft in a thread where only people and the bot wrote keeps what there is.
    const noCustomer = buildPrompt({ turns: [say("AGENT", "Hello, following up on your order")] });
    expect(noCustomer.messages).toEqual([{ role: "assistant", content: "Hello, following up on your order" }]);
  });

  it("drops the oldest turns first to stay within the token budget, and always keeps the latest", () => {
    const long = "word ".repeat(200); // ~250 tokens
    const turns = [say("USER", `first ${long}`), say("BOT", `second ${long}`), say("USER", `third ${long}`)];
    const roomy = buildPrompt({ turns, tokenBudget: 5000 });
    expect(roomy.messages).toHaveLength(3);

    const base = buildPrompt({ turns: [], tokenBudget: 5000 }).estimatedTokens;
    const tight = buildPrompt({ turns, tokenBudget: base + 600 });
    // Dropping "first" would open the chat with the bot's "second": that goes too.
    expect(tight.messages.map((m) => m.content.split(" ")[0])).toEqual(["third"]);
    expect(tight.droppedTurns).toBe(2);
    expect(tight.estimatedTokens).toBeLessThanOrEqual(base + 600);
    const agentFirst = buildPrompt({
      turns: [say("USER", `first ${long}`), say("USER", `second ${long}`), say("AGENT", "ok"), say("USER", "third")],
      tokenBudget: base + 400,
    });
    expect(agentFirst.messages.map((m) => m.content.split(" ")[0])).toEqual(["second", "ok", "third"]);
    expect(agentFirst.droppedTurns).toBe(1);

    const tiny = buildPrompt({ turns, tokenBudget: 200 });
    expect(tiny.messages.map((m) => m.content.split(" ")[0])).toEqual(["third"]);
  });

  it("gives knowledge at most half the budget, best items first", () => {
    const big: KnowledgeItem[] = Array.from({ length: 10 }, (_, i) => ({
      id: `chk_${i}`,
      kind: "passage",
      content: `passage ${i} ${"text ".repeat(100)}`,
      score: 1 - i / 10,
    }));
    const prompt = buildPrompt({ knowledge: big, turns: [say("USER", "hi")], tokenBudget: 1000 });
    expect(prompt.knowledge.length).toBeGreaterThan(0);
    expect(prompt.knowledge.length).toBeLessThan(10);
    expect(prompt.knowledge.map((k) => k.id)).toEqual(big.slice(0, prompt.knowledge.length).map((k) => k.id));
  });

  it("with {last_n_messages} in the template: earlier turns as a transcript, the latest customer message as the chat", () => {
    const prompt = buildPrompt({
      template: "You are {brand_name}. History:\n{last_n_messages}\nKnow: {knowledge}",
      variables: { brandName: "Acme" },
      turns: [say("USER", "Hi"), say("BOT", "Hello!"), say("AGENT", "Ana here."), say("USER", "Refund please")],
    });
    expect(prompt.systemPrompt).toBe(
      "You are Acme. History:\nCustomer: Hi\nYou: Hello!\nAgent (a person): Ana here.\nKnow: (nothing relevant found)",
    );
    expect(prompt.messages).toEqual([{ role: "user", content: "Refund please" }]);
  });

  it("leaves unknown variables as written (they are reported when the template is saved)", () => {
    const prompt = buildPrompt({ template: "Hi {brand_name} {unknown_thing}", turns: [] });
    expect(prompt.systemPrompt).toBe("Hi our company {unknown_thing}");
  });
});

const shirt = (title: string, price: string): ProductFact => {
  const handle = title.toLowerCase().replace(/\s+/g, "-");
  return {
    id: `product_${handle}`,
    title,
    handle,
    description: `The ${title}.`,
    vendor: null,
    productType: "Shirts",
    tags: [],
    url: `https://shop.example.com/products/${handle}`,
    imageUrl: null,
    currency: "USD",
    priceMin: price,
    priceMax: price,
    available: true,
    totalInventory: 3,
    variants: [{ id: `v_${handle}`, title: "M", price, available: true, inventoryQuantity: 3, options: { Size: "M" } }],
  };
};

describe("buildPrompt with products and a template without {products}", () => {
  const linen = shirt("Linen Shirt", "45.00");
  // The product's document as retrieval finds it, with the price it had when it was last written.
  const linenPassage: KnowledgeItem = {
    id: "chk_linen",
    kind: "passage",
    title: "Linen Shirt",
    content: "Linen Shirt. Price: 39.00 USD",
    documentId: "doc_linen",
    score: 0.9,
  };
  const ask = [say("USER", "How much is the linen shirt in M?")];

  it("adds the current rows after the knowledge, and leaves the same product's passage out of {knowledge}", () => {
    const prompt = buildPrompt({
      knowledge: [...FAQ, linenPassage],
      turns: ask,
      products: [linen],
      documentProducts: new Map([["doc_linen", linen.id]]),
    });
    const section = `${PRODUCTS_SECTION_HEADING}\n<products>\n1. Linen Shirt — type: Shirts — https://shop.example.com/products/linen-shirt\n   M: $45.00, in stock (3)\n   The Linen Shirt.\n</products>`;
    expect(prompt.systemPrompt.endsWith(`Conversation summary: (none yet)\n\n${section}`)).toBe(true);
    expect(prompt.systemPrompt.indexOf("</knowledge>")).toBeLessThan(prompt.systemPrompt.indexOf(section));
    expect(prompt.systemPrompt).not.toContain("39.00");
    expect(prompt.knowledge).toEqual(FAQ);
    expect(prompt.products).toEqual([linen]);
  });

  it("keeps the rows within PRODUCTS_BUDGET_SHARE of the budget, best first", () => {
    const many = Array.from({ length: 60 }, (_, i) => shirt(`Shirt number ${i}`, "45.00"));
    const budget = 1000;
    const prompt = buildPrompt({ turns: ask, products: many, tokenBudget: budget });
    const block = prompt.systemPrompt.slice(
      prompt.systemPrompt.indexOf("<products>\n") + "<products>\n".length,
      -"\n</products>".length,
    );
    expect(prompt.products.length).toBeGreaterThan(0);
    expect(prompt.products.length).toBeLessThan(many.length);
    expect(prompt.products).toEqual(many.slice(0, prompt.products.length));
    expect(estimateTokens(block)).toBeLessThanOrEqual(budget * PRODUCTS_BUDGET_SHARE);
  });

  it("adds nothing when no product matched, and keeps the passages", () => {
    const prompt = buildPrompt({
      knowledge: [...FAQ, linenPassage],
      turns: ask,
      products: [],
      shopifyMetadata: "Store: Demo",
      documentProducts: new Map([["doc_linen", linen.id]]),
    });
    expect(prompt.systemPrompt).not.toContain(PRODUCTS_SECTION_HEADING);
    expect(prompt.systemPrompt).not.toContain("<products>");
    expect(prompt.systemPrompt.endsWith("Conversation summary: (none yet)")).toBe(true);
    expect(prompt.knowledge).toEqual([...FAQ, linenPassage]);
  });

  it("a template that places {products} gets the rows there, once, and no section", () => {
    const prompt = buildPrompt({
      template: "Products:\n{products}\nKnow: {knowledge}",
      knowledge: [linenPassage],
      turns: ask,
      products: [linen],
      documentProducts: new Map([["doc_linen", linen.id]]),
    });
    expect(prompt.systemPrompt).toBe(
      "Products:\n1. Linen Shirt — type: Shirts — https://shop.example.com/products/linen-shirt\n   M: $45.00, in stock (3)\n   The Linen Shirt.\nKnow: (nothing relevant found)",
    );
  });
});

describe("validatePromptTemplate", () => {
  it("accepts the default template and every known variable", () => {
    expect(validatePromptTemplate(DEFAULT_PROMPT_TEMPLATE)).toEqual({ ok: true, unknownVariables: [] });
    expect(
      validatePromptTemplate(
        "{brand_name}{tone}{do_list}{dont_list}{policy_snippets}{knowledge}{short_memory}{ last_n_messages }",
      ).ok,
    ).toBe(true);
  });

  it("reports unknown variables once each, in order; JSON-looking braces are not variables", () => {
    expect(validatePromptTemplate('Hello {brandname} {customer_name} {brandname} {"a": 1}')).toEqual({
      ok: false,
      unknownVariables: ["brandname", "customer_name"],
    });
  });

  it("assertValidPromptTemplate throws invalid_prompt_template naming them", () => {
    expect(() => assertValidPromptTemplate("Hi {toon}")).toThrowError(
      expect.objectContaining({ code: "invalid_prompt_template", message: expect.stringContaining("{toon}") }),
    );
    expect(() => assertValidPromptTemplate("Hi {tone}")).not.toThrow();
  });
});

describe("estimateTokens", () => {
  it("counts ~4 ASCII characters per token and one per Thai, Chinese or Japanese character", () => {
    expect(estimateTokens("abcd".repeat(25))).toBe(25);
    expect(estimateTokens("ขอคุยกับพนักงาน")).toBe([..."ขอคุยกับพนักงาน"].length);
    expect(estimateTokens("返品したいです")).toBe(7);
    expect(estimateTokens("")).toBe(0);
  });
});
