import { createRoute } from "@hono/zod-openapi";
import {
  ChannelDto,
  ConfigureLineInput,
  LineChatbotParam,
  LineChatbotsResponse,
  LineStatus,
  LineWebhookEndpointResult,
  LineWebhookTestResult,
} from "@tandem/contracts";
import { configureLine, lineStatus, listLineChatbots, setLineWebhookEndpoint, testLineWebhook } from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

/**
 * LINE Official Account, one channel per chatbot (admin stack). The webhook LINE delivers to,
 * `POST /api/v1/integrations/line/{chatbotId}/webhook`, belongs to the webhook stack, not here.
 */
export function lineIntegrationRoutes() {
  const app = createRouter();

  // GET /api/v1/integrations/line — the workspace's chatbots, each with its LINE channel
  app.openapi(
    createRoute({
      method: "get",
      path: "/integrations/line",
      tags: ["line"],
      ...permit("channels.manage"),
      responses: { 200: json(LineChatbotsResponse), ...errors(401, 403) },
    }),
    async (c) => c.json(await listLineChatbots(c.get("ctx")), 200),
  );

  // PUT /api/v1/integrations/line/{chatbotId}/config — connect or update the chatbot's LINE channel
  app.openapi(
    createRoute({
      method: "put",
      path: "/integrations/line/{chatbotId}/config",
      tags: ["line"],
      ...permit("channels.manage"),
      description:
        "Checks the channel access token with LINE's bot info and stores the secret and token encrypted. On an update, an omitted `channelSecret` or `channelAccessToken` keeps the stored one. Secrets never come back: the channel carries masked hints.",
      request: { params: LineChatbotParam, ...jsonBody(ConfigureLineInput) },
      responses: { 200: json(ChannelDto), ...errors(400, 401, 403, 404, 409, 503) },
    }),
    async (c) => {
      const { chatbotId } = c.req.valid("param");
      return c.json(await configureLine(c.get("ctx"), { ...c.req.valid("json"), chatbotId }), 200);
    },
  );

  // GET /api/v1/integrations/line/{chatbotId}/status — the channel's health and LINE's live view of it
  app.openapi(
    createRoute({
      method: "get",
      path: "/integrations/line/{chatbotId}/status",
      tags: ["line"],
      ...permit("channels.manage"),
      description:
        "Token, webhook URL and quota are checked live with LINE; a check LINE does not answer is reported unavailable (`webhook.error`, `quotaError`, `token.state`) without failing the rest.",
      request: { params: LineChatbotParam },
      responses: { 200: json(LineStatus), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await lineStatus(c.get("ctx"), c.req.valid("param")), 200),
  );

  // POST /api/v1/integrations/line/{chatbotId}/webhook-endpoint — set our webhook URL on LINE
  app.openapi(
    createRoute({
      method: "post",
      path: "/integrations/line/{chatbotId}/webhook-endpoint",
      tags: ["line"],
      ...permit("channels.manage"),
      request: { params: LineChatbotParam },
      responses: { 200: json(LineWebhookEndpointResult), ...errors(400, 401, 403, 404, 409, 422, 503) },
    }),
    async (c) => c.json(await setLineWebhookEndpoint(c.get("ctx"), c.req.valid("param")), 200),
  );

  // POST /api/v1/integrations/line/{chatbotId}/webhook-test — LINE's own test of the URL set on it
  app.openapi(
    createRoute({
      method: "post",
      path: "/integrations/line/{chatbotId}/webhook-test",
      tags: ["line"],
      ...permit("channels.manage"),
      description: "LINE's verdict on our endpoint, as LINE reports it: 200 either way, `success` is the verdict.",
      request: { params: LineChatbotParam },
      responses: { 200: json(LineWebhookTestResult), ...errors(400, 401, 403, 404, 409, 503) },
    }),
    async (c) => c.json(await testLineWebhook(c.get("ctx"), c.req.valid("param")), 200),
  );

  return app;
}
