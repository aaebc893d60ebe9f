import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { type Config, DEMO_PAGE, type Logger, routeMailToSimulator } from "@tandem/core";
import {
  createSimulator,
  DEMO_LINE_CHANNEL,
  DEMO_LINE_GROUP,
  DEMO_LINE_USERS,
  DEMO_SHOPIFY_APP,
  type SmtpCatcher,
  startSmtpCatcher,
  withDemoShop,
} from "@tandem/simulator";
import { mountLineCustomer } from "./line-customer.ts";
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
  /** Port of the mail catcher; default SIMULATOR_SMTP_PORT (0: any free port). */
  smtpPort?: number;
}

/**
 * The in-process simulator under `/_simulator`: a fake Graph API, a fake LINE platform (and later
 * Shopify, LLMs), and the Messenger and LINE customers the /simulator page plays
 * (`/_simulator/customer/messenger/*`, `/_simulator/customer/line/*`).
 * Without a real Facebook app (no FB_APP_SECRET) and without an explicit GRAPH_API_URL, the app's
 * Graph calls are pointed at it and the simulator's app configuration fills the gaps, so the demo
 * Page works offline. With a real app configured, Graph calls go to Facebook: setting FB_APP_ID,
 * FB_APP_SECRET and WEBHOOK_VERIFY_TOKEN is all it takes to connect real Pages on a development
 * machine (the simulated demo Page then cannot send; disconnect it or set SIMULATOR=0). LINE calls
 * go to the simulator unless LINE_API_URL / LINE_DATA_API_URL are set: a real LINE channel connected
 * on a development machine needs them set to LINE's hosts. Shopify calls go to the simulator's demo
 * store (`/_simulator/shopify/{shop}/admin/…`) unless SHOPIFY_API_URL is set or a real public app is
 * configured (SHOPIFY_API_KEY and SHOPIFY_API_SECRET); without one, the OAuth install uses the
 * simulator's demo app (`DEMO_SHOPIFY_APP`).
 *
 * Mail: without an SMTP server (and outside production), the app's mail goes over real SMTP to the
 * simulator's catcher on 127.0.0.1:SIMULATOR_SMTP_PORT (another free port when that one is taken),
 * and the /simulator page's mailbox shows it (`/_simulator/_control/mail`).
 */
export async function mountSimulator(config: Config, log: Logger, options: MountSimulatorOptions = {}) {
  const realApp = Boolean(config.facebook.appSecret);
  if (!process.env.GRAPH_API_URL && !realApp) config.facebook.graphApiUrl = `${config.appUrl}/_simulator/graph`;
  config.facebook.appId ??= SIMULATOR_APP.appId;
  config.facebook.appSecret ??= SIMULATOR_APP.appSecret;
  config.facebook.verifyToken ??= SIMULATOR_APP.verifyToken;
  if (!process.env.LINE_API_URL) config.lineApiUrl = `${config.appUrl}/_simulator/line/api`;
  if (!process.env.LINE_DATA_API_URL) config.lineDataApiUrl = `${config.appUrl}/_simulator/line/data`;
  const realShopifyApp = Boolean(config.shopifyApp);
  if (!process.env.SHOPIFY_API_URL && !realShopifyApp) config.shopifyApiUrl = `${config.appUrl}/_simulator/shopify`;
  config.shopifyApp ??= { apiKey: DEMO_SHOPIFY_APP.clientId, apiSecret: DEMO_SHOPIFY_APP.clientSecret };
  const shopify = withDemoShop({ publicUrl: `${config.appUrl}/_simulator/shopify` });
  for (const app of shopify.apps ?? []) app.privacyWebhookUrl ??= `${config.appUrl}/api/webhooks/shopify`;
  const simulator = createSimulator({
    basePath: "/_simulator",
    graph: { pages: [DEMO_PAGE], appId: config.facebook.appId, appSecret: config.facebook.appSecret },
    line: { channels: [DEMO_LINE_CHANNEL], users: DEMO_LINE_USERS, groups: [DEMO_LINE_GROUP] },
    shopify,
  });
  mountMessengerCustomer(simulator, {
    webhookUrl: `${config.appUrl}/api/webhooks/messenger`,
    appSecret: () => config.facebook.appSecret ?? SIMULATOR_APP.appSecret,
    defaultPageId: DEMO_PAGE.id,
    log,
    fetch: options.fetch,
  });
  mountLineCustomer(simulator, {
    webhookUrl: (chatbotId) => `${config.appUrl}/api/v1/integrations/line/${encodeURIComponent(chatbotId)}/webhook`,
    defaultChannelId: DEMO_LINE_CHANNEL.channelId,
    log,
    fetch: options.fetch,
  });
  // An SMTP server of the operator's takes every mail; production never routes mail to the simulator.
  const catchMail = config.mail?.kind !== "smtp" && !config.production;
  const smtp = catchMail ? await startCatcher(simulator, options.smtpPort ?? config.simulatorSmtpPort, log) : null;
  if (smtp) routeMailToSimulator(config, smtp.port);
  log.warn(
    {
      graphApiUrl: config.facebook.graphApiUrl,
      lineApiUrl: config.lineApiUrl,
      shopifyApiUrl: config.shopifyApiUrl,
      mail: config.mail ? `${config.mail.kind}` : "off",
    },
    "simulator enabled: fake platforms are served under /_simulator",
  );
  const listener = getRequestListener(simulator.app.fetch);
  return {
    simulator,
    listener: (req: IncomingMessage, res: ServerResponse) => listener(req, res),
    /** The mail catcher, when mail goes to the simulator. */
    smtp,
    close: async () => smtp?.close(),
  };
}

async function startCatcher(
  simulator: ReturnType<typeof createSimulator>,
  port: number,
  log: Logger,
): Promise<SmtpCatcher | null> {
  try {
    return await startSmtpCatcher(simulator.mailbox, { port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw err;
    const catcher = await startSmtpCatcher(simulator.mailbox, { port: 0 });
    log.warn(
      { wanted: port, port: catcher.port },
      "SIMULATOR_SMTP_PORT is taken: the mail catcher listens on another port (a separate worker process will not reach it)",
    );
    return catcher;
  }
}
