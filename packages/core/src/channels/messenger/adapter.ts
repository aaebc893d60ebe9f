/**
 * Facebook Messenger as a channel adapter: the Page webhook (app secret, one stored row per `entry[]`),
 * the Send API with its 24-hour / `HUMAN_AGENT` window, the typing indicator and the User Profile API.
 * The Graph client is built per call from the live config: the simulator re-points `GRAPH_API_URL`
 * after start-up.
 */

import type { Config } from "../../config.ts";
import { type Ctx, channelsOf } from "../../context.ts";
import type { Keyring } from "../../secrets/keyring.ts";
import type {
  AdapterChannel,
  AdapterEnv,
  ChannelAdapter,
  ChannelDefinition,
  ChannelInbound,
  CustomerEvent,
} from "../adapter.ts";
import type { ChannelRegistry } from "../registry.ts";
import { createGraphClient, GraphApiError, type GraphClient, type GraphProfile } from "./graph-client.ts";
import { readPageToken } from "./page-token.ts";
import {
  ECHO_METADATA_PREFIX,
  MESSENGER_CARDS,
  MESSENGER_HUMAN_AGENT_WINDOW_MS,
  MESSENGER_MAX_ATTACHMENT_BYTES,
  MESSENGER_STANDARD_WINDOW_MS,
  MESSENGER_TEXT_LIMIT,
  type MessengerDelivery,
  messengerDelivery,
  messengerParts,
  sendMessengerParts,
} from "./send.ts";
import {
  entryEvents,
  type MessengerAttachmentRef,
  type MessengerEvent,
  parseMessengerEntry,
  parseMessengerWebhook,
  verifyMessengerSignature,
} from "./webhook.ts";

export interface MessengerAdapter extends ChannelAdapter {
  type: "messenger";
  /** A Graph client for the Messenger verbs (connect, OAuth, subscribe), from the live config. */
  graph(): GraphClient;
  /** Decrypts a channel's Page token. */
  pageToken(channel: { secretsEncrypted: string | null }): string;
  keyring: Keyring;
}

const capabilities: ChannelDefinition["capabilities"] = {
  replyWindow: (role, lastInboundAt, now) => {
    const decision = messengerDelivery(role, lastInboundAt, now);
    if (!decision.allowed) return decision;
    const { allowed: _, ...how } = decision;
    return { allowed: true, how: { kind: "messenger", ...how } };
  },
  replyWindowTimes: (lastInboundAt) => {
    if (!lastInboundAt) return { agentUntil: null, botUntil: null };
    const from = lastInboundAt.getTime();
    return {
      agentUntil: new Date(from + MESSENGER_HUMAN_AGENT_WINDOW_MS),
      botUntil: new Date(from + MESSENGER_STANDARD_WINDOW_MS),
    };
  },
  maxTextLength: MESSENGER_TEXT_LIMIT,
  typing: true,
  profile: true,
  receipts: true,
  echoes: true,
  delivery: "push",
  // Uploaded with the Send API (`filedata`), so Meta never needs to reach this installation: up to 25 MB.
  attachments: {
    rules: [
      {
        kind: "image",
        mimes: ["image/jpeg", "image/png", "image/gif", "image/webp"],
        maxBytes: MESSENGER_MAX_ATTACHMENT_BYTES,
      },
      {
        kind: "video",
        mimes: ["video/mp4", "video/quicktime", "video/webm"],
        maxBytes: MESSENGER_MAX_ATTACHMENT_BYTES,
      },
      {
        kind: "audio",
        mimes: ["audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/aac", "audio/ogg", "audio/wav"],
        maxBytes: MESSENGER_MAX_ATTACHMENT_BYTES,
      },
      { kind: "file", mimes: null, maxBytes: MESSENGER_MAX_ATTACHMENT_BYTES },
    ],
    maxFiles: 5,
    fetchedByUrl: false,
  },
  // A generic-template carousel after the text (`messengerParts`).
  cards: MESSENGER_CARDS,
};

export const messengerChannel: ChannelDefinition = {
  type: "messenger",
  capabilities,
  create: createMessengerAdapter,
};

