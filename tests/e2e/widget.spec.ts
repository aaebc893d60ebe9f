/**
 * The website widget against the real server: a site on another origin pastes the script tag; a
 * visitor chats with the demo bot (the answer streams in), an agent answers from the inbox and the
 * visitor sees it live, a reload keeps the history, a site that is not allowed gets no widget, and a
 * forged identity is refused when the chatbot requires a verified one.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { signIn } from "./support/auth.ts";
import { composer, row, thread } from "./support/inbox.ts";

/** A customer's site: one page with the snippet, served from its own origin (another port). */
async function startSite(snippet: string): Promise<{ server: Server; url: string; host: string }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html lang="en"><head><title>Linen & Co ${req.url}</title></head><body><h1>Linen & Co</h1>${snippet}</body></html>`,
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/`, host: `127.0.0.1:${port}` };
}

/** The API as the signed-in owner (the page's cookie and its CSRF token). */
async function ownerApi(page: Page) {
  const me = await (await page.request.get("/api/v1/me")).json();
  const headers = { "x-csrf-token": me.csrfToken as string };
  return {
    get: (path: string) => page.request.get(path),
    patch: (path: string, data: unknown) => page.request.patch(path, { data, headers }),
    post: (path: string, data: unknown) => page.request.post(path, { data, headers }),
  };
}

const launcher = (page: Page) => page.locator("[data-tandem-widget] .launcher");

async function defaultChatbot(request: APIRequestContext): Promise<{ id: string; name: string }> {
  const list = await (await request.get("/api/v1/chatbots")).json();
  return list.data.find((c: { isDefault: boolean }) => c.isDefault);
}

test("a visitor on a customer's site chats with the bot and an agent, live, and keeps the history", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  await signIn(page, "owner@demo.local");
  const api = await ownerApi(page);
  const bot = await defaultChatbot(page.request);
  const snippet = `<script src="${baseURL}/api/v1/public/widget/${bot.id}/loader.js" async></script>`;
  const site = await startSite(snippet);
  const elsewhere = await startSite(snippet);
  const token = Date.now().toString(36);
  const visitorName = `Wanda Web ${token}`;
  const widgetBefore = await (await api.get(`/api/v1/chatbots/${bot.id}/widget`)).json();
  expect((await api.patch(`/api/v1/chatbots/${bot.id}/widget`, { allowedDomains: [site.host] })).status()).toBe(200);

  const visitorContext = await browser.newContext();
  try {
    const visitor = await visitorContext.newPage();
    await visitor.goto(site.url);
    await launcher(visitor).click();
    const panel = visitor.getByRole("dialog", { name: bot.name });
    await expect(panel).toBeVisible();
    // The site tells the widget who the visitor is (no identity secret yet: kept as unverified).
    await visitor.evaluate(
      (name) =>
        (globalThis as unknown as { Tandem: { identify(i: object): Promise<unknown> } }).Tandem.identify({
          userId: name,
          name,
        }),
      visitorName,
    );

    // The bot answers from the demo FAQ; nothing secret is in the page.
    await panel.getByRole("textbox", { name: "Type your message" }).fill("How long does shipping take?");
    await panel.getByRole("button", { name: "Send" }).click();
    const messages = panel.getByRole("list", { name: "Messages" });
    await expect(messages.locator(".msg.bot").last()).toContainText("Orders ship within 1 business day", {
      timeout: 30_000,
    });
    const html = await visitor.content();
    expect(html).not.toContain("ck_");
    expect(
      await visitor.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
    ).toBe("");

    // The visitor finds the answer helpful.
    const answer = messages.locator(".msg.bot").last();
    await answer.getByRole("button", { name: "Helpful", exact: true }).click();
    await expect(answer.getByRole("button", { name: "Helpful", exact: true })).toHaveAttribute("aria-pressed", "true");

    // The conversation is in the inbox like any other, with the visitor's page and browser and the
    // rating on the bot's answer; the agent's reply reaches the visitor live.
    await page.goto("/dashboard");
    await expect(row(page, visitorName)).toBeVisible({ timeout: 30_000 });
    await row(page, visitorName).click();
    await expect(thread(page, visitorName).getByText("How long does shipping take?")).toBeVisible();
    await expect(thread(page, visitorName).getByTestId("message-feedback")).toBeVisible();
    if ((page.viewportSize()?.width ?? 0) < 1280) await page.getByRole("button", { name: "Contact details" }).click();
    await expect(page.getByTestId("visitor-page")).toContainText("Linen & Co");
    await expect(page.getByTestId("visitor-browser")).toContainText("Chrome");
    await expect(page.getByTestId("visitor-identity")).toHaveText("Not verified");
    if ((page.viewportSize()?.width ?? 0) < 1280)
      await page.getByRole("button", { name: "Back to the conversation" }).click();
    await composer(page).fill(`Hi Wanda, Olivia here (${token}).`);
    await composer(page).press("Enter");
    const agentReply = messages.locator(".msg").filter({ hasText: `Olivia here (${token})` });
    await expect(agentReply).toBeVisible({ timeout: 30_000 });
    await expect(agentReply).toContainText("Olivia Owner");

    // A reload keeps the whole conversation, and the panel open as it was.
    await visitor.reload();
    await expect(panel).toBeVisible();
    await expect(messages.getByText("How long does shipping take?")).toBeVisible();
    await expect(messages.getByText(`Olivia here (${token})`)).toBeVisible();

    // A site that is not in the allowed domains gets no widget at all.
    const stranger = await visitorContext.newPage();
    const refused = stranger.waitForResponse((r) => r.url().endsWith(`/public/chat/${bot.id}/config`));
    await stranger.goto(elsewhere.url);
    expect((await refused).status()).toBe(403);
    await expect(stranger.getByRole("heading", { name: "Linen & Co" })).toBeVisible();
    await expect(launcher(stranger)).toHaveCount(0);

    // With a verified identity required, a forged userHash is refused and the visitor cannot send.
    expect((await api.post(`/api/v1/chatbots/${bot.id}/widget/identity-secret`, {})).status()).toBe(200);
    expect((await api.patch(`/api/v1/chatbots/${bot.id}/widget`, { requireVerifiedIdentity: true })).status()).toBe(
      200,
    );
    const forger = await (await browser.newContext()).newPage();
    await forger.goto(site.url);
    await launcher(forger).click();
    const forged = await forger.evaluate(async () => {
      const tandem = (globalThis as unknown as { Tandem: { identify(i: object): Promise<unknown> } }).Tandem;
      try {
        await tandem.identify({ userId: "customer-42", userHash: "0".repeat(64) });
        return "accepted";
      } catch (error) {
        return String((error as { code?: string }).code ?? error);
      }
    });
    expect(forged).toContain("identity_unverified");
    const forgerPanel = forger.getByRole("dialog", { name: bot.name });
    await forgerPanel.getByRole("textbox", { name: "Type your message" }).fill("Let me in");
    await forgerPanel.getByRole("button", { name: "Send" }).click();
    await expect(forgerPanel.getByRole("alert")).toContainText("verified identity");
  } finally {
    await visitorContext.close();
    await api.patch(`/api/v1/chatbots/${bot.id}/widget`, {
      allowedDomains: widgetBefore.allowedDomains,
      requireVerifiedIdentity: false,
    });
    site.server.close();
    elsewhere.server.close();
  }
});
