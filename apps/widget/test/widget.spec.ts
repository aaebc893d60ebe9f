/**
 * The widget in Chromium, embedded by a page on another origin, against the contract-speaking fake
 * server: open, welcome and suggestions, a streamed answer with safe Markdown, feedback, history
 * across reloads and pages, live agent replies and the unread badge, catch-up after a dropped
 * socket, the keyboard, the JS API, a page that may not chat, phones, and product cards.
 */
import { expect, type Page, test } from "@playwright/test";
import { buildWidget } from "../build.mjs";
import { CHATBOT_ID, type FakeServers, startFakeServers } from "./fake-server.ts";

let fake: FakeServers;

test.beforeAll(async () => {
  await buildWidget();
  fake = await startFakeServers();
});
test.afterAll(async () => {
  await fake?.close();
});

const launcher = (page: Page) => page.locator("[data-tandem-widget] .launcher");
const dialog = (page: Page) => page.getByRole("dialog", { name: "Demo Bot" });
const log = (page: Page) => dialog(page).getByRole("list", { name: "Messages" });

async function sessionId(page: Page): Promise<string> {
  const state = await page.evaluate((id) => localStorage.getItem(`tandem:${id}`), CHATBOT_ID);
  return (JSON.parse(state ?? "{}") as { sessionId: string }).sessionId;
}

async function openWidget(page: Page): Promise<void> {
  await page.goto(fake.siteUrl);
  await launcher(page).click();
  await expect(dialog(page)).toBeVisible();
}

async function ask(page: Page, question: string): Promise<void> {
  await dialog(page).getByRole("textbox", { name: "Type your message" }).fill(question);
  await dialog(page).getByRole("button", { name: "Send" }).click();
  await expect(
    log(page)
      .locator(".msg.bot")
      .filter({ hasText: `to: ${question}` }),
  ).toContainText("first point");
}

test("a visitor on another origin opens the widget, picks a suggestion, and sees the answer stream in safely", async ({
  page,
}) => {
  await openWidget(page);
  await expect(launcher(page)).toHaveAttribute("aria-expanded", "true");
  await expect(log(page)).toContainText("Hi! How can we help?");
  const suggestions = dialog(page).getByRole("group", { name: "Suggested questions" });
  await expect(suggestions.getByRole("button")).toHaveText(["What are your opening hours?", "Do you ship abroad?"]);
  // The theme and the custom CSS apply inside the shadow root only.
  await expect(dialog(page).locator(".header")).toHaveCSS("background-color", "rgb(15, 118, 110)");
  await expect(dialog(page).locator(".title")).toHaveCSS("letter-spacing", "0.5px");
  await expect(page.locator("h1")).toHaveCSS("letter-spacing", "normal");

  const held = fake.holdStreams();
  await suggestions.getByRole("button", { name: "Do you ship abroad?" }).click();
  const answer = log(page).locator(".msg.bot").filter({ hasText: "Here is" });
  await expect(answer).toContainText("Here is the");
  await expect(answer).not.toContainText("first point");
  await expect(dialog(page).getByRole("button", { name: "Send" })).toBeDisabled();
  held.release();
  await expect(answer).toContainText("first point");
  await expect(suggestions).toBeHidden();

  // Markdown as DOM: bold, a list, a safe link; the javascript: link and the HTML stay text.
  await expect(answer.locator("strong")).toHaveText("the answer");
  await expect(answer.locator("li")).toHaveCount(2);
  const link = answer.getByRole("link", { name: "the docs" });
  await expect(link).toHaveAttribute("href", "https://example.com/docs");
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", "noopener noreferrer");
  await expect(answer.getByRole("link")).toHaveCount(1);
  await expect(answer).toContainText("<img src=x onerror=alert(1)>");
  await expect(answer.locator("img")).toHaveCount(0);

  // The socket delivered the same two messages: each is shown once.
  await expect(log(page).locator(".msg.user")).toHaveCount(1);
  await expect(log(page).locator(".msg.bot")).toHaveCount(2);

  await answer.getByRole("button", { name: "Helpful", exact: true }).click();
  await expect(answer.getByRole("button", { name: "Helpful", exact: true })).toHaveAttribute("aria-pressed", "true");
  const session = fake.sessions.get(await sessionId(page))!;
  await expect.poll(() => Object.values(session.feedback)).toEqual(["helpful"]);

  // "Talk to a person": the server hears it, the action goes away, and the bot stays silent after it.
  await dialog(page).getByRole("button", { name: "Talk to a person" }).click();
  await expect(dialog(page).getByRole("status")).toHaveText("We've asked a person to join. They will reply here.");
  expect(session.humanActive).toBe(true);
  await expect(dialog(page).getByRole("button", { name: "Talk to a person" })).toBeHidden();
  await expect(dialog(page).locator(".subtitle")).toHaveText("A person is answering");
  await dialog(page).getByRole("textbox", { name: "Type your message" }).fill("Anyone there?");
  await dialog(page).getByRole("button", { name: "Send" }).click();
  await expect(log(page).locator(".msg.user").last()).toContainText("Anyone there?");
  await expect(dialog(page).getByRole("button", { name: "Send" })).toBeEnabled();
  await expect(log(page).locator(".msg.bot")).toHaveCount(2);
  await expect(log(page).locator(".dots")).toHaveCount(0);

  // No cookies anywhere: the session lives in localStorage.
  expect(await page.context().cookies()).toEqual([]);
});

