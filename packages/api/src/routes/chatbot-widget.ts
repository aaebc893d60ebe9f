import { createRoute, z } from "@hono/zod-openapi";
import { IdentitySecretDto, UpdateWidgetSettingsInput, WidgetSettingsDto } from "@tandem/contracts";
import { getWidgetSettings, regenerateIdentitySecret, updateWidgetSettings, widgetSettingsDeps } from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

const ChatbotParam = z.object({ chatbotId: z.string().min(1).max(64) });

/**
 * A chatbot's website widget (OWNER, ADMIN; another workspace's chatbot is a 404): theme, allowed
 * domains, custom CSS, identity verification, and the embed snippet. The identity secret is shown
 * only in the response that generates it.
 */
export function chatbotWidgetRoutes() {
  const app = createRouter();

  // GET /api/v1/chatbots/{chatbotId}/widget — the widget settings and the embed snippet
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{chatbotId}/widget",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description:
        "The theme with its defaults filled in, allowed domains (empty: the dashboard's own preview only), custom CSS, whether visitors must verify their identity, whether an identity secret exists (never the secret), and the `<script>` tag to paste.",
      request: { params: ChatbotParam },
      responses: { 200: json(WidgetSettingsDto), ...errors(401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await getWidgetSettings(c.get("ctx"), c.req.valid("param").chatbotId, widgetSettingsDeps(c.get("runtime"))),
        200,
      ),
  );

  // PATCH /api/v1/chatbots/{chatbotId}/widget — change some of the widget settings
  app.openapi(
    createRoute({
      method: "patch",
      path: "/chatbots/{chatbotId}/widget",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description:
        "Only the fields given change; `theme` may be partial. Colours are hex (`#2563eb`), domains host names (`shop.example.com`, `*.example.com`, lower-cased, duplicates dropped); an invalid field is a 400 naming it, and nothing changes. `requireVerifiedIdentity: true` needs an identity secret first (400 `identity_secret_required`). Custom CSS is sanitised before it is stored: comments, `<`, `@import` rules, `expression()`, `behavior:` / `-moz-binding:` are removed and `url(javascript:…)` becomes `none` (docs/chatbots.md). Audited as `chatbot.update_widget`.",
      request: { params: ChatbotParam, ...jsonBody(UpdateWidgetSettingsInput) },
      responses: { 200: json(WidgetSettingsDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await updateWidgetSettings(
          c.get("ctx"),
          c.req.valid("param").chatbotId,
          c.req.valid("json"),
          widgetSettingsDeps(c.get("runtime")),
        ),
        200,
      ),
  );

  // POST /api/v1/chatbots/{chatbotId}/widget/identity-secret — a new identity secret, shown once
  app.openapi(
    createRoute({
      method: "post",
      path: "/chatbots/{chatbotId}/widget/identity-secret",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description:
        "Returns a new secret (64 hex characters) for identity verification — `userHash = HMAC-SHA256(userId, secret)` computed by the site's server — only in this response. It is stored encrypted; the previous secret stops verifying at once. Audited as `chatbot.regenerate_identity_secret`, without the secret.",
      request: { params: ChatbotParam },
      responses: { 200: json(IdentitySecretDto), ...errors(401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await regenerateIdentitySecret(
          c.get("ctx"),
          c.req.valid("param").chatbotId,
          widgetSettingsDeps(c.get("runtime")),
        ),
        200,
      ),
  );

  return app;
}
