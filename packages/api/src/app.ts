import type { Runtime } from "@tandem/core";
import { DomainError } from "@tandem/core";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { MAX_BODY_BYTES } from "./constants.ts";
import { handleError, notFoundHandler } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { requestContext } from "./middleware/request-context.ts";
import { storableInput } from "./middleware/storable-input.ts";
import { createRouter } from "./openapi.ts";
import { authRoutes } from "./routes/auth.ts";
import { channelRoutes } from "./routes/channels.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { adminHealthRoutes, publicHealthRoutes } from "./routes/health.ts";
import { inboxRoutes } from "./routes/inbox.ts";
import { lineIntegrationRoutes } from "./routes/integrations-line.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { meRoutes } from "./routes/me.ts";
import { memberRoutes } from "./routes/members.ts";
import { messageRoutes } from "./routes/messages.ts";
import { providerSettingsRoutes } from "./routes/provider-settings.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { messengerWebhookRoutes } from "./routes/webhooks-messenger.ts";

export { MAX_BODY_BYTES };

/** The whole HTTP API as one Hono app: `/api/auth/*`, `/api/health`, `/api/v1/*`. */
export function createApp(runtime: Runtime) {
  const app = createRouter();
  app.onError(handleError);
  app.notFound(notFoundHandler);
  app.use("*", requestContext(runtime));
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new DomainError("payload_too_large", `The request body is larger than ${MAX_BODY_BYTES / 1024} KB`);
      },
    }),
  );
  // NUL (and lone surrogates in JSON) anywhere in the request: 400 before a route runs.
  app.use("*", storableInput);
  // Strict CORS: the admin API answers only its own origin; any other origin gets no CORS headers.
  app.use(
    "/api/v1/*",
    cors({
      origin: (origin) => (origin === runtime.config.appOrigin ? origin : null),
      credentials: true,
      allowHeaders: ["Content-Type", "Authorization", "X-CSRF-Token", "X-Request-Id"],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      maxAge: 600,
    }),
  );

  app.route("/api/auth", authRoutes());
  app.route("/api", publicHealthRoutes());
  // Platform webhooks: authenticated by their signatures, not by sessions.
  app.route("/api/webhooks", messengerWebhookRoutes());

  const v1 = createRouter();
  v1.get("/openapi.json", (c) => c.json(openApiDocument(app, runtime)));
  v1.use("*", requireAuth);
  v1.route("/", meRoutes());
  v1.route("/", memberRoutes());
  v1.route("/", tokenRoutes());
  v1.route("/", conversationRoutes());
  v1.route("/", inboxRoutes());
  v1.route("/", messageRoutes());
  v1.route("/", channelRoutes());
  v1.route("/", lineIntegrationRoutes());
  v1.route("/", providerSettingsRoutes());
  v1.route("/", adminHealthRoutes());
  v1.route("/", jobRoutes());
  app.route("/api/v1", v1);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerToken", {
    type: "http",
    scheme: "bearer",
    description: "Personal API token (Settings → API tokens)",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "tandem_session",
    description: "Dashboard session; mutations also need the x-csrf-token header",
  });
  return app;
}

let cachedDocument: unknown;

function openApiDocument(app: ReturnType<typeof createRouter>, runtime: Runtime) {
  cachedDocument ??= app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Tandem API",
      version: runtime.version,
      description:
        "Admin API (`/api/v1`, session cookie or `Authorization: Bearer <personal token>`), auth (`/api/auth`). Errors: `{ error: { code, message, requestId, details? } }`. Routes carry `x-permission`: the permission the caller's role needs.",
    },
    servers: [{ url: runtime.config.appUrl }],
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
  });
  return cachedDocument;
}

export type ApiApp = ReturnType<typeof createApp>;
