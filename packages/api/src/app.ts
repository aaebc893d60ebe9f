import type { Runtime } from "@tandem/core";
import { MAX_BODY_BYTES } from "./constants.ts";
import { handleError, notFoundHandler } from "./errors.ts";
import { requestContext } from "./middleware/request-context.ts";
import { storableUrl } from "./middleware/storable-input.ts";
import { traceRequest } from "./middleware/trace-request.ts";
import { createRouter } from "./openapi.ts";
import { analyticsRoutes } from "./routes/analytics.ts";
import { auditLogRoutes } from "./routes/audit-log.ts";
import { authRoutes } from "./routes/auth.ts";
import { cannedResponseRoutes } from "./routes/canned-responses.ts";
import { channelRoutes } from "./routes/channels.ts";
import { chatbotHealthRoutes } from "./routes/chatbot-health.ts";
import { chatbotKnowledgeSearchRoutes } from "./routes/chatbot-knowledge-search.ts";
import { chatbotPlaygroundRoutes } from "./routes/chatbot-playground.ts";
import { chatbotPromptGenerationRoutes } from "./routes/chatbot-prompt-generation.ts";
import { chatbotPromptRoutes } from "./routes/chatbot-prompts.ts";
import { chatbotWidgetRoutes } from "./routes/chatbot-widget.ts";
import { chatbotRoutes } from "./routes/chatbots.ts";
import { contactRoutes } from "./routes/contacts.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { adminHealthRoutes, publicHealthRoutes } from "./routes/health.ts";
import { inboxRoutes } from "./routes/inbox.ts";
import { lineIntegrationRoutes } from "./routes/integrations-line.ts";
import { shopifyIntegrationRoutes } from "./routes/integrations-shopify.ts";
import { shopifyCatalogRoutes } from "./routes/integrations-shopify-catalog.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { knowledgeRoutes } from "./routes/knowledge.ts";
import { knowledgeLimitsRoutes } from "./routes/knowledge-limits.ts";
import { meRoutes } from "./routes/me.ts";
import { mediaRoutes, publicMediaRoutes } from "./routes/media.ts";
import { memberRoutes } from "./routes/members.ts";
import { messageLogRoutes } from "./routes/message-logs.ts";
import { messageRoutes } from "./routes/messages.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { moderationRoutes } from "./routes/moderation.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { providerCredentialRoutes } from "./routes/provider-credentials.ts";
import { providerSettingsRoutes } from "./routes/provider-settings.ts";
import { type PublicChatRouteOptions, publicChatRoutes } from "./routes/public-chat.ts";
import { publicWidgetRoutes } from "./routes/public-widget.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { lineWebhookRoutes } from "./routes/webhooks-line.ts";
import { messengerWebhookRoutes } from "./routes/webhooks-messenger.ts";
import { shopifyWebhookRoutes } from "./routes/webhooks-shopify.ts";
import { workspaceSettingsRoutes } from "./routes/workspace-settings.ts";
import { adminStack, OPENAPI_PATH } from "./stacks/admin.ts";
import { byAudience } from "./stacks/audience.ts";
import { operatorStack } from "./stacks/operator.ts";
import { PUBLIC_CREDENTIAL_HEADERS, type PublicStackOptions, publicStack } from "./stacks/public.ts";
import { webhookStack } from "./stacks/webhooks.ts";

export { MAX_BODY_BYTES };

export interface AppOptions {
  /** The public API's stack settings (tests lower the rate limit). */
  public?: PublicStackOptions;
  /** Where apps/widget's build is (tests point it at a fixture; default apps/widget/dist). */
  widgetDistDir?: string;
  /** The public chat routes' per-key and per-visitor limits (tests lower them). */
  publicChat?: PublicChatRouteOptions;
}

/**
 * The whole HTTP API as one Hono app: `/api/auth/*`, `/api/health`, `/api/v1/*`, `/api/webhooks/*`.
 * Each request goes through the middleware stack of its audience — admin, webhooks or public — chosen
 * by its path (stacks/audience.ts); routes are mounted where they live and need not know their stack.
 */