test("history survives a reload and another page; agent replies arrive live, count as unread, and are caught up after a drop", async ({
  page,
}) => {
  await openWidget(page);
  await ask(page, "Where is my order?");
  const id = await sessionId(page);

  await page.reload();
  // The panel was open: it opens again, with the conversation.
  await expect(dialog(page)).toBeVisible();
  await expect(log(page).locator(".msg.user")).toHaveText(["You:Where is my order?"]);
  await expect(log(page)).toContainText("first point");
  expect(await sessionId(page)).toBe(id);
  await expect.poll(() => fake.sessions.get(id)!.pages.map((p) => new URL(p.url).pathname)).toContain("/");

  // Reopened after a reload, the panel leaves the page's focus alone; Escape works once inside it.
  await dialog(page).getByRole("textbox", { name: "Type your message" }).click();
  await page.keyboard.press("Escape");
  await expect(dialog(page)).toBeHidden();
  fake.pushAgentMessage(id, "Hello, I am **Alice** from support.", "Alice");
  const badge = launcher(page).locator(".badge");
  await expect(badge).toHaveText("1");
  await expect(launcher(page)).toHaveAccessibleName("Open chat, 1 unread messages");

  // Another page of the site: the badge is still there, and the history too.
  await page.getByRole("link", { name: "Other page" }).click();
  await expect(page).toHaveURL(/\/other$/);
  await expect(badge).toHaveText("1");
  await launcher(page).click();
  const agent = log(page).locator(".msg.agent");
  await expect(agent.locator(".author")).toHaveText("Alice");
  await expect(agent.locator("strong")).toHaveText("Alice");
  await expect(dialog(page).locator(".subtitle")).toHaveText("A person is answering");
  await expect(badge).toBeHidden();
  await expect(log(page).locator(".msg.user")).toHaveText(["You:Where is my order?"]);
  await expect.poll(() => fake.sessions.get(id)!.pages.map((p) => new URL(p.url).pathname)).toContain("/other");

  // Typing, then a reply with a file (relative to the server) and a link that must not become one.
  fake.agentTyping(id, "Alice", true);
  await expect(dialog(page).locator(".typing")).toHaveText("Alice is typing…");
  fake.agentTyping(id, "Alice", false);
  await expect(dialog(page).locator(".typing")).toHaveText("");
  fake.pushAgentMessage(id, "Here is the manual.", "Alice", [
    { type: "file", url: "/files/manual.pdf", name: "manual.pdf", size: 2048 },
    { type: "file", url: "javascript:alert(1)", name: "evil" },
    { type: "image", url: "/files/shop.png", name: "Our shop", width: 400, height: 300 },
  ]);
  const manual = log(page).locator(".msg.agent").filter({ hasText: "Here is the manual." });
  await expect(manual.getByRole("link", { name: "manual.pdf · 2 KB" })).toHaveAttribute(
    "href",
    `${fake.apiUrl}/files/manual.pdf`,
  );
  // An image keeps its box before it loads: its own size is on the element.
  const shop = manual.getByRole("img", { name: "Our shop" });
  await expect(shop).toHaveAttribute("width", "400");
  await expect(shop).toHaveAttribute("height", "300");
  await expect(manual.getByRole("link")).toHaveCount(2);

  // A pushState navigation is reported as a page too.
  await page.evaluate(() => history.pushState({}, "", "/checkout"));
  await expect.poll(() => fake.sessions.get(id)!.pages.map((p) => new URL(p.url).pathname)).toContain("/checkout");

  // The socket drops; a reply sent meanwhile arrives through the catch-up after the reconnect.
  fake.dropSockets(id);
  fake.pushAgentMessage(id, "Your parcel left this morning.", "Alice");
  await expect(log(page).locator(".msg.agent")).toHaveCount(3);
  await expect(log(page).locator(".msg.agent").last()).toContainText("Your parcel left this morning.");
});

