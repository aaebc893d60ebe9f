/**
 * A fake Facebook Graph API (Messenger Send API, Pages, user profiles, Facebook Login) as a Hono app.
 * Every route answers with the real wire format under any `/vNN.N` prefix (or none), and every call
 * is recorded so tests and the demo page can assert on what Tandem sent.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { GraphError, graphErrors } from "./errors.ts";
import {
  faultError,
  GraphState,
  type GraphStateSeed,
  type OutboundRecord,
  type SimPage,
  type SimUser,
  SUBSCRIBABLE_FIELDS,
  type UserToken,
} from "./state.ts";

export interface GraphSimulatorOptions extends GraphStateSeed {
  /** When set, OAuth calls must use this `client_id`. */
  appId?: string;
  /** When set, token exchanges must use this `client_secret`. */
  appSecret?: string;
  /** Shown by `GET /{page-id}/subscribed_apps`. */
  appName?: string;
  now?: () => number;
  /** The oldest calls are dropped beyond this many (default 5000), so a long demo does not grow forever. */
  maxCalls?: number;
}

export interface GraphCall {
  seq: number;
  method: string;
  /** Path below the simulator's mount point, version prefix included (`/v25.0/me/messages`). */
  path: string;
  version?: string;
  /** Query parameters without `access_token`. */
  query: Record<string, string>;
  /** Lower-cased request headers without `authorization` and `cookie` (the OAuth dialog is opened by a browser). */
  headers: Record<string, string>;
  /**
   * Parsed JSON or form body (`access_token` removed); `undefined` for an empty body. A multipart
   * body shows its text fields and, for each file, `{filename, contentType, size}` — never the bytes.
   */
  body: unknown;
  /** Where the token came from and whom it belongs to; the token itself is never recorded. */
  auth: { via: "query" | "body" | "header" | "none"; pageId?: string; userId?: string };
  time: number;
  status?: number;
  response?: unknown;
}

export interface GraphSimulator {
  app: Hono<GraphEnv>;
  calls: GraphCall[];
  state: GraphState;
  /** Clears the recorded calls and restores the seeded state. */
  reset(): void;
}

type Params = Record<string, unknown>;
/** A file part of a `multipart/form-data` call. */
type UploadedFile = { name: string; contentType: string; bytes: Uint8Array };
type GraphEnv = { Variables: { base: string; params: Params; files: Map<string, UploadedFile>; token?: string } };
type GraphContext = Context<GraphEnv>;
type Auth = { kind: "page"; page: SimPage } | { kind: "user"; user: UserToken };