export function createApp(runtime: Runtime, options: AppOptions = {}) {
  const app = createRouter();
  app.onError(handleError);
  app.notFound(notFoundHandler);
  // Every audience: a trace span (when on), request id and access log; a NUL in the path or query is 400.
  app.use("*", traceRequest, requestContext(runtime), storableUrl);
  app.use(
    "*",
    byAudience({
      admin: adminStack(runtime),
      webhooks: webhookStack(),
      public: publicStack(runtime, options.public),
      operator: operatorStack(),
    }),
  );

  app.route("/api/auth", authRoutes());
  app.route("/api", publicHealthRoutes());
  // For the operator's Prometheus, behind METRICS_TOKEN (stacks/operator.ts).
  app.route("/api", metricsRoutes());
  // Platform webhooks: authenticated by their signatures, not by sessions.
  app.route("/api/webhooks", messengerWebhookRoutes());
  app.route("/api/webhooks", shopifyWebhookRoutes());
  // The public API (`/api/v1/public/*`, the widget issue) mounts its routers here.
  app.route("/api/v1", publicWidgetRoutes(options.widgetDistDir ? { widgetDistDir: options.widgetDistDir } : {}));
  app.route("/api/v1/public", publicChatRoutes(options.publicChat));
  app.route("/api/v1", publicMediaRoutes());

  let document: unknown;
  app.get(OPENAPI_PATH, (c) => {
    document ??= openApiDocument(app, runtime);
    return c.json(document);
  });
  const v1 = createRouter();
  v1.route("/", meRoutes());
  v1.route("/", memberRoutes());
  v1.route("/", tokenRoutes());
  v1.route("/", conversationRoutes());
  v1.route("/", inboxRoutes());
  v1.route("/", messageRoutes());
  v1.route("/", moderationRoutes());
  v1.route("/", messageLogRoutes());
  v1.route("/", channelRoutes());
  v1.route("/", lineIntegrationRoutes());
  v1.route("/", shopifyCatalogRoutes());
  // Signed by LINE, not a session: the webhook stack (audience.ts) serves it.
  v1.route("/", lineWebhookRoutes());
  v1.route("/", shopifyIntegrationRoutes());
  v1.route("/", mediaRoutes());
  v1.route("/", providerSettingsRoutes());
  v1.route("/", chatbotPromptRoutes());
  v1.route("/", chatbotPromptGenerationRoutes());
  v1.route("/", chatbotPlaygroundRoutes());
  v1.route("/", providerCredentialRoutes());
  v1.route("/", chatbotRoutes());
  v1.route("/", chatbotWidgetRoutes());
  v1.route("/", chatbotKnowledgeSearchRoutes());
  v1.route("/", chatbotHealthRoutes());
  v1.route("/", adminHealthRoutes());
  v1.route("/", jobRoutes());
  v1.route("/", cannedResponseRoutes());
  v1.route("/", auditLogRoutes());
  v1.route("/", workspaceSettingsRoutes());
  v1.route("/", analyticsRoutes());
  v1.route("/", contactRoutes());
  v1.route("/", notificationRoutes());
  v1.route("/", knowledgeRoutes());
  v1.route("/", knowledgeLimitsRoutes());
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
  // The public API's credentials (stacks/public.ts `publicCredential`).
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "apiKey",
    in: "header",
    name: PUBLIC_CREDENTIAL_HEADERS.apiKey,
    description: "A chatbot's API key (public chat API, from a server)",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "visitorToken", {
    type: "apiKey",
    in: "header",
    name: PUBLIC_CREDENTIAL_HEADERS.visitorToken,
    description: "The widget's short-lived visitor token",
  });
  return app;
}

function openApiDocument(app: ReturnType<typeof createRouter>, runtime: Runtime) {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Tandem API",
      version: runtime.version,
      description:
        "Admin API (`/api/v1`, session cookie or `Authorization: Bearer <personal token>`), auth (`/api/auth`), platform webhooks (`/api/webhooks`, `/api/v1/integrations/{provider}/{id}/webhook`: signed, no cookies, no CORS) and the public API (`/api/v1/public`: any origin, no cookies, a chatbot's API key or a visitor token). Errors: `{ error: { code, message, requestId, details? } }`, the status from one table per code; an unexpected failure is a 500 whose request id the logs know. Routes carry `x-permission`: the permission the caller's role needs.",
    },
    servers: [{ url: runtime.config.appUrl }],
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
  });
}

export type ApiApp = ReturnType<typeof createApp>;