test("the keyboard: Tab stays inside the open panel and Escape closes it back to the launcher", async ({ page }) => {
  await page.goto(fake.siteUrl);
  await launcher(page).focus();
  await page.keyboard.press("Enter");
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page).getByRole("textbox", { name: "Type your message" })).toBeFocused();

  const focusedInPanel = () =>
    page.evaluate(() => {
      const root = document.querySelector("[data-tandem-widget]")!.shadowRoot!;
      return Boolean(root.activeElement && root.querySelector(".panel")!.contains(root.activeElement));
    });
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press(i % 5 === 4 ? "Shift+Tab" : "Tab");
    expect(await focusedInPanel()).toBe(true);
    seen.add(
      await page.evaluate(
        () =>
          document.querySelector("[data-tandem-widget]")!.shadowRoot!.activeElement?.getAttribute("aria-label") ?? "",
      ),
    );
  }
  expect(seen).toContain("Close chat");
  await page.keyboard.press("Escape");
  await expect(dialog(page)).toBeHidden();
  await expect(launcher(page)).toBeFocused();
  await expect(launcher(page)).toHaveAttribute("aria-expanded", "false");
});

test("the JS API: calls made before the bundle loads run, identify reaches the server, reset starts over; a failed send is retried", async ({
  page,
}) => {
  // The bundle is held back until the page has made its calls: they wait in the loader's queue.
  let releaseBundle = () => {};
  const bundleHeld = new Promise<void>((resolve) => {
    releaseBundle = resolve;
  });
  await page.route("**/api/v1/public/widget/widget.js", async (route) => {
    await bundleHeld;
    await route.continue();
  });
  await page.goto(fake.siteUrl);
  await page.waitForFunction(() => Boolean(window.Tandem));
  await page.evaluate(() => {
    const w = window as unknown as { identified: Promise<unknown> };
    w.identified = window.Tandem!.identify({ userId: "user-1", userHash: "a".repeat(64), name: "Ann" });
    void window.Tandem!.open();
  });
  await expect(launcher(page)).toBeVisible();
  await expect(dialog(page)).toHaveCount(0);
  releaseBundle();
  await expect(dialog(page)).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { identified: Promise<unknown> }).identified)).toEqual({
    verified: true,
  });
  await page.evaluate(() => window.Tandem!.close());
  await expect(dialog(page)).toBeHidden();

  await page.evaluate(() => window.Tandem!.open());
  await ask(page, "Remember me?");
  const before = await sessionId(page);
  await page.evaluate(() => window.Tandem!.reset());
  await expect(log(page).locator(".msg.user")).toHaveCount(0);
  await expect(log(page)).toContainText("Hi! How can we help?");
  expect(await sessionId(page)).not.toBe(before);
  await page.reload();
  await expect(dialog(page)).toBeVisible();
  await expect(log(page).locator(".msg.user")).toHaveCount(0);

  // A send the server could not take says so and is sent again, once, with Retry.
  fake.failNextSend();
  await dialog(page).getByRole("textbox", { name: "Type your message" }).fill("Are you there?");
  await dialog(page).getByRole("button", { name: "Send" }).click();
  const failed = log(page).locator(".msg.user.failed");
  await expect(failed.getByRole("alert")).toContainText("Not sent. unavailable");
  await failed.getByRole("button", { name: "Retry" }).click();
  await expect(log(page).locator(".msg.bot").filter({ hasText: "to: Are you there?" })).toContainText("first point");
  await expect(log(page).locator(".msg.user")).toHaveCount(1);
  await expect(log(page).locator(".msg.user.failed")).toHaveCount(0);
});

test("a page on an origin the chatbot does not allow gets no widget", async ({ page }) => {
  await page.goto(`${fake.apiUrl}/not-allowed`);
  await page.waitForFunction(() => Boolean(window.Tandem));
  await page.waitForLoadState("networkidle");
  await expect(page.locator("[data-tandem-widget]")).toHaveCount(0);
});

test("on a phone the panel fills the screen and the input does not zoom", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 760 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await openWidget(page);
  const box = await dialog(page).boundingBox();
  expect(box).toEqual({ x: 0, y: 0, width: 390, height: 760 });
  await expect(dialog(page).getByRole("textbox")).toHaveCSS("font-size", "16px");
  await expect(launcher(page)).toBeHidden();
  await context.close();
});

