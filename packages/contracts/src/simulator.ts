import { z } from "zod";

/**
 * The Messenger customer side of the in-process simulator (`/_simulator/customer/messenger/*`,
 * only when the simulator is on): the /simulator page sends as a customer and reads back what the
 * Page answered through the fake Send API.
 */

/** A PSID is a numeric string on Messenger; the simulator accepts any short id. */
const Psid = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z_-]{1,64}$/, "must be 1–64 letters, digits, - or _");

export const SimulatorSendInput = z
  .object({
    psid: Psid,
    /** Registers the customer's profile ("First Last") so the app's profile fetch finds it. */
    name: z.string().trim().min(1).max(120).optional(),
    /** Defaults to the demo Page. */
    pageId: z.string().trim().min(1).max(64).optional(),
    text: z.string().trim().min(1).max(2000).optional(),
    /** A tap on one of the Page's quick replies: `text` is the button's title. */
    quickReplyPayload: z.string().min(1).max(1000).optional(),
    postback: z.object({ title: z.string().min(1).max(200), payload: z.string().min(1).max(1000) }).optional(),
    attachmentUrl: z.string().url().max(2000).optional(),
  })
  .refine((v) => Boolean(v.text || v.postback || v.attachmentUrl), {
    message: "Send text, a postback or an attachment",
    path: ["text"],
  })
  .refine((v) => !v.quickReplyPayload || Boolean(v.text), {
    message: "A quick reply needs its title as text",
    path: ["text"],
  });
export type SimulatorSendInput = z.input<typeof SimulatorSendInput>;

export const SimulatorReceiptInput = z.object({ psid: Psid, pageId: z.string().trim().min(1).max(64).optional() });
export type SimulatorReceiptInput = z.input<typeof SimulatorReceiptInput>;

/** What the app answered to the signed webhook. */
export const SimulatorWebhookResult = z.object({ status: z.number().int(), ok: z.boolean() });

export const SimulatorSendResult = z.object({ mid: z.string(), webhook: SimulatorWebhookResult });
export type SimulatorSendResult = z.infer<typeof SimulatorSendResult>;

export const SimulatorReceiptResult = z.object({
  watermark: z.number(),
  mids: z.array(z.string()),
  webhook: SimulatorWebhookResult,
});
export type SimulatorReceiptResult = z.infer<typeof SimulatorReceiptResult>;

/**
 * One card of a carousel the business sent (Messenger's generic template, LINE's carousel template),
 * as the simulated phone draws it: image, title, the line under it, and its buttons (a link, or a
 * button that sends a message back).
 */
export const SimulatorCard = z.object({
  title: z.string(),
  subtitle: z.string().nullable(),
  imageUrl: z.string().nullable(),
  buttons: z.array(z.object({ title: z.string(), url: z.string().nullable() })),
});
export type SimulatorCard = z.infer<typeof SimulatorCard>;

export const SimulatorThreadItem = z.object({
  /** The message id (`m_…`) of this message. */
  mid: z.string(),
  from: z.enum(["customer", "page"]),
  kind: z.enum(["text", "attachment", "quick_reply", "postback", "template"]),
  text: z.string().nullable(),
  /** `image`, `video`, `audio`, `file`… at the URL the customer's Messenger loads it from; a file's name when known. */
  attachments: z.array(z.object({ type: z.string(), url: z.string().nullable(), name: z.string().nullable() })),
  /** A generic template's elements, drawn as a carousel of cards. */
  cards: z.array(SimulatorCard).optional(),
  /** Buttons the Page offered under this message; tapping one sends its payload back. */
  quickReplies: z.array(z.object({ title: z.string(), payload: z.string() })),
  /** Quick-reply or postback payload the customer sent. */
  payload: z.string().nullable(),
  time: z.string(),
  /** Customer messages: how the app answered the webhook. Page messages: always null. */
  webhook: SimulatorWebhookResult.nullable(),
  /** Page messages: `RESPONSE`, `UPDATE` or `MESSAGE_TAG`, and the tag (`HUMAN_AGENT`). */
  messagingType: z.string().nullable(),
  tag: z.string().nullable(),
});
export type SimulatorThreadItem = z.infer<typeof SimulatorThreadItem>;

export const SimulatorThread = z.object({
  pageId: z.string(),
  psid: z.string(),
  /** The customer's name as the fake Graph API reports it. */
  name: z.string(),
  items: z.array(SimulatorThreadItem),
  /** The Page's last sender action was `typing_on` after its last message. */
  pageTyping: z.boolean(),
  /** When the Page last sent `mark_seen`, if ever. */
  pageSeenAt: z.string().nullable(),
});
export type SimulatorThread = z.infer<typeof SimulatorThread>;

export const SimulatorCustomer = z.object({
  psid: z.string(),
  name: z.string(),
  /** Last message either way, when there was one. */
  lastActivityAt: z.string().nullable(),
});
export type SimulatorCustomer = z.infer<typeof SimulatorCustomer>;

