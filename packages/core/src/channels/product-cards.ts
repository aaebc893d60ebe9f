import { MAX_PRODUCT_CARDS, type ProductCard } from "@tandem/contracts";
import type { CardCapability } from "./adapter.ts";

/**
 * Cards a customer's own client draws (the widget) or receives as data (the public API): whole, up to
 * `MAX_PRODUCT_CARDS`; the browser loads the images itself.
 */
export const CLIENT_CARDS: CardCapability = {
  maxCards: MAX_PRODUCT_CARDS,
  maxTitle: 255,
  maxSubtitle: 255,
  imageMustBeHttps: false,
};

/**
 * Product cards as a channel can show them (`ChannelCapabilities.cards`): at most `maxCards`, and an
 * image only when the channel can fetch it (https when it must be). None on a channel without cards:
 * its customers read the text, which names the products.
 */
export function cardsForChannel(cards: CardCapability | null, productCards: ProductCard[] | null): ProductCard[] {
  if (!cards || !productCards?.length) return [];
  return productCards.slice(0, cards.maxCards).map((card) => ({
    ...card,
    imageUrl: card.imageUrl && (!cards.imageMustBeHttps || isHttpsUrl(card.imageUrl)) ? card.imageUrl : null,
    url: card.url && isWebUrl(card.url) ? card.url : null,
  }));
}

/** At most `max` characters (code points, as the platforms count), cut with "…". */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, Math.max(0, max - 1))
        .join("")
        .trimEnd()}…`;
}

/** The line under a card's title: the price, the stock, then the variant asked about (cut first). */
export function cardSubtitle(card: ProductCard, max: number): string {
  const stock = card.available ? "In stock" : "Out of stock";
  return clip([card.priceText, stock, card.variantTitle].filter(Boolean).join(" · "), max);
}

/** A card's title on a channel: its own, cut to the channel's limit. */
export const cardTitle = (card: ProductCard, cards: CardCapability): string => clip(card.title.trim(), cards.maxTitle);

export const isHttpsUrl = (url: string): boolean => URL.canParse(url) && new URL(url).protocol === "https:";
const isWebUrl = (url: string): boolean => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol);
