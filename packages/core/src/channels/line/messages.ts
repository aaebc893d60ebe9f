/**
 * Our message (text and attachments) as LINE message objects, in calls of at most five.
 *
 * - Text over 5,000 characters is split on sentence or word boundaries (`splitText`).
 * - Images go as image messages when their URL is https (LINE fetches `originalContentUrl` and
 *   `previewImageUrl` itself and accepts nothing else), with the caller's small preview when it has
 *   one (`previewUrlOf`: an agent's upload); a video also needs a preview image, so it goes as a
 *   video only when the caller has one.
 * - Stickers go as LINE stickers when they carry LINE's package and sticker ids (see
 *   `lineStickerAttachment`), else as their image.
 * - Locations go as location messages when the URL names coordinates (`geo:` or a maps `query=`).
 * - Everything LINE cannot show from a URL — a non-https image or video, audio (LINE wants its
 *   duration, which we do not keep), files (bots cannot send files) — goes as a text message with
 *   the link, so the customer still gets it instead of the whole reply failing.
 */
import type { ProductCard } from "@tandem/contracts";
import type { MessageAttachment } from "@tandem/db";
import { splitText } from "../../messages/split-text.ts";
import type { CardCapability } from "../adapter.ts";
import { cardSubtitle, cardTitle, clip } from "../product-cards.ts";

export const LINE_MAX_TEXT_LENGTH = 5000;
export const LINE_MAX_MESSAGES_PER_CALL = 5;

/**
 * The carousel template: up to 10 columns, a title of at most 40 characters, a text of at most 60
 * (120 when a column has neither image nor title; ours always have a title), https thumbnails.
 */
export const LINE_CARDS: CardCapability = { maxCards: 10, maxTitle: 40, maxSubtitle: 60, imageMustBeHttps: true };
/** A template message's `altText` (what notifications and old clients show). */
export const LINE_ALT_TEXT_LENGTH = 400;

export interface LineCarouselColumn {
  thumbnailImageUrl?: string;
  title: string;
  text: string;
  defaultAction?: LineAction;
  actions: LineAction[];
}
export type LineAction = { type: "uri"; label: string; uri: string } | { type: "message"; label: string; text: string };

export type LineMessage =
  | { type: "template"; altText: string; template: { type: "carousel"; columns: LineCarouselColumn[] } }
  | { type: "text"; text: string }
  | { type: "image"; originalContentUrl: string; previewImageUrl: string }
  | { type: "video"; originalContentUrl: string; previewImageUrl: string }
  | { type: "sticker"; packageId: string; stickerId: string }
  | { type: "location"; title: string; address: string; latitude: number; longitude: number };

export interface OutgoingMessage {
  text?: string | null;
  attachments?: MessageAttachment[];
  /** Product cards (already cut to `LINE_CARDS` by the send job): one carousel after everything else. */
  productCards?: ProductCard[];
}

const STICKER_FRAGMENT = /#line-sticker=(\d+):(\d+)$/;

/**
 * A sticker a LINE customer sent, as an attachment the inbox can show (LINE's sticker image) that
 * still knows its ids: they ride in the URL fragment, which no browser sends to the CDN.
 */
export function lineStickerAttachment(packageId: string, stickerId: string): MessageAttachment {
  return {
    type: "sticker",
    url: `https://stickershop.line-scdn.net/stickershop/v1/sticker/${encodeURIComponent(stickerId)}/android/sticker.png#line-sticker=${encodeURIComponent(packageId)}:${encodeURIComponent(stickerId)}`,
    mime: "image/png",
  };
}

const isHttps = (url: string) => URL.canParse(url) && new URL(url).protocol === "https:";

/** Coordinates from `geo:lat,lng` or a maps URL with `query=lat,lng` / `q=lat,lng` / `ll=lat,lng`. */
function coordinatesOf(url: string): { latitude: number; longitude: number } | null {
  const pair = (text: string | null | undefined) => {
    const match = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)/.exec(text ?? "");
    if (!match) return null;
    const latitude = Number(match[1]);
    const longitude = Number(match[2]);
    return Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 ? { latitude, longitude } : null;
  };
  if (url.startsWith("geo:")) return pair(url.slice(4));
  if (!URL.canParse(url)) return null;
  const params = new URL(url).searchParams;
  return pair(params.get("query") ?? params.get("q") ?? params.get("ll"));
}