const VERSION = /^\/(v\d+\.\d+)(?=\/|$)/;
const SENDER_ACTIONS = ["typing_on", "typing_off", "mark_seen", "react", "unreact"];
const MESSAGING_TYPES = ["RESPONSE", "UPDATE", "MESSAGE_TAG"];
const MESSAGE_TAGS = [
  "HUMAN_AGENT",
  "CONFIRMED_EVENT_UPDATE",
  "POST_PURCHASE_UPDATE",
  "ACCOUNT_UPDATE",
  "CUSTOMER_FEEDBACK",
];
const PROFILE_FIELDS = ["id", "name", "first_name", "last_name", "profile_pic", "locale", "timezone", "gender"];
const PAGE_FIELDS = ["id", "name", "category", "about", "description", "access_token", "tasks", "picture"];
const MAX_TEXT = 2000;
/** Attachment types that carry a file: by `payload.url`, a reusable `payload.attachment_id`, or `filedata`. */
const MEDIA_TYPES = ["image", "audio", "video", "file"];
/** Structured messages the simulator knows; the generic template is checked field by field. */
const TEMPLATE_TYPES = ["generic"];
const MAX_TEMPLATE_ELEMENTS = 10;
const BUTTON_TYPES = ["web_url", "postback", "phone_number"];
/** The Send API takes uploads up to 25 MB. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

export function createGraphSimulator(options: GraphSimulatorOptions = {}): GraphSimulator {
  const state = new GraphState(options);
  const calls: GraphCall[] = [];
  const now = options.now ?? Date.now;
  const appId = options.appId ?? "1000000000000099";
  const appName = options.appName ?? "Tandem (simulated)";
  const maxCalls = options.maxCalls ?? 5_000;
  let seq = 0;
  const app = new Hono<GraphEnv>();

  app.use("*", async (c, next) => {
    const base = mountBase(c);
    c.set("base", base);
    const path = c.req.path.slice(base.length) || "/";
    if (path.startsWith("/_avatar/") || path.startsWith("/_attachments/")) return next();

    const contentType = c.req.header("content-type");
    const files = new Map<string, UploadedFile>();
    let body: unknown;
    let refusal: GraphError | undefined;
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      body = undefined;
    } else if (Number(c.req.header("content-length") ?? 0) > MAX_UPLOAD_BYTES + 1024 * 1024) {
      // Too large for any file the Send API takes: refused unread, so memory stays bounded.
      refusal = graphErrors.uploadFailure();
    } else if (/^multipart\/form-data/i.test(contentType ?? "")) {
      // Read as a form, not as text: the file parts are binary.
      try {
        const fields: Record<string, string> = {};
        for (const [key, value] of await c.req.raw.formData()) {
          if (typeof value === "string") fields[key] = value;
          else {
            const bytes = new Uint8Array(await value.arrayBuffer());
            files.set(key, { name: value.name, contentType: value.type || "application/octet-stream", bytes });
          }
        }
        body = fields;
      } catch {
        refusal = graphErrors.invalidParameter("Could not read the multipart/form-data body");
      }
    } else {
      body = parseBody(await c.req.text(), contentType);
    }
    const query = c.req.query();
    const bodyToken = isRecord(body) && typeof body.access_token === "string" ? body.access_token : undefined;
    const headerToken = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const token = query.access_token ?? bodyToken ?? headerToken;

    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      if (key !== "authorization" && key !== "cookie") headers[key] = value;
    });
    const { access_token: _q, ...recordedQuery } = query;
    const fileSummaries = Object.fromEntries(
      [...files].map(([key, f]) => [key, { filename: f.name, contentType: f.contentType, size: f.bytes.byteLength }]),
    );
    const recordedBody = isRecord(body) ? { ...omit(body, "access_token"), ...fileSummaries } : body;
    const call: GraphCall = {
      seq: ++seq,
      method: c.req.method,
      path,
      version: VERSION.exec(path)?.[1],
      query: recordedQuery,
      headers,
      body: recordedBody,
      auth: {
        via: query.access_token ? "query" : bodyToken ? "body" : headerToken ? "header" : "none",
        pageId: token ? state.pageByToken(token)?.id : undefined,
        userId: token ? state.userTokens.get(token)?.userId : undefined,
      },
      time: now(),
    };
    calls.push(call);
    if (calls.length > maxCalls) calls.splice(0, calls.length - maxCalls);
    c.set("params", { ...query, ...(isRecord(body) ? body : {}) });
    c.set("files", files);
    c.set("token", token);
    if (refusal) {
      const response = graphErrorResponse(refusal);
      call.status = response.status;
      call.response = await response.clone().json();
      return response;
    }

    await next();

    call.status = c.res.status;
    if (c.res.headers.get("content-type")?.includes("application/json")) {
      call.response = await c.res
        .clone()
        .json()
        .catch(() => undefined);
    } else if (c.res.headers.get("location")) {
      call.response = { location: c.res.headers.get("location") };
    }
  });

  /** Registers a route with and without the `/vNN.N` prefix; GraphErrors become Graph error responses. */
  const route = (method: string | string[], path: string, handler: (c: GraphContext) => unknown) => {
    app.on(method, [`/:version{v\\d+\\.\\d+}${path}`, path], async (c) => {
      try {
        const result = await handler(c);
        return result instanceof Response ? result : c.json(result as object);
      } catch (error) {
        if (error instanceof GraphError) return graphErrorResponse(error);
        throw error;
      }
    });
  };

  const authenticate = (c: GraphContext): Auth => {
    const token = c.get("token");
    if (!token) throw graphErrors.missingToken();
    const page = state.pageByToken(token);
    if (page) return { kind: "page", page };
    const user = state.userTokens.get(token);
    if (user) return { kind: "user", user };
    throw graphErrors.invalidToken();
  };

  /** The Page a page-scoped edge (`/{page-id}/…` or `/me/…`) acts on, checked against the token. */
  const pageForEdge = (c: GraphContext, method: string): SimPage => {
    const node = c.req.param("node") ?? "";
    const auth = authenticate(c);
    if (auth.kind !== "page") {
      throw new GraphError(400, 210, "(#210) A page access token is required to request this resource.");
    }
    if (node === "me" || node === auth.page.id) return auth.page;
    if (!state.pages.has(node)) throw graphErrors.unsupportedRequest(method, node);
    throw graphErrors.permission("The page access token does not belong to this Page");
  };

  // ---- Send API ----------------------------------------------------------------------------

  route("POST", "/:node/messages", (c) => {
    const page = pageForEdge(c, "POST");
    const params = c.get("params");
    const recipient = jsonParam(params.recipient);
    const recipientId = isRecord(recipient) && typeof recipient.id === "string" ? recipient.id : undefined;
    if (!recipientId) throw graphErrors.invalidParameter("The parameter recipient is required");

    const senderAction = params.sender_action;
    const message = jsonParam(params.message);
    if (senderAction !== undefined) {
      if (message !== undefined) throw graphErrors.invalidParameter("sender_action cannot be sent with message");
      if (typeof senderAction !== "string" || !SENDER_ACTIONS.includes(senderAction)) {
        throw graphErrors.invalidParameter(
          `Param sender_action must be one of {${SENDER_ACTIONS.join(", ").toUpperCase()}} - got "${String(senderAction)}"`,
        );
      }
      const actionFault = state.takeFault(recipientId, "sender_action");
      const actionError = actionFault && faultError(actionFault);
      if (actionError) throw actionError;
      state.recordOutbound({ kind: "sender_action", pageId: page.id, recipientId, senderAction, time: now() });
      return { recipient_id: recipientId };
    }

    if (!isRecord(message)) throw graphErrors.invalidParameter("Must send either message or state");
    const messagingType = params.messaging_type;
    if (messagingType !== undefined && !MESSAGING_TYPES.includes(String(messagingType))) {
      throw graphErrors.invalidParameter(
        `Param messaging_type must be one of {${MESSAGING_TYPES.join(", ")}} - got "${String(messagingType)}"`,
      );
    }
    const tag = params.tag === undefined ? undefined : String(params.tag);
    if (messagingType === "MESSAGE_TAG" && !tag) {
      throw graphErrors.invalidParameter("Param tag is required when messaging_type is MESSAGE_TAG");
    }
    if (tag !== undefined && !MESSAGE_TAGS.includes(tag)) {
      throw graphErrors.invalidParameter(`Param tag must be one of {${MESSAGE_TAGS.join(", ")}} - got "${tag}"`);
    }
    if (message.text === undefined && message.attachment === undefined) {
      throw graphErrors.invalidParameter("The parameter message[text] or message[attachment] is required");
    }
    if (typeof message.text === "string" && [...message.text].length > MAX_TEXT) {
      throw graphErrors.invalidParameter(`Length of param message[text] must be less than or equal to ${MAX_TEXT}`);
    }
    const media = mediaAttachment(message, c.get("files").get("filedata"));
    checkTemplate(message);

    const isTemplate = isRecord(message.attachment) && message.attachment.type === "template";
    const fault = state.takeFault(recipientId, isTemplate ? "template" : "message");
    const faultResponse = fault && faultError(fault);
    if (faultResponse) throw faultResponse;
    // `missing_message_id`: sent, but the answer (and the outbox record) has no id.
    const messageId = fault === "missing_message_id" ? undefined : state.nextMessageId();
    // What the recipient gets: an uploaded or reused file at the URL it is served from, like Meta's CDN.
    let sent = message;
    let upload: OutboundRecord["upload"];
    let attachmentId: string | undefined;
    if (media) {
      let url = typeof media.payload.url === "string" ? media.payload.url : undefined;
      if (media.file) {
        const kept = state.keepAttachment({ ...media.file, time: now() });
        url = publicUrl(c, `/_attachments/${kept.id}`);
        upload = { id: kept.id, name: kept.name, contentType: kept.contentType, size: kept.bytes.byteLength };
      } else if (media.payload.attachment_id !== undefined) {
        url = state.reusableAttachments.get(String(media.payload.attachment_id));
      }
      sent = { ...message, attachment: { ...media.attachment, payload: { ...media.payload, url } } };
      const reusable = media.payload.is_reusable === true || media.payload.is_reusable === "true";
      if (reusable && url && media.payload.attachment_id === undefined) attachmentId = state.reuseAttachment(url);
    }
    state.recordOutbound({
      kind: "message",
      messageId,
      pageId: page.id,
      recipientId,
      messagingType: messagingType === undefined ? undefined : String(messagingType),
      tag,
      message: sent,
      ...(upload ? { upload } : {}),
      time: now(),
    });
    return {
      recipient_id: recipientId,
      ...(messageId ? { message_id: messageId } : {}),
      ...(attachmentId ? { attachment_id: attachmentId } : {}),
    };
  });

  /**
   * The file attachment of a Send API message, checked as Meta does: a file (image, audio, video,
   * file) comes by `payload.url`, a reusable `payload.attachment_id` or `filedata` (exactly one of
   * them; `filedata` needs such an attachment and at most 25 MB whose content type fits the type).
   */
  function mediaAttachment(message: Params, file: UploadedFile | undefined) {
    const attachment = isRecord(message.attachment) ? message.attachment : undefined;
    const type = String(attachment?.type ?? "");
    if (!attachment || !MEDIA_TYPES.includes(type)) {
      if (file) {
        throw graphErrors.invalidParameter(
          "filedata can only be sent with message[attachment] of type image, audio, video or file",
        );
      }
      return undefined;
    }
    const payload = isRecord(attachment.payload) ? attachment.payload : {};
    const sources = [payload.url !== undefined, payload.attachment_id !== undefined, file !== undefined];
    if (sources.filter(Boolean).length === 0) {
      throw graphErrors.invalidParameter(
        "message[attachment][payload] needs a url or an attachment_id, or the file must be uploaded as filedata",
      );
    }
    if (sources.filter(Boolean).length > 1) {
      throw graphErrors.invalidParameter(
        "Only one of message[attachment][payload][url], message[attachment][payload][attachment_id] and filedata can be sent",
      );
    }
    if (payload.url !== undefined && (typeof payload.url !== "string" || !URL.canParse(payload.url))) {
      throw graphErrors.invalidParameter("Param message[attachment][payload][url] must be a valid URL");
    }
    if (payload.attachment_id !== undefined && !state.reusableAttachments.has(String(payload.attachment_id))) {
      throw graphErrors.invalidParameter(
        `Param message[attachment][payload][attachment_id] is not a valid attachment id: ${String(payload.attachment_id)}`,
      );
    }
    if (file) {
      const family = file.contentType.split("/")[0];
      const mismatch = type !== "file" && file.contentType !== "application/octet-stream" && family !== type;
      if (file.bytes.byteLength > MAX_UPLOAD_BYTES || mismatch) throw graphErrors.uploadFailure();
    }
    return { attachment, payload, file };
  }

  /**
   * A structured message (`attachment.type = "template"`), checked as Meta does for the generic
   * template: 1–10 elements, each with a title of at most 80 characters and at least one more field;
   * a subtitle of at most 80; an https `image_url`; a `default_action` of type `web_url` with a URL and
   * no title; at most 3 buttons, `web_url` ones with a URL and a title of at most 20.
   */
  function checkTemplate(message: Params): void {
    const attachment = isRecord(message.attachment) ? message.attachment : undefined;
    if (attachment?.type !== "template") return;
    const at = "message[attachment][payload]";
    const payload = isRecord(attachment.payload) ? attachment.payload : {};
    if (!TEMPLATE_TYPES.includes(String(payload.template_type))) {
      throw graphErrors.invalidParameter(
        `Param ${at}[template_type] must be one of {${TEMPLATE_TYPES.join(", ")}} - got "${String(payload.template_type)}"`,
      );
    }
    if (
      payload.image_aspect_ratio !== undefined &&
      !["horizontal", "square"].includes(String(payload.image_aspect_ratio))
    ) {
      throw graphErrors.invalidParameter(`Param ${at}[image_aspect_ratio] must be one of {horizontal, square}`);
    }
    const elements = payload.elements;
    if (!Array.isArray(elements) || elements.length === 0) {
      throw graphErrors.invalidParameter(`Param ${at}[elements] must be a non-empty array`);
    }
    if (elements.length > MAX_TEMPLATE_ELEMENTS) {
      throw graphErrors.invalidParameter(
        `param ${at}[elements] must have at most ${MAX_TEMPLATE_ELEMENTS} elements`,
        2018047,
      );
    }
    const chars = (v: unknown) => (typeof v === "string" ? [...v].length : 0);
    const httpsUrl = (v: unknown) => typeof v === "string" && URL.canParse(v) && new URL(v).protocol === "https:";
    const anyUrl = (v: unknown) => typeof v === "string" && URL.canParse(v) && /^https?:$/.test(new URL(v).protocol);
    elements.forEach((element, i) => {
      const el = `${at}[elements][${i}]`;
      if (!isRecord(element)) throw graphErrors.invalidParameter(`Param ${el} must be an object`);
      if (typeof element.title !== "string" || !element.title.trim()) {
        throw graphErrors.invalidParameter(`Param ${el}[title] must be a non-empty UTF-8 encoded string`);
      }
      if (chars(element.title) > 80) {
        throw graphErrors.invalidParameter(`Length of param ${el}[title] must be less than or equal to 80`);
      }
      if (element.subtitle !== undefined && (typeof element.subtitle !== "string" || chars(element.subtitle) > 80)) {
        throw graphErrors.invalidParameter(`Length of param ${el}[subtitle] must be less than or equal to 80`);
      }
      if (element.image_url !== undefined && !httpsUrl(element.image_url)) {
        throw graphErrors.invalidParameter(`Param ${el}[image_url] must be a valid https URL`, 2018008);
      }
      const action = element.default_action;
      if (action !== undefined) {
        if (!isRecord(action) || action.type !== "web_url" || !anyUrl(action.url)) {
          throw graphErrors.invalidParameter(`Param ${el}[default_action] must be of type web_url with a valid url`);
        }
        if (action.title !== undefined) {
          throw graphErrors.invalidParameter(`Param ${el}[default_action] cannot have a title`);
        }
      }
      const buttons = element.buttons;
      if (buttons !== undefined) {
        if (!Array.isArray(buttons) || buttons.length > 3) {
          throw graphErrors.invalidParameter(`Param ${el}[buttons] must be an array of at most 3 buttons`);
        }
        buttons.forEach((button, j) => {
          const b = `${el}[buttons][${j}]`;
          if (!isRecord(button) || !BUTTON_TYPES.includes(String(button.type))) {
            throw graphErrors.invalidParameter(`Param ${b}[type] must be one of {${BUTTON_TYPES.join(", ")}}`);
          }
          if (typeof button.title !== "string" || !button.title || chars(button.title) > 20) {
            throw graphErrors.invalidParameter(`Param ${b}[title] must be 1 to 20 characters`);
          }
          if (button.type === "web_url" && !anyUrl(button.url)) {
            throw graphErrors.invalidParameter(`Param ${b}[url] must be a valid URL`);
          }
          if (button.type === "postback" && (typeof button.payload !== "string" || !button.payload)) {
            throw graphErrors.invalidParameter(`Param ${b}[payload] is required`);
          }
        });
      }
      const more = ["subtitle", "image_url", "default_action", "buttons"].some((k) => element[k] !== undefined);
      if (!more) {
        throw graphErrors.invalidParameter(
          `${el} must have at least one of subtitle, image_url, default_action or buttons besides its title`,
        );
      }
    });
  }

  // ---- Page subscription -------------------------------------------------------------------

  route(["GET", "POST", "DELETE"], "/:node/subscribed_apps", (c) => {
    const page = pageForEdge(c, c.req.method);
    if (c.req.method === "GET") {
      return {
        data: page.subscribedFields
          ? [
              {
                category: "Business",
                link: "https://tandem.local/",
                name: appName,
                id: appId,
                subscribed_fields: page.subscribedFields,
              },
            ]
          : [],
      };
    }
    if (c.req.method === "DELETE") {
      page.subscribedFields = null;
      return { success: true };
    }
    const fields = listParam(c.get("params").subscribed_fields);
    if (fields.length === 0) throw graphErrors.invalidParameter("The parameter subscribed_fields is required");
    fields.forEach((field, index) => {
      if (!(SUBSCRIBABLE_FIELDS as readonly string[]).includes(field)) {
        throw graphErrors.invalidParameter(
          `Param subscribed_fields[${index}] must be one of {${SUBSCRIBABLE_FIELDS.join(", ")}} - got "${field}"`,
        );
      }
    });
    page.subscribedFields = [...new Set(fields)];
    return { success: true };
  });

  // ---- Pages of the Facebook Login user ----------------------------------------------------

  route("GET", "/:node/accounts", (c) => {
    const auth = authenticate(c);
    const node = c.req.param("node") ?? "";
    if (auth.kind === "page") throw graphErrors.nonexistingField("accounts", "Page");
    if (node !== "me" && node !== auth.user.userId) throw graphErrors.unsupportedRequest("GET", node);

    const params = c.get("params");
    const fields = listParam(params.fields);
    const wanted = fields.length > 0 ? fields : ["access_token", "category", "name", "id", "tasks"];
    const limit = Math.max(1, Number(params.limit ?? 25) || 25);
    const pages = [...state.pages.values()];
    const afterId = typeof params.after === "string" ? decodeCursor(params.after) : undefined;
    const start = afterId === undefined ? 0 : pages.findIndex((p) => p.id === afterId) + 1;
    const slice = pages.slice(start, start + limit);
    if (slice.length === 0) return { data: [] };

    const data = slice.map((page) =>
      pick(
        { id: page.id, name: page.name, access_token: page.accessToken, category: page.category, tasks: page.tasks },
        wanted,
        "Page",
      ),
    );
    const first = slice[0] as SimPage;
    const last = slice[slice.length - 1] as SimPage;
    const paging: Record<string, unknown> = {
      cursors: { before: encodeCursor(first.id), after: encodeCursor(last.id) },
    };
    if (start + limit < pages.length) {
      const next = new URL(c.req.url);
      next.searchParams.set("after", encodeCursor(last.id));
      next.searchParams.delete("access_token");
      paging.next = next.toString();
    }
    return { data, paging };
  });

  // ---- ID Matching API ---------------------------------------------------------------------

  // The PSIDs an app-scoped user id has on the Pages of the app's business. App access token only.
  route("GET", "/:node/ids_for_pages", (c) => {
    const token = c.get("token");
    if (!token) throw graphErrors.missingToken();
    const [tokenAppId, tokenSecret, extra] = token.split("|");
    const wrongApp = options.appId !== undefined && tokenAppId !== options.appId;
    const wrongSecret = options.appSecret !== undefined && tokenSecret !== options.appSecret;
    if (!tokenAppId || !tokenSecret || extra !== undefined || wrongApp || wrongSecret) {
      throw new GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token");
    }
    const asid = c.req.param("node") ?? "";
    const firstPage = state.pages.values().next().value as SimPage | undefined;
    const data = [...state.users.values()]
      .filter((u) => u.asid === asid)
      .map((u) => {
        const page = state.pages.get(u.pageId ?? "") ?? firstPage;
        return { id: u.psid, page: { id: page?.id ?? u.pageId ?? "", name: page?.name ?? "" } };
      });
    return { data, paging: { cursors: { before: "", after: "" } } };
  });

  // ---- Facebook Login ----------------------------------------------------------------------

  route("GET", "/dialog/oauth", (c) => {
    const params = c.get("params");
    const redirectUri = typeof params.redirect_uri === "string" ? params.redirect_uri : "";
    if (!URL.canParse(redirectUri)) throw graphErrors.invalidParameter("Invalid redirect_uri");
    const clientId = String(params.client_id ?? "");
    if (options.appId && clientId !== options.appId) throw graphErrors.invalidClientId();
    // Either `scope`, or a Facebook Login for Business configuration (`config_id`) naming the permissions.
    if (params.config_id !== undefined && !/^\d+$/.test(String(params.config_id))) {
      throw graphErrors.invalidParameter("Invalid config_id");
    }
    // Only the code flow is simulated.
    if (params.response_type !== undefined && params.response_type !== "code") {
      throw graphErrors.invalidParameter(`Unsupported response_type: ${String(params.response_type)}`);
    }

    const target = new URL(redirectUri);
    if (state.denyNextOAuth) {
      state.denyNextOAuth = false;
      target.searchParams.set("error", "access_denied");
      target.searchParams.set("error_code", "200");
      target.searchParams.set("error_description", "Permissions error");
      target.searchParams.set("error_reason", "user_denied");
    } else {
      target.searchParams.set("code", state.issueOAuthCode(clientId, redirectUri).code);
    }
    if (typeof params.state === "string") target.searchParams.set("state", params.state);
    // Facebook appends this fragment to every Login redirect.
    target.hash = "_=_";
    return c.redirect(target.toString(), 302);
  });

  route("GET", "/oauth/access_token", (c) => {
    const params = c.get("params");
    const clientId = String(params.client_id ?? "");
    if (!clientId || (options.appId && clientId !== options.appId)) throw graphErrors.invalidClientId();
    if (typeof params.client_secret !== "string" || !params.client_secret) {
      throw graphErrors.invalidParameter("Missing client_secret parameter.");
    }
    if (options.appSecret && params.client_secret !== options.appSecret) throw graphErrors.invalidClientSecret();

    if (params.grant_type === "fb_exchange_token") {
      const shortLived = state.userTokens.get(String(params.fb_exchange_token ?? ""));
      if (!shortLived) throw graphErrors.invalidToken();
      const token = state.issueUserToken({ longLived: true, userId: shortLived.userId });
      return { access_token: token.token, token_type: "bearer", expires_in: token.expiresIn };
    }

    const code = state.oauthCodes.get(String(params.code ?? ""));
    if (!code) throw graphErrors.invalidCode();
    if (code.used) throw graphErrors.usedCode();
    if (params.redirect_uri !== code.redirectUri) throw graphErrors.redirectMismatch();
    code.used = true;
    const token = state.issueUserToken({ longLived: false, userId: code.userId });
    return { access_token: token.token, token_type: "bearer", expires_in: token.expiresIn };
  });

  // ---- Nodes: me, Pages, Messenger users ----------------------------------------------------

  route("GET", "/:node", (c) => {
    const auth = authenticate(c);
    const node = c.req.param("node") ?? "";
    const fields = listParam(c.get("params").fields);

    const page = node === "me" && auth.kind === "page" ? auth.page : state.pages.get(node);
    if (page) {
      const withToken = auth.kind === "user" ? { access_token: page.accessToken } : {};
      const picture = { data: { url: avatarUrl(c, page.id), height: 50, width: 50, is_silhouette: false } };
      const values = {
        id: page.id,
        name: page.name,
        category: page.category,
        // Facebook leaves out the fields a Page has not filled in.
        ...(page.about ? { about: page.about } : {}),
        ...(page.description ? { description: page.description } : {}),
        tasks: page.tasks,
        picture,
        ...withToken,
      };
      return pick(values, fields.length > 0 ? fields : ["name", "id"], "Page", PAGE_FIELDS);
    }
    if (auth.kind === "user") {
      if (node === "me" || node === auth.user.userId) {
        return pick(
          { id: state.loginUser.id, name: state.loginUser.name },
          fields.length > 0 ? fields : ["name", "id"],
          "User",
        );
      }
      throw graphErrors.unsupportedRequest("GET", node);
    }
    if (node === "me") throw graphErrors.unsupportedRequest("GET", node);

    const user = state.profile(node);
    if (user.profileUnavailable) throw graphErrors.noProfile();
    if (fields.some((field) => auth.page.restrictedProfileFields.includes(field))) {
      throw graphErrors.profileFieldNotApproved();
    }
    const values = profileValues(user, avatarUrl(c, node));
    return pick(values, fields.length > 0 ? fields : ["name", "id"], "User", PROFILE_FIELDS);
  });

  /** Served so profile pictures render offline; not part of the Graph API and not recorded. */
  app.get("/_avatar/:file", (c) => {
    const id = (c.req.param("file") ?? "").replace(/\.svg$/, "");
    const page = state.pages.get(id);
    const user = state.profile(id);
    const words = page ? page.name.split(/\s+/) : [user.firstName, user.lastName];
    return c.body(avatarSvg(id, words), 200, { "content-type": "image/svg+xml", "cache-control": "max-age=3600" });
  });

  /** Files uploaded with the Send API, as Meta's CDN serves them; not part of the Graph API and not recorded. */
  app.get("/_attachments/:id", (c) => {
    const file = state.attachments.get(c.req.param("id") ?? "");
    if (!file) return c.text("Not found", 404);
    return c.body(new Uint8Array(file.bytes), 200, {
      "content-type": file.contentType,
      "content-length": String(file.bytes.byteLength),
      "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      "x-content-type-options": "nosniff",
      // Served on the app's origin when mounted there: an uploaded HTML file must not run as the app.
      "content-security-policy": "sandbox",
      "cache-control": "max-age=3600",
    });
  });

  app.all("*", (c) => {
    const path = c.req.path.slice(c.get("base").length);
    return graphErrorResponse(graphErrors.unknownPath(path.replace(VERSION, "") || "/"));
  });

  return {
    app,
    calls,
    state,
    reset() {
      calls.length = 0;
      seq = 0;
      state.reset();
    },
  };
}

