import { createRoute, z } from "@hono/zod-openapi";
import {
  PUBLIC_HEADERS,
  PublicChatParam,
  PublicIdentifyInput,
  PublicIdentifyResult,
  PublicWidgetConfig,
  rooms,
} from "@tandem/contracts";
import {
  acceptedLanguages,
  assertChatbotServes,
  assertWidgetOrigin,
  DomainError,
  identifyVisitor,
  publicChatbot,
  publicWidgetConfig,
} from "@tandem/core";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { pageOrigin } from "../middleware/page-origin.ts";
import { publicCaller } from "../middleware/public-caller.ts";
import { createRouter, errors, json, jsonBody } from "../openapi.ts";
import { publicCredential } from "../stacks/public.ts";
import type { AppEnv } from "../types.ts";
import { type WidgetFile, widgetAssets } from "../widget-assets.ts";

export interface PublicWidgetRouteOptions {
  /** Where apps/widget's build is (`dist/loader.js`, `dist/widget.js`); tests point it at a fixture. */
  widgetDistDir?: string;
}

const ConfigQuery = z.object({
  lang: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "a language tag such as th or pt-BR")
    .optional(),
});

const BundleParam = z.object({
  file: z.string().regex(/^widget(\.[0-9a-f]{16})?\.js$/, "widget.js or widget.{hash}.js"),
});

const LOADER_MAX_AGE = 300;

/**
 * The website widget's side of the public API (docs/widget.md): its configuration with the visitor
 * token, identity verification, and its two script files. The chat itself (messages, session stream,
 * feedback, handoff) is in public-chat.ts.
 */