const link = (attachment: MessageAttachment): LineMessage => ({
  type: "text",
  text: (attachment.name ? `${attachment.name}: ${attachment.url}` : attachment.url).slice(0, LINE_MAX_TEXT_LENGTH),
});

export interface LineMessageOptions {
  /** A preview image (https JPEG, at most 240×240) of an image or video attachment, when the caller has one. */
  previewUrlOf?: (attachment: MessageAttachment) => string | null | undefined;
}

function attachmentToLine(attachment: MessageAttachment, options: LineMessageOptions): LineMessage {
  const preview = options.previewUrlOf?.(attachment);
  switch (attachment.type) {
    case "image":
      return isHttps(attachment.url)
        ? {
            type: "image",
            originalContentUrl: attachment.url,
            previewImageUrl: preview && isHttps(preview) ? preview : attachment.url,
          }
        : link(attachment);
    case "video":
      return isHttps(attachment.url) && preview && isHttps(preview)
        ? { type: "video", originalContentUrl: attachment.url, previewImageUrl: preview }
        : link(attachment);
    case "sticker": {
      const ids = STICKER_FRAGMENT.exec(attachment.url);
      if (ids) return { type: "sticker", packageId: ids[1] ?? "", stickerId: ids[2] ?? "" };
      return isHttps(attachment.url)
        ? { type: "image", originalContentUrl: attachment.url, previewImageUrl: attachment.url }
        : link(attachment);
    }
    case "location": {
      const point = coordinatesOf(attachment.url);
      if (!point) return link(attachment);
      const label = (attachment.name ?? "Location").slice(0, 100);
      const address = (attachment.name ?? `${point.latitude}, ${point.longitude}`).slice(0, 100);
      return { type: "location", title: label, address, ...point };
    }
    default:
      return link(attachment);
  }
}

/**
 * Product cards as one carousel template. LINE wants every column alike: the same number of actions,
 * and an image on all or none — so thumbnails appear only when every card has an https image. A card
 * with a product page opens it ("View"); one without asks about it (a message action sending its
 * title), so each column keeps exactly one action.
 */
export function lineCarousel(cards: ProductCard[]): LineMessage {
  const images = cards.every((card) => card.imageUrl && isHttps(card.imageUrl));
  const columns = cards.slice(0, LINE_CARDS.maxCards).map((card): LineCarouselColumn => {
    const title = cardTitle(card, LINE_CARDS);
    const action: LineAction = card.url
      ? { type: "uri", label: "View", uri: card.url }
      : { type: "message", label: "Ask about it", text: clip(card.title, 300) };
    return {
      ...(images && card.imageUrl ? { thumbnailImageUrl: card.imageUrl } : {}),
      title,
      text: cardSubtitle(card, LINE_CARDS.maxSubtitle),
      ...(action.type === "uri" ? { defaultAction: action } : {}),
      actions: [action],
    };
  });
  const list = cards.map((card) => `${card.title.trim()} (${card.priceText}${card.available ? "" : ", out of stock"})`);
  return {
    type: "template",
    altText: clip(`Products: ${list.join("; ")}`, LINE_ALT_TEXT_LENGTH),
    template: { type: "carousel", columns },
  };
}

/** Text parts first, then one message per attachment, in order, then the product carousel. */
export function toLineMessages(message: OutgoingMessage, options: LineMessageOptions = {}): LineMessage[] {
  const texts = splitText(message.text ?? "", LINE_MAX_TEXT_LENGTH).map(
    (text): LineMessage => ({ type: "text", text }),
  );
  const cards = message.productCards?.length ? [lineCarousel(message.productCards)] : [];
  return [
    ...texts,
    ...(message.attachments ?? []).map((attachment) => attachmentToLine(attachment, options)),
    ...cards,
  ];
}

/** Groups of at most five messages, one API call each, in order. */
export function batchLineMessages(messages: LineMessage[]): LineMessage[][] {
  const batches: LineMessage[][] = [];
  for (let i = 0; i < messages.length; i += LINE_MAX_MESSAGES_PER_CALL) {
    batches.push(messages.slice(i, i + LINE_MAX_MESSAGES_PER_CALL));
  }
  return batches;
}
