import { expect, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";

// The demo FAQ's answer to "What is your return policy?" (packages/core/src/demo/seed-demo.ts).
const RETURN_POLICY_ANSWER = /return unused items within 30 days of delivery for a full refund/;

test("a customer writes on the simulated Messenger and the demo bot's answer arrives", async ({ page }) => {
  await signIn(page, "owner@demo.local");
  await mainNavigation(page).getByRole("link", { name: "Simulator", exact: true }).click();
  await expect(page).toHaveURL(/\/simulator$/);
  await expect(page.getByRole("heading", { name: "Messenger simulator" })).toBeVisible();

  // A new customer, so the thread starts empty whatever ran before.
  const name = `Ngọc Anh ${Date.now().toString(36)}`;
  await page.getByLabel("New customer").fill(name);
  await page.getByRole("button", { name: "Add customer" }).click();
  const chat = page.getByRole("region", { name: `Messenger chat of ${name}` });
  await expect(chat).toBeVisible();

  await chat.getByLabel(`Message as ${name}`).fill("What is your return policy?");
  await chat.getByRole("button", { name: "Send", exact: true }).click();

  const thread = chat.getByRole("log", { name: "Messenger thread" });
  await expect(thread.getByText("What is your return policy?", { exact: true })).toBeVisible();
  // Webhook → conversation → offline bot → Send API (simulated) → back in the customer's pane.
  await expect(thread.getByText(RETURN_POLICY_ANSWER)).toBeVisible({ timeout: 30_000 });
  await expect(thread.getByText(/Not delivered to Tandem/)).toHaveCount(0);

  // The same conversation is in the inbox API, with the bot's reply as its latest message.
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/v1/conversations?search=${encodeURIComponent(name)}`);
        if (!res.ok()) return `HTTP ${res.status()}`;
        const body = (await res.json()) as {
          data: { contact: { name: string | null } | null; lastMessage: { role: string } | null }[];
        };
        const conversation = body.data[0];
        return conversation ? `${conversation.contact?.name} / ${conversation.lastMessage?.role}` : "none";
      },
      { timeout: 30_000 },
    )
    .toBe(`${name} / BOT`);
});

test("files the Page uploads show in the customer's Messenger: the image, and a link named after the file", async ({
  page,
}) => {
  // The demo Page (packages/core/src/demo/seed-demo.ts) sends as Tandem's Graph client does: multipart, filedata.
  const pageId = "1000000000000001";
  const psid = `71${Date.now().toString().slice(-14)}`;
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWNgOx6KFTEMLQkAQKxIgXAi5VsAAAAASUVORK5CYII=",
    "base64",
  );
  const upload = (type: string, file: { name: string; mimeType: string; buffer: Buffer }) =>
    page.request.post(`/_simulator/graph/v25.0/${pageId}/messages?access_token=sim-demo-page-token`, {
      multipart: {
        recipient: JSON.stringify({ id: psid }),
        messaging_type: "UPDATE",
        message: JSON.stringify({ attachment: { type, payload: {} } }),
        filedata: file,
      },
    });
  expect((await upload("image", { name: "green.png", mimeType: "image/png", buffer: png })).status()).toBe(200);
  const pdf = Buffer.from("%PDF-1.4\n%%EOF\n", "latin1");
  expect((await upload("file", { name: "Invoice 42.pdf", mimeType: "application/pdf", buffer: pdf })).status()).toBe(
    200,
  );

  const lastName = psid.slice(-6);
  const registered = await page.request.post("/_simulator/_control/graph/users", {
    data: { psid, firstName: "Files", lastName },
  });
  expect(registered.status()).toBe(201);

  await signIn(page, "owner@demo.local");
  await page.goto("/simulator");
  await page.getByRole("button", { name: new RegExp(psid) }).click();
  const chat = page.getByRole("region", { name: `Messenger chat of Files ${lastName}` });

  const thread = chat.getByRole("log", { name: "Messenger thread" });
  const image = thread.getByRole("img", { name: "green.png" });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(8);
  const link = thread.getByRole("link", { name: "Invoice 42.pdf" });
  await expect(link).toBeVisible();
  const served = await page.request.get((await link.getAttribute("href")) ?? "");
  expect(served.headers()["content-type"]).toBe("application/pdf");
});

test("the Shopify tab changes a product's stock in the simulated store, which sends products/update", async ({
  page,
  baseURL,
}) => {
  const shop = "tandem-demo.myshopify.com";
  const token = "shpat_tandemsimdemo00000000000000001"; // DEMO_SHOPIFY_APP (packages/simulator/src/shopify/demo.ts)
  const graphql = (query: string, variables: Record<string, unknown> = {}) =>
    page.request
      .post(`/_simulator/shopify/${shop}/admin/api/2026-10/graphql.json`, {
        headers: { "x-shopify-access-token": token },
        data: { query, variables },
      })
      .then((res) => res.json());
  // A subscription of its own (an address no other test uses), removed at the end.
  const created = await graphql(
    `mutation($uri: String!) { webhookSubscriptionCreate(topic: PRODUCTS_UPDATE, webhookSubscription: {uri: $uri}) {
      webhookSubscription { id } userErrors { message } } }`,
    { uri: `${baseURL}/api/health?e2e=shopify-tab` },
  );
  const subscriptionId = created.data.webhookSubscriptionCreate.webhookSubscription.id as string;

  try {
    await signIn(page, "owner@demo.local");
    await page.goto("/simulator?tab=shopify");
    await expect(page.getByRole("heading", { name: "Shopify simulator" })).toBeVisible();
    const mug = page.getByRole("article", { name: "Enamel Mug" });
    const stock = mug.getByLabel("Stock of Enamel Mug Default Title");
    const before = await stock.inputValue();
    const after = String(Number(before) + 7);
    await stock.fill(after);
    await mug.getByRole("button", { name: "Save" }).click();

    await expect(
      page.getByRole("region", { name: "Webhooks sent" }).getByText("products/update").first(),
    ).toBeVisible();
    const read = await graphql(`{ products(first: 1, query: "title:'Enamel Mug'") { nodes { totalInventory } } }`);
    expect(String(read.data.products.nodes[0].totalInventory)).toBe(after);
    await page.reload();
    await expect(
      page.getByRole("article", { name: "Enamel Mug" }).getByLabel("Stock of Enamel Mug Default Title"),
    ).toHaveValue(after);

    await page
      .getByRole("article", { name: "Enamel Mug" })
      .getByLabel("Stock of Enamel Mug Default Title")
      .fill(before);
    await page.getByRole("article", { name: "Enamel Mug" }).getByRole("button", { name: "Save" }).click();
    await expect(
      page.getByRole("article", { name: "Enamel Mug" }).getByRole("button", { name: "Save" }),
    ).toBeDisabled();
  } finally {
    await graphql(`mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { userErrors { message } } }`, {
      id: subscriptionId,
    });
  }
});

test("a product carousel the Page sends shows as cards in the customer's Messenger", async ({ page }) => {
  // Sent as Tandem's Messenger adapter sends product cards (a generic template after the text).
  const pageId = "1000000000000001";
  const psid = `73${Date.now().toString().slice(-14)}`;
  const sent = await page.request.post(`/_simulator/graph/v25.0/${pageId}/messages?access_token=sim-demo-page-token`, {
    data: {
      recipient: { id: psid },
      messaging_type: "UPDATE",
      message: {
        attachment: {
          type: "template",
          payload: {
            template_type: "generic",
            elements: [
              {
                title: "Linen shirt",
                subtitle: "฿1,290.00 · In stock · M / Natural",
                buttons: [{ type: "web_url", url: "https://shop.example/products/linen-shirt", title: "View" }],
              },
              { title: "Cotton shirt", subtitle: "฿990.00 · Out of stock" },
            ],
          },
        },
      },
    },
  });
  expect(sent.status()).toBe(200);
  const lastName = psid.slice(-6);
  expect(
    (
      await page.request.post("/_simulator/_control/graph/users", { data: { psid, firstName: "Cards", lastName } })
    ).status(),
  ).toBe(201);

  await signIn(page, "owner@demo.local");
  await page.goto("/simulator");
  await page.getByRole("button", { name: new RegExp(psid) }).click();
  const chat = page.getByRole("region", { name: `Messenger chat of Cards ${lastName}` });
  const cards = chat.getByRole("list", { name: /^Cards from / }).getByRole("listitem");
  await expect(cards).toHaveCount(2);
  await expect(cards.nth(0)).toContainText("Linen shirt");
  await expect(cards.nth(0)).toContainText("฿1,290.00 · In stock · M / Natural");
  await expect(cards.nth(0).getByRole("link", { name: "View" })).toHaveAttribute(
    "href",
    "https://shop.example/products/linen-shirt",
  );
  await expect(cards.nth(1)).toContainText("Out of stock");
  await expect(cards.nth(1).getByRole("link")).toHaveCount(0);
});