export function publicWidgetRoutes(options: PublicWidgetRouteOptions = {}) {
  const app = createRouter();
  const build = widgetAssets(options.widgetDistDir);

  // GET /api/v1/public/chat/{chatbotId}/config — the widget's configuration, and a visitor token for a browser
  app.openapi(
    createRoute({
      method: "get",
      path: "/public/chat/{chatbotId}/config",
      tags: ["public"],
      middleware: apiKeyWhenSent,
      security: [{ apiKey: [] }],
      description: `Called by the widget from a page (its \`Origin\`) or by a server with \`${PUBLIC_HEADERS.apiKey}\`. A page's origin must be one of the chatbot's allowed domains (or the dashboard's own, for the preview), else 403 \`origin_not_allowed\`; it then receives \`visitor\`: a visitor token for the session named in \`${PUBLIC_HEADERS.visitorSession}\` (a widget session id \`ws_…\`: a refresh), or for a new session. A server (\`${PUBLIC_HEADERS.apiKey}\`) gets \`visitor: null\`. A \`testing\` chatbot serves the dashboard's preview only; an \`inactive\` one is 409 \`chatbot_inactive\`; a deleted one 404. \`welcomeMessage\` and \`language\` follow \`?lang=\`, else \`Accept-Language\`, when the chatbot has that translation. \`agentsOnline\`: a member of the workspace has the dashboard open.`,
      request: { params: PublicChatParam, query: ConfigQuery },
      responses: { 200: json(PublicWidgetConfig), ...errors(400, 401, 403, 404, 409, 429) },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      const { chatbotId } = c.req.valid("param");
      const caller = c.get("publicCaller");
      const chatbot = caller?.chatbot ?? (await publicChatbot(runtime.database.db, chatbotId));
      let visitor: { origin: string; sessionId: string | undefined } | null = null;
      if (caller) {
        assertChatbotServes(chatbot);
      } else {
        const origin = pageOrigin(c);
        if (!origin) {
          throw new DomainError(
            "unauthenticated",
            `Call from a page on an allowed domain (Origin), or from a server with ${PUBLIC_HEADERS.apiKey}.`,
          );
        }
        assertWidgetOrigin(chatbot, origin, runtime.config.appOrigin);
        visitor = { origin, sessionId: c.req.header(PUBLIC_HEADERS.visitorSession) };
      }
      const { lang } = c.req.valid("query");
      const config = await publicWidgetConfig(
        {
          db: runtime.database.db,
          authSecret: runtime.authSecret,
          agentsOnline: (workspaceId) => runtime.realtime.hasSockets(rooms.workspace(workspaceId)),
        },
        chatbot,
        { visitor, languages: [...(lang ? [lang] : []), ...acceptedLanguages(c.req.header("accept-language"))] },
      );
      // A token is in it: never stored by a cache; it depends on the page and the language asked.
      c.header("Cache-Control", "no-store");
      c.header("Vary", "Origin, Accept-Language, X-Visitor-Session");
      return c.json(config, 200);
    },
  );

  // POST /api/v1/public/chat/{chatbotId}/identify — the visitor's identity on the site, verified by its userHash
  app.openapi(
    createRoute({
      method: "post",
      path: "/public/chat/{chatbotId}/identify",
      tags: ["public"],
      ...publicCredential("visitorToken", publicCaller({ accept: ["visitor"] })),
      description:
        "`userHash` = hex HMAC-SHA256 of `userId` keyed by the chatbot's identity secret, computed by the site's server (docs/widget.md). A wrong hash is 401 `identity_unverified` and nothing is stored; without a hash, or while the chatbot has no identity secret, the identity is kept as unverified. `name` and `email` go on the visitor's contact in the inbox. With \"require verified identity\" on, a visitor can send only after a verified `identify` (403 `identity_required`).",
      request: { params: PublicChatParam, ...jsonBody(PublicIdentifyInput) },
      responses: { 200: json(PublicIdentifyResult), ...errors(400, 401, 403, 404, 429) },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      const caller = c.get("publicCaller");
      if (caller.kind !== "visitor") throw new DomainError("unauthenticated", "Send X-Visitor-Token.");
      const result = await identifyVisitor(
        { db: runtime.database.db, keyring: runtime.keyring, realtime: runtime.realtime },
        caller.chatbot,
        caller.sessionId,
        c.req.valid("json"),
      );
      return c.json(result, 200);
    },
  );

  // GET /api/v1/public/widget/{chatbotId}/loader.js — the script a site's <script> tag loads
  app.openapi(
    createRoute({
      method: "get",
      path: "/public/widget/{chatbotId}/loader.js",
      tags: ["public"],
      description:
        "The widget's loader (a few KB): it reads the server and the chatbot from its own `src`, and loads the widget bundle on first open or when the page is idle. Cached 5 minutes. 503 `widget_not_built` when apps/widget has not been built on this server.",
      request: { params: PublicChatParam },
      responses: {
        200: { description: "JavaScript", content: { "application/javascript": { schema: z.string() } } },
        ...errors(404, 429, 503),
      },
    }),
    async (c) => {
      const runtime = c.get("runtime");
      await publicChatbot(runtime.database.db, c.req.valid("param").chatbotId);
      return serveScript(c, requireBuild(build).loader, `public, max-age=${LOADER_MAX_AGE}`);
    },
  );

  // GET /api/v1/public/widget/{file} — the widget bundle: widget.{hash}.js (immutable) or widget.js
  app.openapi(
    createRoute({
      method: "get",
      path: "/public/widget/{file}",
      tags: ["public"],
      description:
        "The widget bundle. `widget.{hash}.js` (the name the loader is served with) is cached for a year; `widget.js` for 5 minutes. Another hash than the current build's is 404.",
      request: { params: BundleParam },
      responses: {
        200: { description: "JavaScript", content: { "application/javascript": { schema: z.string() } } },
        ...errors(400, 404, 429, 503),
      },
    }),
    async (c) => {
      const current = requireBuild(build);
      const { file } = c.req.valid("param");
      if (file === "widget.js") return serveScript(c, current.bundle, `public, max-age=${LOADER_MAX_AGE}`);
      if (file !== `widget.${current.hash}.js`) {
        throw new DomainError("not_found", "No such widget build: reload the page to get the current loader.");
      }
      return serveScript(c, current.bundle, "public, max-age=31536000, immutable");
    },
  );

  return app;
}

/** The config endpoint takes the API key when one is sent; a page calls it without (its Origin decides). */
const apiKeyWhenSent = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header(PUBLIC_HEADERS.apiKey) === undefined) await next();
  else await publicCaller({ accept: ["api"] })(c, next);
});

function requireBuild(build: ReturnType<typeof widgetAssets>) {
  const current = build();
  if (!current) {
    throw new DomainError(
      "widget_not_built",
      "The website widget is not built on this server (apps/widget/dist is missing): run `npm run build -w apps/widget` (or `npm start`, which builds it).",
    );
  }
  return current;
}

function serveScript(c: Context<AppEnv>, file: WidgetFile, cacheControl: string) {
  const headers: Record<string, string> = {
    "content-type": "application/javascript; charset=utf-8",
    "cache-control": cacheControl,
    etag: file.etag,
    vary: "Accept-Encoding",
  };
  if (
    c.req
      .header("if-none-match")
      ?.split(",")
      .some((tag) => tag.trim() === file.etag)
  ) {
    return c.body(null, 304, headers);
  }
  const gzip = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
  if (gzip) headers["content-encoding"] = "gzip";
  return c.body(new Uint8Array(gzip ? file.gzip : file.body), 200, headers);
}
