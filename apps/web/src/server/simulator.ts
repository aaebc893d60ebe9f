import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { type Config, DEMO_PAGE, type Logger } from "@tandem/core";
import { createSimulator } from "@tandem/simulator";
import { type MessengerCustomerOptions, mountMessengerCustomer } from "./messenger-customer.ts";

/** App credentials the simulator uses when no real Facebook app is configured. */
export const SIMULATOR_APP = {
  appId: "1000000000000001",
  appSecret: "tandem-simulator-app-secret",
  verifyToken: "tandem-simulator-verify-token",
} as const;

export interface MountSimulatorOptions {
  /** How the customer side delivers webhooks to the app; default real HTTP to APP_URL. */
  fetch?: MessengerCustomerOptions["fetch"];
}

/**
 * The in-process simulator under `/_simulator`: a fake Graph API (and later LINE, Shopify, LLMs)
 * and the Messenger customer the /simulator page plays (`/_simulator/customer/messenger/*`).
 * Without a real Facebook app (no FB_APP_SECRET) and without an explicit GRAPH_API_URL, the app's
 * Graph calls are pointed at it and the simulator's app configuration fills the gaps, so the demo
 * Page works offline. With a real app configured, Graph calls go to Facebook: setting FB_APP_ID,
 * FB_APP_SECRET and WEBHOOK_VERIFY_TOKEN is all it takes to connect real Pages on a development
 * machine (the simulated demo Page then cannot send; disconnect it or set SIMULATOR=0).
 */
export function mountSimulator(config: Config, log: Logger, options: MountSimulatorOptions = {}) {
  const realApp = Boolean(config.facebook.appSecret);
  if (!process.env.GRAPH_API_URL && !realApp) config.facebook.graphApiUrl = `${config.appUrl}/_simulator/graph`;
  config.facebook.appId ??= SIMULATOR_APP.appId;
  config.facebook.appSecret ??= SIMULATOR_APP.appSecret;
  config.facebook.verifyToken ??= SIMULATOR_APP.verifyToken;
  const simulator = createSimulator({
    basePath: "/_simulator",
    graph: { pages: [DEMO_PAGE], appId: config.facebook.appId, appSecret: config.facebook.appSecret },
  });
  mountMessengerCustomer(simulator, {
    webhookUrl: `${config.appUrl}/api/webhooks/messenger`,
    appSecret: () => config.facebook.appSecret ?? SIMULATOR_APP.appSecret,
    defaultPageId: DEMO_PAGE.id,
    log,
    fetch: options.fetch,
  });
  log.warn(
    { graphApiUrl: config.facebook.graphApiUrl },
    "simulator enabled: fake platforms are served under /_simulator",
  );
  const listener = getRequestListener(simulator.app.fetch);
  return {
    simulator,
    listener: (req: IncomingMessage, res: ServerResponse) => listener(req, res),
  };
}
