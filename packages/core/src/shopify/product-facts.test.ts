import { MAX_PRODUCT_CARDS, SALES_ASSISTANT_PRESET } from "@tandem/contracts";
import { describe, expect, it } from "vitest";
import { buildPrompt, estimateTokens, validatePromptTemplate } from "../bots/prompt.ts";
import { createOfflineProvider } from "../llm/offline.ts";
import { answerProductQuestion } from "./product-answer.ts";
import {
  formatMoney,
  formatProducts,
  formatStore,
  matchVariant,
  type ProductFact,
  priceText,
  selectProductCards,
} from "./product-facts.ts";

function product(title: string, overrides: Partial<ProductFact> = {}): ProductFact {
  const handle = title.toLowerCase().replace(/\s+/g, "-");
  return {
    id: `product_${handle}`,
    title,
    handle,
    description: `The ${title}.`,
    vendor: null,
    productType: "Shirts",
    tags: ["summer"],
    url: `https://shop.example.com/products/${handle}`,
    imageUrl: `https://cdn.example.com/${handle}.jpg`,
    currency: "USD",
    priceMin: "45.00",
    priceMax: "45.00",
    available: true,
    totalInventory: 10,
    variants: [{ id: `v_${handle}`, title: "Default Title", price: "45.00", available: true, inventoryQuantity: 10 }],
    ...overrides,
  };
}

const linenShirt = product("Linen Shirt", {
  variants: [
    { id: "v_s", title: "S", price: "45.00", available: true, inventoryQuantity: 4, options: { Size: "S" } },
    { id: "v_m", title: "M", price: "45.00", available: true, inventoryQuantity: 3, options: { Size: "M" } },
    { id: "v_l", title: "L", price: "49.00", available: false, inventoryQuantity: 0, options: { Size: "L" } },
  ],
  priceMin: "45.00",
  priceMax: "49.00",
});

describe("prices", () => {
  it("formats in the store's currency, a range when variants differ", () => {
    expect(formatMoney("1290", "THB")).toBe("฿1,290.00");
    expect(formatMoney("24.5", "USD")).toBe("$24.50");
    expect(formatMoney("10", "XYZ1")).toBe("10.00 XYZ1");
    expect(priceText(linenShirt)).toBe("$45.00 – $49.00");
    expect(priceText(product("Tote"))).toBe("$45.00");
  });
});

describe("matchVariant", () => {
  it("finds the variant the question names as a word, not inside other words", () => {
    expect(matchVariant(linenShirt, "Do you have the linen shirt in M?")?.title).toBe("M");
    expect(matchVariant(linenShirt, "linen shirt size l please")?.title).toBe("L");
    // "I'm" is one word: no "m" in it; "shirts" holds no "s" either.
    expect(matchVariant(linenShirt, "I'm looking for linen shirts")).toBeNull();
    expect(matchVariant(product("Tote"), "the tote in default title")).toBeNull();
  });

  it("prefers the variant matching more of its options", () => {
    const shirt = product("Oxford Shirt", {
      variants: [
        { id: "a", title: "M / Blue", price: "40", available: true, options: { Size: "M", Color: "Blue" } },
        { id: "b", title: "M / Natural", price: "42", available: true, options: { Size: "M", Color: "Natural" } },
      ],
    });
    expect(matchVariant(shirt, "oxford shirt in natural, size M")?.id).toBe("b");
    expect(matchVariant(shirt, "oxford shirt in M")?.id).toBe("a");
  });
});

