/**
 * Products as the sales assistant sees them (pure functions, no database): the current `product` rows
 * a reply may talk about, how they are written into the prompt (`{products}`), which of them a reply
 * recommends (the product cards), and which variant a customer's question names.
 *
 * Prices and stock always come from the rows, read for each reply — never from the knowledge
 * passages, which only help find the products.
 */
import { MAX_PRODUCT_CARDS } from "@tandem/contracts";
import type { MessageProductCard, ProductVariant } from "@tandem/db";

/** A product a reply may mention: the `product` row's fields the prompt, the offline answer and the cards read. */
export interface ProductFact {
  id: string;
  title: string;
  handle: string | null;
  description: string | null;
  vendor: string | null;
  productType: string | null;
  tags: string[];
  url: string | null;
  imageUrl: string | null;
  currency: string | null;
  priceMin: string | null;
  priceMax: string | null;
  available: boolean;
  totalInventory: number | null;
  variants: ProductVariant[];
}

/** The store as `{shopify_metadata}` describes it. */
export interface StoreFact {
  name: string | null;
  shopDomain: string;
  currency: string | null;
  primaryDomainUrl: string | null;
  description: string | null;
}

const TOKEN = /[\p{L}\p{N}'’]+/gu;

/** A text's words, lower-cased, accents kept apart ("I'm" stays one word, so "m" is not found in it). */
export function wordsOf(text: string): string[] {
  return [...text.normalize("NFKC").toLowerCase().matchAll(TOKEN)].map((m) => m[0]);
}

/** Shopify names the only variant of a product without options "Default Title". */
const isDefaultVariant = (v: ProductVariant) => /^default title$/i.test(v.title.trim());

/** The values that name a variant: its options' values, else the parts of its title ("M / Natural"). */
function variantValues(variant: ProductVariant): string[] {
  const options = Object.values(variant.options ?? {}).filter((v) => v.trim());
  const values = options.length ? options : variant.title.split("/");
  return values.map((v) => v.trim().toLowerCase()).filter(Boolean);
}

/**
 * The variant the question names ("the linen shirt in M" → the "M" variant): the one with the most of
 * its option values written as words of the question, at least one; on a tie the first. Null when the
 * question names none, or the product has a single default variant.
 */
export function matchVariant(product: Pick<ProductFact, "variants">, question: string): ProductVariant | null {
  const words = new Set(wordsOf(question));
  const text = ` ${wordsOf(question).join(" ")} `;
  let best: ProductVariant | null = null;
  let bestHits = 0;
  for (const variant of product.variants) {
    if (isDefaultVariant(variant)) continue;
    const hits = variantValues(variant).filter((value) => {
      const parts = wordsOf(value);
      if (parts.length === 0) return false;
      return parts.length === 1 ? words.has(parts[0]!) : text.includes(` ${parts.join(" ")} `);
    }).length;
    if (hits > bestHits) {
      best = variant;
      bestHits = hits;
    }
  }
  return best;
}

/**
 * How much of the product's title the text names, 0–1: the share of the title's words found among
 * the text's words (a plural counts: "shirts" names "shirt").
 */
export function titleCoverage(title: string, text: string): number {
  const titleWords = wordsOf(title).filter((w) => w.length > 1 || /\d/.test(w));
  if (titleWords.length === 0) return 0;
  const words = new Set(wordsOf(text).flatMap((w) => [w, w.replace(/(es|s)$/, "")]));
  const found = titleWords.filter((w) => words.has(w) || words.has(w.replace(/(es|s)$/, ""))).length;
  return found / titleWords.length;
}

/** A decimal string in a currency, as a shop shows it: "$45.00", "฿1,290.00"; without a currency, the number. */
export function formatMoney(amount: string | null, currency: string | null): string {
  if (amount === null || amount === "") return "";
  const value = Number(amount);
  if (!Number.isFinite(value)) return amount;
  if (!currency) return value.toFixed(2);
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency, currencyDisplay: "narrowSymbol" }).format(value);
  } catch {
    // Not an ISO 4217 code: the number and the code as given.
    return `${value.toFixed(2)} ${currency}`;
  }
}

/** The product's price: one amount, or "min – max" when its variants differ. */
export function priceText(product: Pick<ProductFact, "priceMin" | "priceMax" | "currency" | "variants">): string {
  const prices = product.variants.map((v) => Number(v.price)).filter(Number.isFinite);
  const min = product.priceMin ?? (prices.length ? String(Math.min(...prices)) : null);
  const max = product.priceMax ?? (prices.length ? String(Math.max(...prices)) : null);
  if (min === null) return "";
  if (max === null || Number(max) === Number(min)) return formatMoney(min, product.currency);
  return `${formatMoney(min, product.currency)} – ${formatMoney(max, product.currency)}`;
}

/** Whether a variant can be bought (the row's `available`, which Shopify derives from stock and policy). */
const stockOf = (v: ProductVariant) =>
  v.available
    ? typeof v.inventoryQuantity === "number" && v.inventoryQuantity > 0
      ? `in stock (${v.inventoryQuantity})`
      : "in stock"
    : "OUT OF STOCK";