export const SimulatorCustomers = z.object({
  /** The Page customers write to unless they choose another. */
  defaultPageId: z.string(),
  pages: z.array(z.object({ id: z.string(), name: z.string() })),
  customers: z.array(SimulatorCustomer),
});
export type SimulatorCustomers = z.infer<typeof SimulatorCustomers>;

/**
 * A message caught by the simulator's SMTP catcher (`/_simulator/_control/mail`): in development
 * without an SMTP server, every mail the app sends lands there and the /simulator page shows it.
 */
export const SimulatorMail = z.object({
  id: z.string(),
  receivedAt: z.string(),
  envelope: z.object({ from: z.string().nullable(), to: z.array(z.string()) }),
  from: z.string().nullable(),
  to: z.array(z.string()),
  subject: z.string(),
  text: z.string().nullable(),
  html: z.string().nullable(),
  /** http(s) links of the text and HTML bodies, in order. */
  links: z.array(z.string()),
});
export type SimulatorMail = z.infer<typeof SimulatorMail>;

export const SimulatorMailbox = z.object({ data: z.array(SimulatorMail) });
export type SimulatorMailbox = z.infer<typeof SimulatorMailbox>;

/**
 * The LINE customer side of the in-process simulator (`/_simulator/customer/line/*`): the /simulator
 * page writes as a LINE user, 1:1 with the Official Account or in a group, and reads back what the
 * bot sent through the fake Messaging API (reply or push).
 */
const LineUserId = z.string().regex(/^U[0-9a-f]{32}$/, "must be U and 32 hex characters");
const LineGroupId = z.string().regex(/^C[0-9a-f]{32}$/, "must be C and 32 hex characters");
const LineChannelId = z.string().regex(/^\d{1,20}$/, "must be the numeric channel id");

export const LineSimulatorEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: z.string().trim().min(1).max(5000) }),
  z.object({
    type: z.literal("sticker"),
    packageId: z.string().regex(/^\d{1,20}$/),
    stickerId: z.string().regex(/^\d{1,20}$/),
  }),
  /** A small sample photo, served afterwards by the fake content host. */
  z.object({ type: z.literal("image") }),
  z.object({
    type: z.literal("location"),
    title: z.string().trim().min(1).max(100).optional(),
    address: z.string().trim().min(1).max(100).optional(),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
  }),
  z.object({
    type: z.literal("postback"),
    data: z.string().min(1).max(300),
    params: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ type: z.literal("follow") }),
  z.object({ type: z.literal("unfollow") }),
  /** Takes back one of the customer's earlier messages. */
  z.object({ type: z.literal("unsend"), messageId: z.string().regex(/^\d{1,24}$/) }),
]);
export type LineSimulatorEvent = z.infer<typeof LineSimulatorEvent>;

export const LineSimulatorSendInput = z
  .object({
    userId: LineUserId,
    /** Registers the user's LINE display name, so the app's profile fetch finds it. */
    name: z.string().trim().min(1).max(120).optional(),
    /** Defaults to the demo channel. */
    channelId: LineChannelId.optional(),
    /** Writes in this group (the user joins it if needed); 1:1 without it. */
    groupId: LineGroupId.optional(),
    /**
     * The chatbot whose webhook receives the event when the channel has no webhook endpoint set on
     * (the fake) LINE; with one set, the event goes there, as LINE delivers it.
     */
    chatbotId: z.string().trim().min(1).max(64).optional(),
    event: LineSimulatorEvent,
  })
  .refine((v) => !(v.groupId && (v.event.type === "follow" || v.event.type === "unfollow")), {
    message: "Follow and unfollow happen in the 1:1 chat only",
    path: ["groupId"],
  });
export type LineSimulatorSendInput = z.input<typeof LineSimulatorSendInput>;

export const LineSimulatorSendResult = z.object({
  webhookEventId: z.string(),
  /** The message id LINE gave the customer's message; null for events without a message. */
  messageId: z.string().nullable(),
  webhook: SimulatorWebhookResult,
});
export type LineSimulatorSendResult = z.infer<typeof LineSimulatorSendResult>;