describe("selectProductCards", () => {
  const tee = product("Cotton Tee", { imageUrl: "http://insecure.example.com/tee.jpg" });
  const trousers = product("Linen Trousers");
  const candidates = [linenShirt, tee, trousers];

  it("takes the candidates the reply mentions, in mention order, with the asked variant", () => {
    const reply = "The Cotton Tee is $45.00. The Linen Shirt in M is in stock at $45.00.";
    const cards = selectProductCards(candidates, reply, "Do you have the linen shirt in M?");
    expect(cards.map((c) => c.title)).toEqual(["Cotton Tee", "Linen Shirt"]);
    expect(cards[1]).toEqual({
      productId: linenShirt.id,
      title: "Linen Shirt",
      priceText: "$45.00",
      price: "45.00",
      currency: "USD",
      available: true,
      imageUrl: "https://cdn.example.com/linen-shirt.jpg",
      url: "https://shop.example.com/products/linen-shirt",
      variantTitle: "M",
    });
    // Only https images; the whole product's range without a variant.
    expect(cards[0]!.imageUrl).toBeNull();
    expect(selectProductCards([linenShirt], "Our linen shirt comes in S, M and L.", "shirts?")[0]).toMatchObject({
      priceText: "$45.00 – $49.00",
      price: null,
      variantTitle: null,
    });
  });

  it("matches by handle, ignores products the reply does not name, and a title inside a longer one", () => {
    const shirt = product("Shirt");
    const cards = selectProductCards(
      [shirt, ...candidates],
      "Have a look at linen-trousers and the Linen Shirt.",
      null,
    );
    expect(cards.map((c) => c.title)).toEqual(["Linen Trousers", "Linen Shirt"]);
    expect(selectProductCards(candidates, "We have no such thing, sorry.", null)).toEqual([]);
  });

  it("gives at most MAX_PRODUCT_CARDS cards", () => {
    const many = Array.from({ length: MAX_PRODUCT_CARDS + 3 }, (_, i) =>
      product(`Item ${String.fromCharCode(65 + i)}x`),
    );
    const reply = many.map((p) => p.title).join(", ");
    const cards = selectProductCards(many, reply, null);
    expect(cards).toHaveLength(MAX_PRODUCT_CARDS);
    expect(cards[0]!.title).toBe("Item Ax");
  });
});

describe("{products} and {shopify_metadata}", () => {
  it("writes each variant's price and stock, marking what is out of stock", () => {
    const { block } = formatProducts([linenShirt], 1000, estimateTokens);
    expect(block).toContain("1. Linen Shirt");
    expect(block).toContain("M: $45.00, in stock (3)");
    expect(block).toContain("L: $49.00, OUT OF STOCK");
  });

  it("keeps to the budget, best first", () => {
    const many = Array.from({ length: 40 }, (_, i) => product(`Product number ${i}`));
    const one = estimateTokens(formatProducts([many[0]!], 10_000, estimateTokens).block);
    const { block, products } = formatProducts(many, one * 5 + 5, estimateTokens);
    expect(products.length).toBeGreaterThan(1);
    expect(products.length).toBeLessThan(many.length);
    expect(products[0]!.title).toBe("Product number 0");
    expect(estimateTokens(block)).toBeLessThanOrEqual(one * 5 + 5);
  });

  it("the prompt builder fills the three variables, empty without a store or a Page", () => {
    const template =
      "Store:\n{shopify_metadata}\nProducts:\n{products}\nPage:\n{facebook_metadata}\nEnd {unknown_thing}";
    const turns = [{ role: "USER" as const, kind: "text" as const, text: "linen shirt in M?" }];
    const filled = buildPrompt({
      template,
      turns,
      shopifyMetadata: formatStore({
        name: "Demo",
        shopDomain: "demo.myshopify.com",
        currency: "USD",
        primaryDomainUrl: "https://shop.example.com",
        description: null,
      }),
      products: [linenShirt],
      facebookMetadata: "Facebook Page: Demo Page",
    });
    expect(filled.systemPrompt).toContain("Store: Demo\nWebsite: https://shop.example.com\nCurrency: USD");
    expect(filled.systemPrompt).toContain("M: $45.00, in stock (3)");
    expect(filled.systemPrompt).toContain("Page:\nFacebook Page: Demo Page");
    // Unknown variables stay as they are.
    expect(filled.systemPrompt).toContain("End {unknown_thing}");
    expect(filled.products).toEqual([linenShirt]);

    const empty = buildPrompt({ template, turns });
    expect(empty.systemPrompt).toBe("Store:\n\nProducts:\n\nPage:\n\nEnd {unknown_thing}");
    expect(empty.products).toEqual([]);
  });

  it("cuts {products} at its share of the prompt budget", () => {
    const many = Array.from({ length: 60 }, (_, i) => product(`Product number ${i}`));
    const built = buildPrompt({
      template: "{products}",
      turns: [{ role: "USER", kind: "text", text: "products?" }],
      products: many,
      shopifyMetadata: "Store: Demo",
      tokenBudget: 1000,
    });
    expect(built.products.length).toBeGreaterThan(0);
    expect(built.products.length).toBeLessThan(many.length);
    expect(estimateTokens(built.systemPrompt)).toBeLessThanOrEqual(300);
  });
});