/** One product for `{products}`: title, type, tags, link, then each variant's price and stock. */
export function productLine(product: ProductFact, n: number): string {
  const head = [
    `${n}. ${product.title}`,
    product.productType ? `type: ${product.productType}` : null,
    product.vendor ? `by ${product.vendor}` : null,
    product.tags.length ? `tags: ${product.tags.slice(0, 6).join(", ")}` : null,
    product.url ? product.url : null,
  ]
    .filter(Boolean)
    .join(" — ");
  const variants = product.variants.filter((v) => !isDefaultVariant(v));
  const stock = variants.length
    ? variants
        .slice(0, 12)
        .map((v) => `${v.title}: ${formatMoney(v.price, product.currency)}, ${stockOf(v)}`)
        .join(" | ") + (variants.length > 12 ? ` | …${variants.length - 12} more` : "")
    : `${priceText(product)}, ${product.variants[0] ? stockOf(product.variants[0]) : product.available ? "in stock" : "OUT OF STOCK"}`;
  const description = product.description?.replace(/\s+/g, " ").trim();
  const about = description ? `\n   ${description.length > 160 ? `${description.slice(0, 159)}…` : description}` : "";
  return `${head}\n   ${stock}${about}`;
}

/**
 * `{products}`: the candidates, best first, as many as fit in `budgetTokens` (by `estimate`); returns
 * the block and the products it holds. "(no matching products)" when none.
 */
export function formatProducts(
  products: readonly ProductFact[],
  budgetTokens: number,
  estimate: (text: string) => number,
): { block: string; products: ProductFact[] } {
  const kept: ProductFact[] = [];
  const lines: string[] = [];
  let used = 0;
  for (const product of products) {
    const line = productLine(product, kept.length + 1);
    const cost = estimate(line) + 1;
    if (used + cost > budgetTokens) continue;
    kept.push(product);
    lines.push(line);
    used += cost;
  }
  return { block: lines.length ? lines.join("\n") : "(no matching products)", products: kept };
}

/** `{shopify_metadata}`: the store in a few lines; empty without a store. */
export function formatStore(store: StoreFact | null): string {
  if (!store) return "";
  const lines = [
    `Store: ${store.name ?? store.shopDomain}`,
    `Website: ${store.primaryDomainUrl ?? `https://${store.shopDomain}`}`,
    store.currency ? `Currency: ${store.currency}` : null,
    store.description ? `About: ${store.description.replace(/\s+/g, " ").trim().slice(0, 400)}` : null,
  ];
  return lines.filter(Boolean).join("\n");
}

const httpsOrNull = (url: string | null) => (url && /^https:\/\//i.test(url) ? url : null);

/** A product as a card; with `variant`, that variant's price, availability and title. */
export function toProductCard(product: ProductFact, variant: ProductVariant | null): MessageProductCard {
  const price = variant ? variant.price : product.priceMin === product.priceMax ? product.priceMin : null;
  return {
    productId: product.id,
    title: product.title,
    priceText: variant ? formatMoney(variant.price, product.currency) : priceText(product),
    price,
    currency: product.currency,
    available: variant ? variant.available : product.available,
    imageUrl: httpsOrNull(product.imageUrl),
    url: product.url,
    variantTitle: variant ? variant.title : null,
  };
}

/** Where the reply first names the product (title, handle, or the handle with spaces): at -1 when it does not. */
function mentionOf(product: ProductFact, reply: string): { at: number; end: number } {
  const text = reply.normalize("NFKC").toLowerCase();
  const names = [product.title, product.handle, product.handle?.replace(/-/g, " ")]
    .filter((n): n is string => Boolean(n?.trim()))
    .map((n) => n.normalize("NFKC").toLowerCase().trim());
  let at = -1;
  let end = -1;
  for (const name of names) {
    const i = text.indexOf(name);
    if (i >= 0 && (at < 0 || i < at || (i === at && i + name.length > end))) {
      at = i;
      end = i + name.length;
    }
  }
  return { at, end };
}

/**
 * The product cards of a reply: the candidates the reply mentions (by title or handle), in the order
 * it mentions them, at most `MAX_PRODUCT_CARDS`. A product whose variant the customer's question
 * names gets that variant's price, stock and title.
 */
export function selectProductCards(
  candidates: readonly ProductFact[],
  reply: string,
  question: string | null,
): MessageProductCard[] {
  const mentioned = candidates
    .map((product) => ({ product, ...mentionOf(product, reply) }))
    .filter(({ at }) => at >= 0);
  // "Linen Shirt" mentions "Shirt" too: a mention inside a longer product's mention is not one.
  return mentioned
    .filter((m) => !mentioned.some((o) => o !== m && o.at <= m.at && o.end >= m.end && o.end - o.at > m.end - m.at))
    .sort((a, b) => a.at - b.at)
    .slice(0, MAX_PRODUCT_CARDS)
    .map(({ product }) => toProductCard(product, question ? matchVariant(product, question) : null));
}
