import type { ProductCard } from "@tandem/contracts";
import type { MessageAttachment } from "@tandem/db";
import { splitText } from "../../messages/split-text.ts";
import type { CardCapability, OutboundMedia } from "../adapter.ts";
import { cardSubtitle, cardTitle } from "../product-cards.ts";
import type { GraphClient } from "./graph-client.ts";

/**
 * The Messenger send adapter: the platform's rules for one outbound message, and the Send API calls.
 * Orchestration (status, retries, rate limit) lives in the `send-outbound-message` job.
 */
export const MESSENGER_TEXT_LIMIT = 2000;
/** The generic template: up to 10 elements, title and subtitle up to 80 characters, https images. */
export const MESSENGER_CARDS: CardCapability = { maxCards: 10, maxTitle: 80, maxSubtitle: 80, imageMustBeHttps: true };
/** The Send API takes files up to 25 MB. */
export const MESSENGER_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/** `message.metadata` of every part we send: `tandem:{messageId}`, echoed back by Meta (see `receiveEcho`). */
export const ECHO_METADATA_PREFIX = "tandem:";

const HOUR = 60 * 60 * 1000;
/** Standard messaging window after the customer's last message. */
export const MESSENGER_STANDARD_WINDOW_MS = 24 * HOUR;
/** `HUMAN_AGENT` tag: a person may still answer up to 7 days after the customer's last message. */
export const MESSENGER_HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR;

export type MessengerDelivery =
  | { allowed: true; messagingType: "RESPONSE" }
  | { allowed: true; messagingType: "MESSAGE_TAG"; tag: "HUMAN_AGENT" }
  | { allowed: false; reason: string };

/**
 * Whether a reply may go out now and how: inside 24 h of the customer's last message anything goes
 * as `RESPONSE`; up to 7 days only a human agent's reply, tagged `HUMAN_AGENT` (never a bot's);
 * after that nothing until the customer writes again.
 */
export function messengerDelivery(role: "AGENT" | "BOT", lastInboundAt: Date | null, now: Date): MessengerDelivery {
  if (!lastInboundAt) {
    return {
      allowed: false,
      reason: "The customer has not written to the Page yet: Messenger allows no message until they do.",
    };
  }
  const age = now.getTime() - lastInboundAt.getTime();
  if (age < MESSENGER_STANDARD_WINDOW_MS) return { allowed: true, messagingType: "RESPONSE" };
  if (age < MESSENGER_HUMAN_AGENT_WINDOW_MS) {
    if (role === "AGENT") return { allowed: true, messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" };
    return {
      allowed: false,
      reason:
        "The customer's last message is more than 24 hours old: Messenger allows only a human agent's reply now (HUMAN_AGENT tag, up to 7 days), never a bot's.",
    };
  }
  return {
    allowed: false,
    reason: "The customer's last message is more than 7 days old: Messenger allows no reply until they write again.",
  };
}

export type MessengerPart =
  | { text: string }
  | { attachment: { type: string; payload: { url: string; is_reusable: true } } }
  /** Product cards: one generic-template carousel. */
  | {
      attachment: {
        type: "template";
        payload: { template_type: "generic"; image_aspect_ratio: "square"; elements: GenericElement[] };
      };
    }
  /** A file we keep: uploaded with the call (`filedata`), so Meta never has to reach this installation. */
  | { upload: MessageAttachment; type: string };

const ATTACHMENT_TYPES: Record<string, string> = { image: "image", sticker: "image", audio: "audio", video: "video" };

export interface GenericElement {
  title: string;
  subtitle: string;
  image_url?: string;
  default_action?: { type: "web_url"; url: string };
  buttons?: { type: "web_url"; url: string; title: string }[];
}

/**
 * A product card as a generic-template element: the title, "price · stock" under it, the image when
 * it is https (else none), and — when the product has a page — the card and a "View" button open it.
 */
function genericElement(card: ProductCard): GenericElement {
  return {
    title: cardTitle(card, MESSENGER_CARDS),
    subtitle: cardSubtitle(card, MESSENGER_CARDS.maxSubtitle),
    ...(card.imageUrl ? { image_url: card.imageUrl } : {}),
    ...(card.url
      ? {
          default_action: { type: "web_url" as const, url: card.url },
          buttons: [{ type: "web_url" as const, url: card.url, title: "View" }],
        }
      : {}),
  };
}

/**
 * The Send API messages of one of our messages, in order: the text split at 2000, then each
 * attachment — uploaded when we keep the file (`mediaId`), else by its URL —, then the product cards
 * as one generic-template carousel (already cut to `MESSENGER_CARDS` by the send job).
 */
export function messengerParts(
  text: string | null,
  attachments: MessageAttachment[],
  productCards: ProductCard[] = [],
): MessengerPart[] {
  const cards: MessengerPart[] = productCards.length
    ? [
        {
          attachment: {
            type: "template",
            // Product photos are mostly square: Meta's default (1.91:1) would crop them.
            payload: {
              template_type: "generic",
              image_aspect_ratio: "square",
              elements: productCards.map(genericElement),
            },
          },
        },
      ]
    : [];
  return [
    ...splitText(text ?? "", MESSENGER_TEXT_LIMIT).map((part) => ({ text: part })),
    ...attachments.map((a): MessengerPart => {
      const type = ATTACHMENT_TYPES[a.type] ?? "file";
      return a.mediaId
        ? { upload: a, type }
        : { attachment: { type, payload: { url: a.url, is_reusable: true as const } } };
    }),
    ...cards,
  ];
}

export interface MessengerSendInput {
  pageId: string;
  pageAccessToken: string;
  psid: string;
  delivery: Extract<MessengerDelivery, { allowed: true }>;
  parts: MessengerPart[];
  /** Parts already sent by an earlier attempt: skipped, so a retry never repeats them. */
  alreadySent: number;
  /** Echoed back by Meta in `message.metadata` of the echo event: lets echo processing recognise our sends. */
  echoMetadata: string;
  /**
   * Called after each part with its `message_id` (`null` when the Send API answered without one), before
   * the next part goes out.
   */
  onPartSent: (messageId: string | null) => Promise<void>;
  /** The bytes of an `upload` part's file. */
  media: Pick<OutboundMedia, "read">;
}

export async function sendMessengerParts(graph: GraphClient, input: MessengerSendInput): Promise<void> {
  const { pageId, pageAccessToken: token, psid, delivery } = input;
  for (const part of input.parts.slice(input.alreadySent)) {
    const fields = {
      recipient: { id: psid },
      messaging_type: delivery.messagingType,
      ...(delivery.messagingType === "MESSAGE_TAG" ? { tag: delivery.tag } : {}),
    };
    const response =
      "upload" in part
        ? await graph.sendMessageWithFile(
            pageId,
            token,
            { ...fields, message: { attachment: { type: part.type, payload: {} }, metadata: input.echoMetadata } },
            await input.media.read(part.upload),
          )
        : await graph.sendMessage(pageId, token, { ...fields, message: { ...part, metadata: input.echoMetadata } });
    await input.onPartSent(response.message_id || null);
  }
}