describe("the offline product answer", () => {
  const oxford = product("Oxford Shirt", { productType: "Shirts", tags: ["office"] });
  const trousers = product("Linen Trousers", { productType: "Trousers", tags: ["summer"] });
  const soldOutHat = product("Straw Hat", { productType: "Hats", tags: ["summer"], available: false });
  const catalog = [linenShirt, oxford, trousers, soldOutHat];

  it("quotes the asked variant's price and says it is in stock", () => {
    const answer = answerProductQuestion(catalog, "Do you have the linen shirt in M?");
    expect(answer?.product.id).toBe(linenShirt.id);
    expect(answer?.text).toBe(
      "Yes, the Linen Shirt in M is in stock at $45.00. https://shop.example.com/products/linen-shirt",
    );
  });

  it("says out of stock plainly, with the sizes in stock and up to two available alternatives", () => {
    const answer = answerProductQuestion(catalog, "Is the linen shirt in L available?");
    expect(answer?.text).toBe(
      "Sorry, the Linen Shirt in L is out of stock right now. It is in stock in S, M. " +
        "You might like the Oxford Shirt ($45.00) or the Linen Trousers ($45.00) instead.",
    );
    const hat = answerProductQuestion(catalog, "how much is the straw hat?");
    // Alternatives share the hat's type or a tag ("summer"), and are available.
    expect(hat?.text).toBe(
      "Sorry, the Straw Hat is out of stock right now. " +
        "You might like the Linen Shirt ($45.00 – $49.00) or the Linen Trousers ($45.00) instead.",
    );
  });

  it("names the price range and stock per size without a variant; nothing when no product is named", () => {
    expect(answerProductQuestion(catalog, "How much is the linen shirt?")?.text).toBe(
      "The Linen Shirt costs $45.00 – $49.00. In stock: S, M. Out of stock: L. https://shop.example.com/products/linen-shirt",
    );
    expect(answerProductQuestion(catalog, "What is your return policy?")).toBeNull();
  });

  it("the offline provider answers from the products before the knowledge", async () => {
    const provider = createOfflineProvider();
    const result = await provider.generate({
      model: "offline-faq",
      messages: [{ role: "user", content: "Do you have the linen shirt in M?" }],
      knowledge: [{ id: "faq:0", kind: "faq", title: "Do you have gift cards?", content: "Yes.", score: 0.4 }],
      products: catalog,
    });
    expect(result.text).toContain("in stock at $45.00");
    expect(result.confidence).toBe(1);
    const policy = await provider.generate({
      model: "offline-faq",
      messages: [{ role: "user", content: "What is your return policy?" }],
      knowledge: [{ id: "faq:0", kind: "faq", title: "What is your return policy?", content: "30 days.", score: 0.9 }],
      products: catalog,
    });
    expect(policy.text).toBe("30 days.");
  });
});

describe("the Sales assistant preset", () => {
  it("is written with known variables only, the three sales ones included", () => {
    expect(validatePromptTemplate(SALES_ASSISTANT_PRESET.text)).toEqual({ ok: true, unknownVariables: [] });
    for (const v of ["{shopify_metadata}", "{products}", "{facebook_metadata}"]) {
      expect(SALES_ASSISTANT_PRESET.text).toContain(v);
    }
    expect(SALES_ASSISTANT_PRESET.text).toMatch(/out of stock/i);
    expect(SALES_ASSISTANT_PRESET.text).toMatch(/never invent products/i);
  });
});
