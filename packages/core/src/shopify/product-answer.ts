/**
 * The offline provider's answer to a product question, from the current product rows it is given
 * (`LlmRequest.products`): the price and stock of the product the question names — of the variant it
 * names, when it names one ("Do you have the linen shirt in M?") — and, when that is out of stock,
 * plainly so, with up to two available alternatives of the same type or sharing a tag. So the demo
 * sells without an LLM. Pure: no database, no network.
 */
import { formatMoney, matchVariant, type ProductFact, priceText, titleCoverage } from "./product-facts.ts";

/** The question names a product when it holds at least this share of the product's title. */
const NAMED = 0.6;
/** Words that make a question about buying (price, stock, sizes) rather than about a policy. */
const SHOPPING =
  /\b(price|prices|cost|costs|how much|stock|available|availability|have|has|sell|sells|size|sizes|colou?rs?|buy|order|left)\b/i;

export interface ProductAnswer {
  text: string;
  product: ProductFact;
  /** How much of the product's title the question names, 0–1. */
  confidence: number;
}

/**
 * The answer, or null when the question names no product — or names one but is not about buying it
 * and `otherConfidence` (the best knowledge item's score) is higher than the title match.
 */
export function answerProductQuestion(
  products: readonly ProductFact[],
  question: string,
  otherConfidence = 0,
): ProductAnswer | null {
  let product: ProductFact | null = null;
  let coverage = 0;
  for (const candidate of products) {
    const c = titleCoverage(candidate.title, question);
    if (c > coverage) {
      product = candidate;
      coverage = c;
    }
  }
  if (!product || coverage < NAMED) return null;
  const variant = matchVariant(product, question);
  if (!variant && !SHOPPING.test(question) && otherConfidence > coverage) return null;

  const alternatives = () => {
    const similar = products
      .filter((p) => p.id !== product.id && p.available)
      .filter(
        (p) => (p.productType && p.productType === product.productType) || p.tags.some((t) => product.tags.includes(t)),
      )
      .slice(0, 2);
    if (similar.length === 0) return "";
    const named = similar.map((p) => `the ${p.title} (${priceText(p)})`).join(" or ");
    return ` You might like ${named} instead.`;
  };
  const link = product.url ? ` ${product.url}` : "";
  const real = product.variants.filter((v) => !/^default title$/i.test(v.title.trim()));

  let text: string;
  if (variant) {
    const price = formatMoney(variant.price, product.currency);
    if (variant.available) {
      text = `Yes, the ${product.title} in ${variant.title} is in stock at ${price}.${link}`;
    } else {
      const others = real.filter((v) => v.available).map((v) => v.title);
      const elsewhere = others.length ? ` It is in stock in ${others.join(", ")}.` : "";
      text = `Sorry, the ${product.title} in ${variant.title} is out of stock right now.${elsewhere}${alternatives()}`;
    }
  } else if (!product.available) {
    text = `Sorry, the ${product.title} is out of stock right now.${alternatives()}`;
  } else {
    const inStock = real.filter((v) => v.available).map((v) => v.title);
    const out = real.filter((v) => !v.available).map((v) => v.title);
    const stock = real.length
      ? ` In stock: ${inStock.join(", ")}.${out.length ? ` Out of stock: ${out.join(", ")}.` : ""}`
      : " It is in stock.";
    text = `The ${product.title} costs ${priceText(product)}.${stock}${link}`;
  }
  return { text, product, confidence: Math.round(coverage * 1000) / 1000 };
}