test("a Japanese chatbot speaks Japanese, and a short-lived token is refreshed for the same session", async ({
  page,
}) => {
  const short = await startFakeServers({ tokenTtlSeconds: 9, config: { language: "ja", welcomeMessage: "ようこそ" } });
  try {
    await page.goto(short.siteUrl);
    const button = page.locator("[data-tandem-widget] .launcher");
    await expect(button).toHaveAccessibleName("チャットを開く");
    await button.click();
    const panel = page.getByRole("dialog", { name: "Demo Bot" });
    await expect(panel.getByRole("textbox", { name: "メッセージを入力" })).toBeVisible();
    await expect(panel.getByRole("button", { name: "担当者と話す" })).toBeVisible();
    const id = await sessionId(page);
    const firstToken = await page.evaluate(
      (key) => JSON.parse(localStorage.getItem(key)!).token,
      `tandem:${CHATBOT_ID}`,
    );

    // At two thirds of its life the widget asks for a new token for its session (X-Visitor-Session).
    await expect.poll(() => short.sessions.get(id)!.configCalls, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await expect
      .poll(() => page.evaluate((key) => JSON.parse(localStorage.getItem(key)!).token, `tandem:${CHATBOT_ID}`))
      .not.toBe(firstToken);
    expect(await sessionId(page)).toBe(id);
    expect(short.sessions.size).toBe(1);

    await panel.getByRole("textbox").fill("まだ使えますか？");
    await panel.getByRole("button", { name: "送信" }).click();
    await expect(panel.locator(".msg.bot").last()).toContainText("first point");
  } finally {
    await short.close();
  }
});

test("a site with a strict Content-Security-Policy (no inline styles) gets a styled, working widget", async ({
  page,
}) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${fake.siteUrl}/strict`);
  await launcher(page).click();
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page).locator(".header")).toHaveCSS("background-color", "rgb(15, 118, 110)");
  await expect(dialog(page).locator(".title")).toHaveCSS("letter-spacing", "0.5px");
  await ask(page, "Does CSP matter?");
  expect(violations).toEqual([]);
});

test("product cards under the bot's answer: image, title, price, out of stock, a View link in a new tab; keyboard and 390 px", async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 760 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await openWidget(page);
  await ask(page, "Do you have the linen shirt in M?");
  const answer = log(page).locator(".msg.bot").filter({ hasText: "linen shirt in M" });
  const cards = answer.getByRole("list", { name: "Products" }).getByRole("listitem");
  await expect(cards).toHaveCount(2);

  const [first, second] = [cards.nth(0), cards.nth(1)];
  await expect(first).toContainText("Linen shirt (M / Natural)");
  await expect(first).toContainText("฿1,290.00");
  await expect(first).not.toContainText("Out of stock");
  await expect(first.locator("img")).toHaveAttribute("src", `${fake.apiUrl}/img/linen-shirt.png`);
  await expect.poll(() => first.locator("img").evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(8);
  await expect(second).toContainText("฿990.00");
  await expect(second).toContainText("Out of stock");
  await expect(second.locator("img")).toHaveCount(0);

  const view = first.getByRole("link", { name: "View Linen shirt (M / Natural) (opens in a new tab)" });
  await expect(view).toHaveText("View");
  await expect(view).toHaveAttribute("href", "https://shop.test/products/linen-shirt");
  await expect(view).toHaveAttribute("target", "_blank");
  await expect(view).toHaveAttribute("rel", "noopener noreferrer");

  // Keyboard: Tab reaches each card's link in order, and the focused card is scrolled into view.
  await view.focus();
  await page.keyboard.press("Tab");
  const secondView = second.getByRole("link", { name: /^View Cotton shirt/ });
  await expect(secondView).toBeFocused();
  for (const card of [first, second]) {
    const box = await card.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
  }
  const secondBox = await secondView.boundingBox();
  expect(secondBox!.x).toBeGreaterThanOrEqual(0);
  expect(secondBox!.x + secondBox!.width).toBeLessThanOrEqual(390);
  // Nothing in the panel is wider than the screen: the row scrolls sideways inside it.
  const overflow = await dialog(page).evaluate((panel) => panel.scrollWidth - panel.clientWidth);
  expect(overflow).toBe(0);

  // The cards come back with the history after a reload (the panel was open: it opens again).
  await page.reload();
  await expect(dialog(page)).toBeVisible();
  await expect(
    log(page)
      .locator(".msg.bot")
      .filter({ hasText: "linen shirt in M" })
      .getByRole("list", { name: "Products" })
      .getByRole("listitem"),
  ).toHaveCount(2);
  await context.close();
});
