/**
 * All simulated platforms in one Hono app under a base path, plus a small control API so a test or
 * the demo in another process can seed pages, inject faults and read the recorded calls:
 *
 *   {basePath}/graph/…                 fake Graph API (point GRAPH_API_URL here)
 *   {basePath}/line/api/…              fake LINE Messaging API, api.line.me (LINE_API_URL)
 *   {basePath}/line/data/…             fake LINE content host, api-data.line.me (LINE_DATA_API_URL)
 *   {basePath}/llm/openai/v1/…         fake OpenAI / OpenAI-compatible API (OPENAI_BASE_URL)
 *   {basePath}/llm/openrouter/api/v1/… fake OpenRouter (OPENROUTER_BASE_URL)
 *   {basePath}/llm/gemini/v1beta/…     fake Gemini (GEMINI_BASE_URL)
 *   {basePath}/shopify/{shop}/admin/…  fake Shopify Admin API per shop (SHOPIFY_API_URL={basePath}/shopify)
 *   {basePath}/_control/graph/…        calls, outbox, pages, users, faults, reset
 *   {basePath}/_control/line/…         calls, outbox, channels, users, groups, rooms, quota, faults, reset
 *   {basePath}/_control/llm/…          calls, scripted replies, faults, invalid keys, reset
 *   {basePath}/_control/shopify/…      calls, apps, shops, tokens, products, webhooks, deliveries,
 *                                      throttle, settings, faults, reset
 *   {basePath}/_control/mail           caught mail (list, one, clear) and SMTP faults; the SMTP
 *                                      catcher itself listens apart (`startSmtpCatcher(sim.mailbox)`)
 */
import { Hono } from "hono";
import { z } from "zod";
import { createGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from "./graph/app.ts";
import { FAULT_KINDS, FAULT_TARGETS, type PageInput, type UserInput } from "./graph/state.ts";
import { createLineSimulator, type LineSimulator, type LineSimulatorOptions } from "./line/app.ts";
import { lineControl } from "./line/control.ts";
import type { LineChannelInput, LineGroupInput, LineUserInput } from "./line/state.ts";
import { createLlmSimulator, type LlmSimulator, type LlmSimulatorOptions } from "./llm/index.ts";
import { mailControl } from "./mail/control.ts";
import { Mailbox } from "./mail/mailbox.ts";
import { createShopifySimulator, type ShopifySimulator, type ShopifySimulatorOptions } from "./shopify/app.ts";
import { shopifyControl } from "./shopify/control.ts";
import { DEMO_SHOP, DEMO_SHOPIFY_APP } from "./shopify/demo.ts";

export { DEMO_PRODUCTS, DEMO_SHOP, DEMO_SHOPIFY_APP } from "./shopify/demo.ts";

/** A Page and customers the demo workspace and the standalone simulator share. */
export const DEMO_PAGE: PageInput = {
  id: "109876543210001",
  name: "Tandem Demo Shop",
  accessToken: "EAASIMdemoPageToken0001",
  about: "Linen shirts, cotton tees and everyday basics, shipped from Bangkok.",
};

export const DEMO_USERS: UserInput[] = [
  { psid: "7000000000000001", firstName: "Maya", lastName: "Lindqvist", locale: "sv_SE" },
  { psid: "7000000000000002", firstName: "Somchai", lastName: "Prasert", locale: "th_TH" },
  { psid: "7000000000000003", firstName: "Zoë", lastName: "Müller", locale: "de_DE" },
];

/** The LINE Official Account the demo workspace and the standalone simulator share. */
export const DEMO_LINE_CHANNEL: LineChannelInput = {
  channelId: "2000000001",
  channelSecret: "5f2c9e0d7a1b4c3e8d6f0a9b1c2d3e4f",
  channelAccessToken: "tandemSimLineChannelAccessToken0001",
  userId: "U7a9f0e1d2c3b4a5968778695a4b3c2d1",
  basicId: "@tandemsim",
  displayName: "Tandem Demo Shop",
};

export const DEMO_LINE_USERS: LineUserInput[] = [
  {
    userId: "U1f3a5c7e9b0d2f4a6c8e0b1d3f5a7c9e",
    displayName: "Ploy Chaiyaporn",
    language: "th",
    statusMessage: "☕ coffee first",
  },
  { userId: "U2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d0f", displayName: "Kenta Sato", language: "ja" },
];

export const DEMO_LINE_GROUP: LineGroupInput = {
  groupId: "C9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a",
  groupName: "Tandem Demo Group",
  memberIds: DEMO_LINE_USERS.map((user) => user.userId),
};

export interface SimulatorOptions {
  /** Path prefix of every route, e.g. `/_simulator`; default none. */
  basePath?: string;
  graph?: GraphSimulatorOptions;
  llm?: LlmSimulatorOptions;
  line?: LineSimulatorOptions;
  shopify?: ShopifySimulatorOptions;
  /**
   * Seed `DEMO_PAGE` and `DEMO_USERS` into the Graph simulator, the demo LINE channel, users and group
   * into LINE's, and the demo shop, app and access token into Shopify's.
   */
  seedDemo?: boolean;
}

export interface Simulator {
  app: Hono;
  graph: GraphSimulator;
  line: LineSimulator;
  llm: LlmSimulator;
  shopify: ShopifySimulator;
  /** Mail caught by the SMTP catcher (`startSmtpCatcher(simulator.mailbox)`). */
  mailbox: Mailbox;
  /** Clears recorded calls and restores every simulator's seeded state. */
  reset(): void;
}

const PageBody = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  accessToken: z.string().min(1),
  /** Profile fields this app may not read on the Page, e.g. `["locale"]` (refused with error 100 / 2018247). */
  restrictedProfileFields: z.array(z.string().min(1)).optional(),
});
const UserBody = z.object({
  psid: z.string().min(1),
  firstName: z.string(),
  lastName: z.string(),
  locale: z.string().optional(),
  /** Profile reads of this person fail with error 2018218 ("no profile available"). */
  profileUnavailable: z.boolean().optional(),
  /** The person's app-scoped id, for the ID Matching API (`/{asid}/ids_for_pages`). */
  asid: z.string().min(1).optional(),
  pageId: z.string().min(1).optional(),
});
const FaultBody = z.object({
  kind: z.enum(FAULT_KINDS),
  times: z.union([z.number().int().positive(), z.literal("always")]).optional(),
  on: z.enum(FAULT_TARGETS).optional(),
});

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const graphOptions: GraphSimulatorOptions = { ...options.graph };
  if (options.seedDemo) {
    graphOptions.pages = [DEMO_PAGE, ...(graphOptions.pages ?? [])];
    graphOptions.users = [...DEMO_USERS, ...(graphOptions.users ?? [])];
  }
  const graph = createGraphSimulator(graphOptions);
  const lineOptions: LineSimulatorOptions = { ...options.line };
  if (options.seedDemo) {
    lineOptions.channels = [DEMO_LINE_CHANNEL, ...(lineOptions.channels ?? [])];
    lineOptions.users = [...DEMO_LINE_USERS, ...(lineOptions.users ?? [])];
    lineOptions.groups = [DEMO_LINE_GROUP, ...(lineOptions.groups ?? [])];
  }
  const line = createLineSimulator(lineOptions);
  const llm = createLlmSimulator(options.llm);
  const shopifyOptions: ShopifySimulatorOptions = { ...options.shopify };
  if (options.seedDemo) Object.assign(shopifyOptions, withDemoShop(shopifyOptions));
  const shopify = createShopifySimulator(shopifyOptions);
  const mailbox = new Mailbox();

  const base = (options.basePath ?? "").replace(/\/+$/, "");
  const app = base ? new Hono().basePath(base) : new Hono();
  app.route("/graph", graph.app);
  app.route("/_control/graph", graphControl(graph));
  app.route("/line", line.app);
  app.route("/_control/line", lineControl(line));
  app.route("/llm/openai", llm.apps.openai);
  app.route("/llm/openrouter", llm.apps.openrouter);
  app.route("/llm/gemini", llm.apps.gemini);
  app.route("/_control/llm", llm.control);
  app.route("/_control/mail", mailControl(mailbox));
  app.route("/shopify", shopify.app);
  app.route("/_control/shopify", shopifyControl(shopify));
  return {
    app,
    graph,
    line,
    llm,
    shopify,
    mailbox,
    reset: () => {
      graph.reset();
      line.reset();
      llm.reset();
      shopify.reset();
      mailbox.reset();
    },
  };
}

