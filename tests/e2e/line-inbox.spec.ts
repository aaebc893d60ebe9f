import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { signIn } from "./support/auth.ts";
import { connectLine, DEMO_LINE_NAME, DEMO_LINE_USER as DEMO_USER } from "./support/line.ts";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");
// The simulated LINE group of the demo (packages/simulator/src/simulator.ts).
const DEMO_GROUP = "Tandem Demo Group";
// The demo FAQ's answer (packages/core/src/demo/seed-demo.ts), given by the offline bot.
const SHIPPING_ANSWER = /business day/;

test.use({ viewport: { width: 1280, height: 800 } });

const conversationList = (page: Page) => page.getByRole("listbox", { name: "Conversations" });
const row = (page: Page, name: string) => conversationList(page).getByRole("option", { name: new RegExp(`^${name}`) });

test("a LINE customer writes on the simulator: the bot answers with the reply token, an agent by push, live in the inbox with stickers and groups", async ({
  page,
  context,
}) => {
  const stamp = `${Date.now()}`.slice(-6);
  await signIn(page, "owner@demo.local");
  await connectLine(page);

  // The inbox, live.
  await page.goto("/dashboard");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();

  // The customer, on the simulated LINE app in another tab.
  const phone = await context.newPage();
  await phone.goto("/simulator?tab=line");
  // The page starts with the customer active last: other specs write as LINE customers of their own.
  await phone.getByRole("combobox", { name: "Write as" }).click();
  await phone.getByRole("option", { name: DEMO_USER, exact: true }).click();
  const chat = phone.getByRole("region", { name: `LINE chat of ${DEMO_USER}` });
  await expect(chat).toBeVisible();
  await chat.getByRole("textbox", { name: "Message" }).fill(`How long does shipping take? (${stamp})`);
  await chat.getByRole("button", { name: "Send", exact: true }).click();

  // The bot answers with the reply token: the simulated LINE shows it came by reply.
  const bubbles = chat.getByRole("list", { name: "Messages" }).getByRole("listitem");
  const botReply = bubbles.filter({ hasText: SHIPPING_ANSWER }).last();
  await expect(botReply).toBeVisible({ timeout: 30_000 });
  await expect(botReply).toContainText(`${DEMO_LINE_NAME} · reply`);

  // Live in the inbox, with the LINE mark.
  await expect(row(page, DEMO_USER)).toBeVisible({ timeout: 30_000 });
  await expect(row(page, DEMO_USER)).toHaveAccessibleName(new RegExp(`^${DEMO_USER}, LINE`));
  await row(page, DEMO_USER).click();
  const thread = page.getByRole("log", { name: `Messages with ${DEMO_USER}` });
  await expect(thread.getByText(`How long does shipping take? (${stamp})`)).toBeVisible();
  await expect(thread.getByText(SHIPPING_ANSWER).last()).toBeVisible();

  // An agent answers from the inbox: it goes out by push.
  const composer = page.getByRole("textbox", { name: "Reply", exact: true });
  await composer.fill(`A person here (${stamp}): your parcel leaves today.`);
  await composer.press("Enter");
  const agentReply = bubbles.filter({ hasText: `A person here (${stamp})` });
  await expect(agentReply).toBeVisible({ timeout: 30_000 });
  await expect(agentReply).toContainText(`${DEMO_LINE_NAME} · push`);

  // A sticker arrives as LINE's sticker image.
  await chat.getByRole("button", { name: "Send a sticker" }).click();
  await expect(
    thread.locator('img[src*="stickershop.line-scdn.net"], a[href*="stickershop.line-scdn.net"]').last(),
  ).toBeVisible({ timeout: 30_000 });
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, "line-inbox.png") });

  // In the group: one conversation named after the group, each message with its speaker.
  await phone.getByRole("combobox", { name: "Chat" }).click();
  await phone.getByRole("option", { name: `Group: ${DEMO_GROUP}` }).click();
  const groupChat = phone.getByRole("region", { name: `LINE group ${DEMO_GROUP}` });
  await groupChat.getByRole("textbox", { name: "Message" }).fill(`Hello group (${stamp})`);
  await groupChat.getByRole("button", { name: "Send", exact: true }).click();
  await expect(row(page, DEMO_GROUP)).toBeVisible({ timeout: 30_000 });
  await row(page, DEMO_GROUP).click();
  const groupThread = page.getByRole("log", { name: `Messages with ${DEMO_GROUP}` });
  await expect(groupThread.getByText(`Hello group (${stamp})`)).toBeVisible();
  await expect(groupThread.getByText(DEMO_USER).first()).toBeVisible();
  await page.screenshot({ path: path.join(SCREENSHOTS, "line-inbox-group.png") });
});
