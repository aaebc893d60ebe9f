import { channels, chatbots, contacts, conversations, members, messages, products, promptVersions } from "@tandem/db";
import { createWorkspace } from "@tandem/db/testing";
import { DEMO_SHOP } from "@tandem/simulator/shopify/demo";
import { ShopifyState } from "@tandem/simulator/shopify/state";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import { signIn } from "../auth/sign-in.ts";
import { retrieveKnowledge } from "../bots/retrieve-knowledge.ts";
import { loadProviderConfig } from "../providers/load-provider-config.ts";
import { findPublicChannel } from "../public-chat/public-channel.ts";
import { createMemoryRateLimiter } from "../rate-limit/limiter.ts";
import type { Runtime } from "../runtime.ts";
import { productsForQuestion } from "../shopify/products-for-question.ts";
import { DEMO_GUIDE, DEMO_PAGE, DEMO_USERS, seedDemo } from "./seed-demo.ts";
import { DEMO_SHOPIFY_CATALOG, DEMO_SHOPIFY_STORE, seedDemoShopifyStore } from "./seed-demo-shopify-store.ts";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createTestRuntime();
});
afterAll(() => runtime.close());

describe("seedDemo", () => {
  it("creates the demo workspace once, and the demo people can sign in", async () => {
    const db = runtime.database.db;
    const first = await seedDemo(db, {
      password: "tandem-demo",
      keyring: runtime.keyring,
      simulatorUrl: "http://localhost:3000/_simulator",
    });
    const second = await seedDemo(db, { password: "tandem-demo", keyring: runtime.keyring });
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, workspaceId: first.workspaceId });

    const roles = await db
      .select({ role: members.role })
      .from(members)
      .where(eq(members.workspaceId, first.workspaceId));
    expect(roles.map((r) => r.role).sort()).toEqual(["ADMIN", "AGENT", "OWNER"]);
    const convs = await db.select().from(conversations).where(eq(conversations.workspaceId, first.workspaceId));
    expect(convs.length).toBeGreaterThanOrEqual(3);
    const msgs = await db.select().from(messages).where(eq(messages.workspaceId, first.workspaceId));
    expect(new Set(msgs.map((m) => m.role))).toEqual(new Set(["USER", "BOT", "AGENT", "SYSTEM"]));

    // The simulated Page's token is stored encrypted and decrypts with the runtime's keyring.
    const [page] = await db.select().from(channels).where(eq(channels.externalId, DEMO_PAGE.id));
    expect(page!.secretsEncrypted).not.toContain(DEMO_PAGE.accessToken);
    expect(JSON.parse(runtime.keyring.decrypt(page!.secretsEncrypted!))).toEqual({
      pageAccessToken: DEMO_PAGE.accessToken,
    });

    // The chatbot answers offline; an OpenAI-compatible provider without a key waits at the simulator.
    const [bot] = await db
      .select()
      .from(chatbots)
      .where(and(eq(chatbots.workspaceId, first.workspaceId), eq(chatbots.isDefault, true)));
    expect(bot?.providerKind).toBe("OFFLINE");
    // Its prompt (the default template) is version 1, so every reply can name the prompt it used.
    const [version] = await db.select().from(promptVersions).where(eq(promptVersions.chatbotId, bot!.id));
    expect(version).toMatchObject({ version: 1, text: "", metadata: { source: "created", defaultTemplate: true } });
    expect(bot?.currentPromptVersionId).toBe(version!.id);
    // Each demo customer has been seen: "Since" (their first message) before "Last seen" (their latest).
    const people = await db.select().from(contacts).where(eq(contacts.workspaceId, first.workspaceId));
    for (const person of people) {
      expect(person.lastSeenAt, person.name ?? person.id).not.toBeNull();
      expect(person.createdAt.getTime()).toBeLessThanOrEqual(person.lastSeenAt!.getTime());
      expect(person.createdAt.getTime()).toBeLessThan(Date.now() - 60_000);
    }
    // Its website channel is the one the widget and the public chat API use (no second one appears).
    const web = await findPublicChannel(db, bot!.id, "web");
    expect(web).toMatchObject({ type: "web", workspaceId: first.workspaceId, chatbotId: bot!.id });
    expect(convs.some((c) => c.channelId === web!.id)).toBe(true);
    // The help centre's guide is ready and searchable: the offline bot answers from it, with its source.
    const found = await retrieveKnowledge(db, bot!, "How much does gift wrapping cost?");
    expect(found[0]).toMatchObject({ kind: "passage", title: DEMO_GUIDE.title });
    expect(found[0]!.content).toContain("Gift wrapping costs 50 THB per item");
    // With the simulator on, the simulated Shopify store is connected with its catalog: the bot finds the products.
    const shirts = await productsForQuestion(db, bot!, "Do you have the linen shirt in M?", []);
    expect(shirts.stores).toMatchObject([{ shopDomain: DEMO_SHOPIFY_STORE.domain, currency: "THB" }]);
    expect(shirts.products[0]).toMatchObject({ title: "Linen Shirt", currency: "THB", priceMin: "1290.0000" });
    const catalog = await db.select().from(products).where(eq(products.workspaceId, first.workspaceId));
    expect(catalog).toHaveLength(DEMO_SHOPIFY_CATALOG.length);
    const faqFirst = await retrieveKnowledge(db, bot!, "What is your return policy?");
    expect(faqFirst[0]).toMatchObject({ kind: "faq", title: "What is your return policy?" });
    const deps = { db, keyring: runtime.keyring, config: runtime.config };
    expect(await loadProviderConfig(deps, first.workspaceId, "OPENAI_COMPATIBLE")).toMatchObject({
      kind: "OPENAI_COMPATIBLE",
      apiKey: undefined,
      baseUrl: "http://localhost:3000/_simulator/llm/openai/v1",
    });

    for (const user of DEMO_USERS) {
      const session = await signIn(
        { db, limiter: createMemoryRateLimiter() },
        { email: user.email, password: "tandem-demo" },
      );
      expect(session.workspaceId).toBe(first.workspaceId);
    }
  });

  it("gives the demo catalog the products, variants and ids the Shopify simulator's demo shop has", async () => {
    const db = runtime.database.db;
    const workspace = await createWorkspace(db);
    await seedDemoShopifyStore(db, { workspaceId: workspace.id, keyring: runtime.keyring });
    const seeded = await db
      .select({ platformId: products.platformId, title: products.title, variants: products.variants })
      .from(products)
      .where(eq(products.workspaceId, workspace.id));
    const simulated = [...new ShopifyState({ shops: [DEMO_SHOP] }).shops.get(DEMO_SHOP.domain)!.products.values()];
    expect(seeded.sort((a, b) => a.platformId.localeCompare(b.platformId))).toEqual(
      simulated.map((p) => ({
        platformId: `gid://shopify/Product/${p.id}`,
        title: p.title,
        variants: p.variants.map((v) =>
          expect.objectContaining({ id: `gid://shopify/ProductVariant/${v.id}`, title: v.title, price: v.price }),
        ),
      })),
    );
  });
});