function graphErrorResponse(error: GraphError): Response {
  const headers: Record<string, string> = { "content-type": "application/json; charset=UTF-8" };
  if (error.code === 190 || error.code === 104) {
    headers["www-authenticate"] = `OAuth "Facebook Platform" "invalid_token" "${error.message}"`;
  }
  return new Response(JSON.stringify(error.toBody()), { status: error.status, headers });
}

/**
 * Where this app is mounted inside a parent app. Inside the catch-all middleware Hono reports its
 * pattern as mounted (`/_simulator/graph/*`), so the base is that minus `/*`.
 */
function mountBase(c: GraphContext): string {
  const pattern = c.req.routePath;
  return pattern.endsWith("/*") ? pattern.slice(0, -2) : "";
}

/** An absolute URL of one of the simulator's own files (avatars, uploads). */
function publicUrl(c: GraphContext, path: string): string {
  return `${new URL(c.req.url).origin}${c.get("base")}${path}`;
}

function avatarUrl(c: GraphContext, psid: string): string {
  return publicUrl(c, `/_avatar/${encodeURIComponent(psid)}.svg`);
}

function profileValues(user: SimUser, fallbackPic: string): Record<string, unknown> {
  return {
    id: user.psid,
    name: `${user.firstName} ${user.lastName}`,
    first_name: user.firstName,
    last_name: user.lastName,
    profile_pic: user.profilePic ?? fallbackPic,
    locale: user.locale ?? "en_US",
    timezone: user.timezone ?? 0,
  };
}

