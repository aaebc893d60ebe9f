import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");

const scrollWidth = (page: Page) =>
  page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );

/** A chatbot of its own, so that other specs' widget (and its allowed domains) is untouched. */
async function createChatbot(page: Page, name: string): Promise<string> {
  await mainNavigation(page).getByRole("link", { name: "Chatbots", exact: true }).click();
  await page.getByRole("button", { name: "New chatbot" }).click();
  const create = page.getByRole("dialog", { name: "New chatbot" });
  await create.getByLabel("Name").fill(name);
  await create.getByRole("button", { name: "Create chatbot" }).click();
  await expect(page).toHaveURL(/\/chatbots\/[^/?]+\?tab=settings$/);
  return new URL(page.url()).pathname;
}

test("the owner sets up the website widget: theme, allowed domains, identity secret once, the snippet copied", async ({
  page,
  context,
  browser,
}) => {
  test.setTimeout(120_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const token = Date.now().toString(36);
  await signIn(page, "owner@demo.local");
  const chatbotPath = await createChatbot(page, `Widget bot ${token}`);
  const chatbotId = chatbotPath.split("/").at(-1)!;

  await page.getByRole("tab", { name: "Website" }).click();
  await expect(page).toHaveURL(/\?tab=website$/);

  // The snippet loads this server's loader for this chatbot; the copy button puts it on the clipboard.
  const snippet = page.getByLabel("Embed snippet");
  await expect(snippet).toHaveValue(
    new RegExp(`^<script src="https?://[^"]+/api/v1/public/widget/${chatbotId}/loader\\.js" async></script>$`),
  );
  await page.getByRole("button", { name: "Copy" }).first().click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(
    await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    ),
  ).toBe(await snippet.inputValue());

  // The preview: the real widget in a frame, or a clear "not built" on a checkout without it.
  await expect(page.getByTestId("widget-preview").or(page.getByTestId("widget-not-built"))).toBeVisible();

  // A bad colour and a URL instead of a host name are refused in plain words, nothing saved.
  await page.getByLabel("Colour", { exact: true }).fill("blue");
  await page.getByRole("textbox", { name: "Domains" }).fill(`shop-${token}.example.com\nhttps://bad.example.com/page`);
  await page.getByRole("button", { name: "Save widget settings" }).click();
  await expect(page.getByText("a hex colour such as #2563eb")).toBeVisible();
  await expect(page.getByText(/^Line 2: a host name such as/)).toBeVisible();
  const untouched = await (await page.request.get(`/api/v1/chatbots/${chatbotId}/widget`)).json();
  expect(untouched.allowedDomains).toEqual([]);

  await page.getByLabel("Colour", { exact: true }).fill("#FF0066");
  await page.getByLabel("Position").selectOption("bottom-left");
  await page.getByRole("textbox", { name: "Domains" }).fill(`Shop-${token}.example.com\n*.example.org`);
  await page.getByRole("button", { name: "Save widget settings" }).click();
  await expect(page.getByText("Saved. Pages with the widget use these settings when they next load it.")).toBeVisible();
  // Saved as the server keeps it: lower-cased domains.
  await expect(page.getByRole("textbox", { name: "Domains" })).toHaveValue(`shop-${token}.example.com\n*.example.org`);
  const saved = await (await page.request.get(`/api/v1/chatbots/${chatbotId}/widget`)).json();
  expect(saved).toMatchObject({
    theme: { primaryColor: "#FF0066", position: "bottom-left" },
    allowedDomains: [`shop-${token}.example.com`, "*.example.org"],
    identitySecretSet: false,
  });
  await page.reload();
  await expect(page.getByLabel("Colour", { exact: true })).toHaveValue("#FF0066");

  // Verified identity needs a secret first.
  await page.getByRole("switch", { name: "Require verified identity" }).click();
  await page.getByRole("button", { name: "Save widget settings" }).click();
  await expect(page.getByText("Generate an identity secret first")).toBeVisible();

  // The identity secret: generated after a confirmation, shown once, gone after a reload.
  await expect(page.getByTestId("identity-secret-state")).toHaveText("No secret yet.");
  await page.getByRole("button", { name: "Generate secret" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Generate secret" }).click();
  const secretField = page.getByLabel("New identity secret");
  await expect(secretField).toHaveValue(/^[0-9a-f]{64}$/);
  const secret = await secretField.inputValue();
  await expect(page.getByTestId("identity-secret-state")).toHaveText("A secret is set.");
  // Now verification can be required.
  await page.getByRole("button", { name: "Save widget settings" }).click();
  await expect(page.getByText("Saved. Pages with the widget use these settings when they next load it.")).toBeVisible();
  expect((await (await page.request.get(`/api/v1/chatbots/${chatbotId}/widget`)).json()).requireVerifiedIdentity).toBe(
    true,
  );
  await page.screenshot({ path: path.join(SCREENSHOTS, "chatbot-website.png"), fullPage: true });
  await page.reload();
  await expect(page.getByTestId("identity-secret-state")).toHaveText("A secret is set.");
  await expect(page.getByLabel("New identity secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  // Replacing it warns that the old one stops working.
  await page.getByRole("button", { name: "Regenerate secret" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("The current secret stops working at once");
  await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();

  // On a phone the tab fits.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByLabel("Embed snippet")).toBeVisible();
  expect(await scrollWidth(page), "the Website tab scrolls sideways").toBeLessThanOrEqual(390);
  await page.screenshot({ path: path.join(SCREENSHOTS, "chatbot-website-390.png"), fullPage: true });

  // An agent has no Website tab, not even by URL, and the API refuses them.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, "agent@demo.local");
  await agent.goto(`${chatbotPath}?tab=website`);
  await expect(agent.getByRole("tab", { name: "Prompt" })).toHaveAttribute("aria-selected", "true");
  await expect(agent.getByRole("tab", { name: "Website" })).toHaveCount(0);
  await expect(agent.getByRole("button", { name: "Save widget settings" })).toHaveCount(0);
  expect((await agent.request.get(`/api/v1/chatbots/${chatbotId}/widget`)).status()).toBe(403);
  await agentContext.close();
});
