import { expect, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";

// The simulated store and its custom app (DEMO_SHOP / DEMO_SHOPIFY_APP in packages/simulator/src/shopify/demo.ts).
const SHOP = "tandem-demo.myshopify.com";
const SHOP_NAME = "Tandem Demo Shop";
const ACCESS_TOKEN = "shpat_tandemsimdemo00000000000000001";
const API_SECRET = "shpss_tandemsimdemo0000000000000001";

test("the owner connects the simulated Shopify store, watches its sync finish, and a customer gets a product card", async ({
  page,
}) => {
  await signIn(page, "owner@demo.local");
  await mainNavigation(page).getByRole("link", { name: "Integrations", exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/integrations$/);
  await expect(page.getByRole("heading", { name: "Integrations" })).toBeVisible();

  // The demo workspace comes with the store's catalog (seeded as a sync leaves it).
  const card = page.getByRole("region", { name: `Shopify store ${SHOP_NAME}` });
  await expect(card).toBeVisible();
  await expect(card.getByText("12", { exact: true })).toBeVisible();

  // A wrong token is refused by Shopify: nothing changes.
  await page.getByRole("button", { name: "Connect Shopify" }).click();
  const dialog = page.getByRole("dialog", { name: "Connect a Shopify store" });
  await dialog.getByRole("tab", { name: "Access token" }).click();
  await dialog.getByLabel("Shop domain").fill("not a shop");
  await dialog.getByLabel("Admin API access token").fill("shpat_wrong");
  await dialog.getByRole("button", { name: "Connect store" }).click();
  await expect(dialog.getByText(/myshopify\.com domain/)).toBeVisible();
  await dialog.getByLabel("Shop domain").fill(`https://${SHOP}/admin`);
  await dialog.getByRole("button", { name: "Connect store" }).click();
  await expect(dialog.getByRole("alert")).toBeVisible();
  await expect(card.getByText("Access token ending")).toBeVisible();

  // The right token and the app's secret: connected again, webhooks registered, the catalog re-synced.
  await dialog.getByLabel("Admin API access token").fill(ACCESS_TOKEN);
  await dialog.getByLabel("API secret key (optional)").fill(API_SECRET);
  await dialog.getByRole("button", { name: "Connect store" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`${SHOP_NAME} is connected. Its catalog is syncing.`)).toBeVisible();
  await expect(card.getByText("Connected", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(card.getByText(/^\d+ topics$/)).toBeVisible();
  await expect(card.getByText("12", { exact: true })).toBeVisible();
  expect(await page.content()).not.toContain(ACCESS_TOKEN);
  expect(await page.content()).not.toContain(API_SECRET);

  // A customer on the simulated Messenger asks about a product: the answer has the price, the stock and a card.
  await mainNavigation(page).getByRole("link", { name: "Simulator", exact: true }).click();
  const name = `Shopper ${Date.now().toString(36)}`;
  await page.getByLabel("New customer").fill(name);
  await page.getByRole("button", { name: "Add customer" }).click();
  const chat = page.getByRole("region", { name: `Messenger chat of ${name}` });
  await chat.getByLabel(`Message as ${name}`).fill("Do you have the linen shirt in M?");
  await chat.getByRole("button", { name: "Send", exact: true }).click();
  const thread = chat.getByRole("log", { name: "Messenger thread" });
  await expect(thread.getByText(/Linen Shirt in M is in stock/)).toBeVisible({ timeout: 30_000 });
  const cards = chat.getByRole("list", { name: /^Cards from / }).getByRole("listitem");
  await expect(cards.first()).toContainText("Linen Shirt");
  await expect(cards.first()).toContainText("฿1,290.00");

  // The shop changes the price on Shopify (the simulator's Shopify tab): products/update reaches Tandem
  // through the webhooks the connection registered, and the next answer quotes the new price.
  await page.goto("/simulator?tab=shopify");
  const shirt = page.getByRole("article", { name: "Linen Shirt" });
  const price = shirt.getByLabel("Price of Linen Shirt M");
  const oldPrice = await price.inputValue();
  await price.fill("1190.00");
  await shirt.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("region", { name: "Webhooks sent" }).getByText("products/update").first()).toBeVisible();
  try {
    await expect
      .poll(
        async () => {
          const res = await page.request.get("/api/v1/integrations/shopify");
          const body = (await res.json()) as { stores: { id: string; shopDomain: string }[] };
          const store = body.stores.find((s) => s.shopDomain === SHOP);
          const list = await page.request.get(`/api/v1/integrations/shopify/${store?.id}/products?q=Linen%20Shirt`);
          const products = (await list.json()) as {
            data: { title: string; variants: { title: string; price: string }[] }[];
          };
          return products.data.find((p) => p.title === "Linen Shirt")?.variants.find((v) => v.title === "M")?.price;
        },
        { timeout: 30_000 },
      )
      .toMatch(/^1190(\.0+)?$/);

    await page.goto("/simulator");
    await page.getByRole("button", { name: new RegExp(name) }).click();
    await chat.getByLabel(`Message as ${name}`).fill("Do you have the linen shirt in M?");
    await chat.getByRole("button", { name: "Send", exact: true }).click();
    await expect(thread.getByText(/฿1,190\.00/).first()).toBeVisible({ timeout: 30_000 });
  } finally {
    // The demo catalog as it was, for the specs after this one.
    await page.goto("/simulator?tab=shopify");
    await page.getByRole("article", { name: "Linen Shirt" }).getByLabel("Price of Linen Shirt M").fill(oldPrice);
    await page.getByRole("article", { name: "Linen Shirt" }).getByRole("button", { name: "Save" }).click();
    await expect(
      page.getByRole("article", { name: "Linen Shirt" }).getByRole("button", { name: "Save" }),
    ).toBeDisabled();
  }
});
