/**
 * Standalone simulator: `PORT=4010 npx tsx packages/simulator/src/main.ts`, then point Tandem at
 * GRAPH_API_URL=http://127.0.0.1:4010/graph (LINE: LINE_API_URL=…/line/api, LINE_DATA_API_URL=…/line/data;
 * Shopify: SHOPIFY_API_URL=…/shopify). Seeds the demo Page and customers, the demo LINE channel, users
 * and group, and the demo Shopify store with its app and access token.
 */
import { serve } from "@hono/node-server";
import { z } from "zod";
import { createSimulator, DEMO_LINE_CHANNEL, DEMO_PAGE, DEMO_SHOP, DEMO_SHOPIFY_APP } from "./simulator.ts";

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  HOST: z.string().default("127.0.0.1"),
  FB_APP_ID: z.string().optional(),
  FB_APP_SECRET: z.string().optional(),
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`Invalid env ${issue.path.join(".")}: ${issue.message}`);
  process.exit(1);
}
const env = parsed.data;

const simulator = createSimulator({
  seedDemo: true,
  graph: { appId: env.FB_APP_ID, appSecret: env.FB_APP_SECRET },
});

const server = serve({ fetch: simulator.app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
  const url = `http://${env.HOST}:${info.port}`;
  console.log(`Simulator listening on ${url}`);
  console.log(`  GRAPH_API_URL=${url}/graph`);
  console.log(`  demo Page ${DEMO_PAGE.id} (${DEMO_PAGE.name}), token ${DEMO_PAGE.accessToken}`);
  console.log(`  LINE_API_URL=${url}/line/api LINE_DATA_API_URL=${url}/line/data`);
  console.log(`  demo LINE channel ${DEMO_LINE_CHANNEL.channelId}, token ${DEMO_LINE_CHANNEL.channelAccessToken}`);
  console.log(`  SHOPIFY_API_URL=${url}/shopify`);
  console.log(
    `  demo shop ${DEMO_SHOP.domain}, token ${DEMO_SHOPIFY_APP.accessToken}, client id ${DEMO_SHOPIFY_APP.clientId}, secret ${DEMO_SHOPIFY_APP.clientSecret}`,
  );
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