/** Shopify seed options with the demo shop, the demo app and its never-expiring access token added. */
export function withDemoShop(options: ShopifySimulatorOptions = {}): ShopifySimulatorOptions {
  const { accessToken, ...app } = DEMO_SHOPIFY_APP;
  return {
    ...options,
    apps: [{ ...app, scopes: [...app.scopes] }, ...(options.apps ?? [])],
    shops: [DEMO_SHOP, ...(options.shops ?? [])],
    tokens: [
      { shop: DEMO_SHOP.domain, clientId: app.clientId, accessToken, scopes: [...app.scopes] },
      ...(options.tokens ?? []),
    ],
  };
}

function graphControl(graph: GraphSimulator): Hono {
  const control = new Hono();
  const invalid = (error: z.ZodError) => ({
    error: { code: "invalid_input", message: "Invalid simulator control input", details: error.issues },
  });

  control.get("/calls", (c) => {
    const since = Number(c.req.query("since") ?? 0);
    return c.json({ data: graph.calls.filter((call) => call.seq > since) });
  });
  control.get("/outbox", (c) => c.json({ data: graph.state.outbox }));
  control.post("/pages", async (c) => {
    const parsed = PageBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    return c.json(graph.state.addPage(parsed.data), 201);
  });
  control.post("/users", async (c) => {
    const parsed = UserBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    return c.json(graph.state.addUser(parsed.data), 201);
  });
  control.put("/faults/:psid", async (c) => {
    const parsed = FaultBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    const { kind, times, on } = parsed.data;
    graph.state.faults.set(c.req.param("psid"), {
      kind,
      times: times === "always" ? Number.POSITIVE_INFINITY : times,
      ...(on ? { on } : {}),
    });
    return c.body(null, 204);
  });
  control.delete("/faults/:psid", (c) => {
    graph.state.faults.delete(c.req.param("psid"));
    return c.body(null, 204);
  });
  control.post("/oauth/deny-next", (c) => {
    graph.state.denyNextOAuth = true;
    return c.body(null, 204);
  });
  control.post("/reset", (c) => {
    graph.reset();
    return c.body(null, 204);
  });
  return control;
}