export function createMessengerAdapter(env: AdapterEnv): MessengerAdapter {
  const graph = () => {
    const { graphApiUrl, appId, appSecret, loginConfigId } = env.config.facebook;
    return createGraphClient({ baseUrl: graphApiUrl, appId, appSecret, loginConfigId });
  };
  const pageToken = (channel: { secretsEncrypted: string | null }) => readPageToken(env.keyring, channel);
  const pageIdOf = (channel: AdapterChannel): string => {
    if (!channel.externalId) throw new Error(`Messenger channel ${channel.id} has no Page id`);
    return channel.externalId;
  };

  return {
    type: "messenger",
    capabilities,
    graph,
    pageToken,
    keyring: env.keyring,

    inbound: messengerInbound(env.config),

    async send(input) {
      // `how` is what `replyWindow` decided above: `RESPONSE`, or the `HUMAN_AGENT` tag.
      const delivery: Extract<MessengerDelivery, { allowed: true }> =
        input.how.messagingType === "MESSAGE_TAG"
          ? { allowed: true, messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" }
          : { allowed: true, messagingType: "RESPONSE" };
      await sendMessengerParts(graph(), {
        pageId: pageIdOf(input.channel),
        pageAccessToken: pageToken(input.channel),
        psid: input.contact.platformUserId,
        delivery,
        parts: messengerParts(input.message.text, input.message.attachments, input.message.productCards),
        alreadySent: input.alreadySent,
        echoMetadata: `${ECHO_METADATA_PREFIX}${input.message.id}`,
        onPartSent: input.onPartSent,
        media: input.media,
      });
    },

    async fetchProfile(channel, psid) {
      const profile = await readProfile(graph(), psid, pageToken(channel));
      const name = profile.name ?? ([profile.first_name, profile.last_name].filter(Boolean).join(" ") || undefined);
      return {
        name,
        firstName: profile.first_name,
        lastName: profile.last_name,
        pictureUrl: profile.profile_pic,
        locale: profile.locale,
      };
    },

    async showTyping(channel, psid, on) {
      await graph().senderAction(pageIdOf(channel), pageToken(channel), psid, on ? "typing_on" : "typing_off");
    },

    async release(channel) {
      await graph().unsubscribeApp(pageIdOf(channel), pageToken(channel));
    },

    classifyError(error) {
      if (!(error instanceof GraphApiError)) return null;
      const base = { retryable: error.retryable, tokenExpired: error.tokenExpired, reason: error.message };
      if (error.tokenExpired) return { ...base, code: "token_expired" };
      if (error.outsideWindow) return { ...base, code: "outside_messaging_window" };
      if (error.code !== null) return { ...base, code: `platform_error_${error.code}` };
      return { ...base, code: error.status === 0 ? "platform_unreachable" : "platform_unavailable" };
    },
  };
}

/**
 * The webhook half: the app secret's signature over Meta's exact bytes, one row per `entry[]` (the
 * events of one Page, stored as Meta sent it), and each `messaging[]` / `standby[]` item normalised.
 */
export function messengerInbound(config: Pick<Config, "facebook">): ChannelInbound {
  return {
    signatureHeader: "X-Hub-Signature-256",
    verify: (request, secret) =>
      verifyMessengerSignature(request.rawBody, request.header("x-hub-signature-256"), secret),
    split: (body) => {
      const webhook = parseMessengerWebhook(body);
      // Store the entries as Meta sent them (parsing drops unknown fields; the raw entry keeps them).
      const rawEntries = (body as { entry: unknown[] }).entry;
      return webhook.entry.map((entry, i) => ({
        channel: { externalId: entry.id },
        payload: rawEntries[i],
        items: (entry.messaging?.length ?? 0) + (entry.standby?.length ?? 0) + (entry.changes?.length ? 1 : 0),
      }));
    },
    claimedExternalIds: pageIdsOfUntrustedBody,
    normalize: (payload) => {
      const entry = parseMessengerEntry(payload);
      const events = entryEvents(entry).map(({ event, standby }) =>
        normalizeEvent(event, standby, config.facebook.appId),
      );
      // One refresh of the Page's metadata however many changes the entry lists (seed S1 does the same).
      if (entry.changes?.length) {
        const fields = [...new Set(entry.changes.flatMap((c) => (c.field ? [c.field] : [])))];
        events.push({ type: "account_changed", fields });
      }
      return events;
    },
  };
}

/** The Messenger adapter of a registry, with its Messenger-only helpers (Graph client, Page token). */
export function messengerAdapter(channels: ChannelRegistry): MessengerAdapter {
  return channels.get("messenger") as MessengerAdapter;
}

function normalizeEvent(event: MessengerEvent, standby: boolean, ourAppId: string | undefined): CustomerEvent {
  if (event.type === "unknown") return event;
  const from = { platformId: event.senderId, kind: "user" as const };
  const at = new Date(event.timestamp);
  switch (event.type) {
    case "message":
    case "postback": {
      const postback = event.type === "postback";
      return {
        type: "message",
        from,
        standby,
        message: {
          // A postback without a mid (older deliveries) still needs a stable id to deduplicate on.
          platformMessageId: event.mid ?? `postback:${event.senderId}:${event.timestamp}`,
          text: postback ? event.title : event.text,
          attachments: postback ? [] : toAttachments(event.attachments),
          payload: postback ? event.payload : event.quickReplyPayload,
          postback,
          replyToPlatformId: postback ? null : event.replyToMid,
          at,
        },
      };
    }
    case "echo": {
      const marker = event.metadata?.startsWith(ECHO_METADATA_PREFIX)
        ? event.metadata.slice(ECHO_METADATA_PREFIX.length)
        : null;
      return {
        type: "echo",
        to: { platformId: event.recipientId, kind: "user" },
        platformMessageId: event.mid,
        text: event.text,
        attachments: toAttachments(event.attachments),
        at,
        ourMessageId: marker || null,
        fromThisApp: Boolean(ourAppId) && event.appId === ourAppId,
        metadata: { appId: event.appId, echoMetadata: event.metadata },
      };
    }
    case "delivery":
    case "read":
      return {
        type: "receipt",
        status: event.type === "delivery" ? "delivered" : "read",
        from,
        watermark: new Date(event.watermark),
        platformMessageIds: event.type === "delivery" ? event.mids : [],
        at,
      };
    case "reaction":
      return {
        type: "reaction",
        from,
        platformMessageId: event.mid,
        action: event.action,
        value: event.emoji ?? event.reaction ?? "other",
        at,
      };
  }
}

const ATTACHMENT_TYPES: Record<string, "image" | "video" | "audio" | "file" | "sticker" | "location"> = {
  image: "image",
  video: "video",
  reel: "video",
  ig_reel: "video",
  audio: "audio",
  file: "file",
  sticker: "sticker",
  location: "location",
};

function toAttachments(refs: MessengerAttachmentRef[]) {
  return refs.map((a) => ({
    type: ATTACHMENT_TYPES[a.type] ?? ("fallback" as const),
    url: a.url ?? "",
    ...(a.title ? { name: a.title } : {}),
  }));
}

/** The profile with `locale`, or without it when the app may not read it. */
async function readProfile(graph: GraphClient, psid: string, token: string): Promise<GraphProfile> {
  try {
    return await graph.getProfile(psid, token);
  } catch (error) {
    if (!refusedField(error)) throw error;
    return graph.getProfile(psid, token, { locale: false });
  }
}

/** No such person (2018001) or no profile at all (2018218): leaving `locale` out would not help. */
const NO_PROFILE_SUBCODES = new Set([2018001, 2018218]);

/**
 * `locale` needs approval beyond Business Asset User Profile Access: a permission or field refusal
 * (10, 100, 200–299) is asked once more without it. Not 190, and not "there is no profile".
 */
function refusedField(error: unknown): boolean {
  if (!(error instanceof GraphApiError) || error.code === null || error.tokenExpired || error.retryable) return false;
  if (error.subcode !== null && NO_PROFILE_SUBCODES.has(error.subcode)) return false;
  return error.code === 10 || error.code === 100 || (error.code >= 200 && error.code < 300);
}

/** At most a few distinct, id-shaped `entry[].id` strings; anything unexpected gives none. */
function pageIdsOfUntrustedBody(rawBody: Uint8Array): string[] {
  try {
    const body = JSON.parse(Buffer.from(rawBody).toString("utf8")) as { entry?: unknown };
    if (!Array.isArray(body.entry)) return [];
    const ids = body.entry
      .map((e) => (e && typeof e === "object" ? (e as { id?: unknown }).id : undefined))
      .filter((id): id is string => typeof id === "string" && /^[\w.-]{1,64}$/.test(id));
    return [...new Set(ids)].slice(0, 10);
  } catch {
    return [];
  }
}

/** What the Messenger verbs (connect, OAuth, subscribe) use: a Graph client from the live config, the keyring. */
export interface MessengerClients {
  graph: GraphClient;
  keyring: Keyring;
}

export function messengerClients(ctx: Pick<Ctx, "channels">): MessengerClients {
  const adapter = messengerAdapter(channelsOf(ctx));
  return { graph: adapter.graph(), keyring: adapter.keyring };
}