export const LineSimulatorThreadItem = z.object({
  /** The LINE message id, or the webhook event id for events without a message. */
  id: z.string(),
  from: z.enum(["customer", "bot"]),
  /** Customer items: who wrote (in a group, one of several members). */
  userId: z.string().nullable(),
  kind: z.enum([
    "text",
    "sticker",
    "image",
    "video",
    "audio",
    "file",
    "location",
    "postback",
    "follow",
    "unfollow",
    "unsend",
    "template",
    "other",
  ]),
  text: z.string().nullable(),
  sticker: z.object({ packageId: z.string(), stickerId: z.string() }).nullable(),
  /** Image, video or audio to show: the bot's URL, or the simulator's copy of what the customer sent. */
  url: z.string().nullable(),
  /** A carousel template's columns, drawn as cards (`text` is its alt text). */
  cards: z.array(SimulatorCard).optional(),
  /** Bot images and videos: the small image LINE shows in the chat (`previewImageUrl`). */
  previewUrl: z.string().nullable(),
  location: z
    .object({
      title: z.string().nullable(),
      address: z.string().nullable(),
      latitude: z.number(),
      longitude: z.number(),
    })
    .nullable(),
  /** Postback data the customer sent, or the id of the message an unsend takes back. */
  payload: z.string().nullable(),
  /** Bot items: how the bot sent it. */
  via: z.enum(["reply", "push"]).nullable(),
  /** The customer took this message back. */
  unsent: z.boolean(),
  time: z.string(),
  webhook: SimulatorWebhookResult.nullable(),
});
export type LineSimulatorThreadItem = z.infer<typeof LineSimulatorThreadItem>;

export const LineSimulatorThread = z.object({
  channelId: z.string(),
  chatType: z.enum(["user", "group"]),
  /** The user id (1:1) or the group id. */
  chatId: z.string(),
  /** The user's display name, or the group's name. */
  name: z.string(),
  items: z.array(LineSimulatorThreadItem),
  /** The bot started the loading animation after its last message and it has not run out. */
  botLoading: z.boolean(),
});
export type LineSimulatorThread = z.infer<typeof LineSimulatorThread>;

export const LineSimulatorCustomers = z.object({
  defaultChannelId: z.string(),
  channels: z.array(
    z.object({
      channelId: z.string(),
      name: z.string(),
      basicId: z.string(),
      webhookEndpoint: z.string().nullable(),
      /** The simulated channel's credentials, to paste on Settings → Channels (fake, like the platform). */
      channelSecret: z.string(),
      channelAccessToken: z.string(),
    }),
  ),
  users: z.array(z.object({ userId: z.string(), name: z.string(), lastActivityAt: z.string().nullable() })),
  groups: z.array(z.object({ groupId: z.string(), name: z.string(), memberIds: z.array(z.string()) })),
});
export type LineSimulatorCustomers = z.infer<typeof LineSimulatorCustomers>;

/**
 * The simulated Shopify store's catalog as the /simulator page edits it
 * (`/_simulator/_control/shopify/shops/{shop}/products`): a price or stock change made there fires
 * `products/update` (and `inventory_levels/update`) to the apps subscribed on the shop, signed like
 * Shopify's webhooks.
 */
export const SimulatorShopifyVariant = z.object({
  id: z.number(),
  gid: z.string(),
  title: z.string(),
  sku: z.string().nullable(),
  price: z.string(),
  compareAtPrice: z.string().nullable(),
  inventoryQuantity: z.number(),
  inventoryPolicy: z.enum(["DENY", "CONTINUE"]),
});
export type SimulatorShopifyVariant = z.infer<typeof SimulatorShopifyVariant>;

export const SimulatorShopifyProduct = z.object({
  id: z.number(),
  gid: z.string(),
  title: z.string(),
  handle: z.string(),
  status: z.enum(["ACTIVE", "DRAFT", "ARCHIVED"]),
  currencyCode: z.string(),
  updatedAt: z.string(),
  variants: z.array(SimulatorShopifyVariant),
});
export type SimulatorShopifyProduct = z.infer<typeof SimulatorShopifyProduct>;

export const SimulatorShopifyProducts = z.object({ data: z.array(SimulatorShopifyProduct) });

/** `GET …/shopify/shops`: the simulated shops, the demo shop first. */
export const SimulatorShopifyShops = z.object({
  data: z.array(z.object({ domain: z.string(), name: z.string(), currencyCode: z.string(), productCount: z.number() })),
});

/** `PATCH …/products/{id}`: the variants to change (price as a decimal string, stock as a count). */
export const SimulatorShopifyProductPatch = z.object({
  variants: z.array(
    z.object({
      id: z.number(),
      price: z
        .string()
        .trim()
        .regex(/^\d+(\.\d{1,2})?$/, "enter a price such as 1290 or 12.50")
        .optional(),
      inventoryQuantity: z.number().int().min(-9999).max(999_999).optional(),
    }),
  ),
});
export type SimulatorShopifyProductPatch = z.infer<typeof SimulatorShopifyProductPatch>;

/** A webhook the simulated Shopify sent (`/_simulator/_control/shopify/deliveries`). */
export const SimulatorShopifyDelivery = z.object({
  seq: z.number(),
  topic: z.string(),
  shop: z.string(),
  url: z.string(),
  triggeredAt: z.string(),
  state: z.enum(["pending", "delivered", "failed"]),
  attempts: z.array(z.object({ at: z.string(), status: z.number().nullable(), error: z.string().optional() })),
});
export type SimulatorShopifyDelivery = z.infer<typeof SimulatorShopifyDelivery>;

export const SimulatorShopifyDeliveries = z.object({ data: z.array(SimulatorShopifyDelivery) });