function avatarSvg(id: string, words: string[]): string {
  const initials = words
    .slice(0, 2)
    .map((word) => word[0] ?? "")
    .join("")
    .replace(/[<&>"']/g, "");
  let hue = 0;
  for (const char of id) hue = (hue * 31 + char.charCodeAt(0)) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><rect width="96" height="96" rx="48" fill="hsl(${hue} 55% 55%)"/><text x="48" y="58" font-family="sans-serif" font-size="36" fill="#fff" text-anchor="middle">${initials}</text></svg>`;
}

/** Keeps the requested fields; an unknown field is the Graph API's error 100. */
function pick(values: Record<string, unknown>, fields: string[], nodeType: string, allowed?: string[]) {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (allowed ? !allowed.includes(field) : !(field in values)) throw graphErrors.nonexistingField(field, nodeType);
    if (values[field] !== undefined) out[field] = values[field];
  }
  if (!("id" in out) && values.id !== undefined) out.id = values.id;
  return out;
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return undefined;
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Form-encoded Graph calls pass objects as JSON strings (`recipient={"id":"…"}`). */
function jsonParam(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** `a,b`, `["a","b"]` or an array. */
function listParam(value: unknown): string[] {
  const parsed = jsonParam(value);
  const items = Array.isArray(parsed) ? parsed.map(String) : typeof parsed === "string" ? parsed.split(",") : [];
  return items.map((item) => item.trim()).filter(Boolean);
}

function encodeCursor(id: string): string {
  return Buffer.from(id).toString("base64url");
}

function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, "base64url").toString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function omit(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _omitted, ...rest } = record;
  return rest;
}
