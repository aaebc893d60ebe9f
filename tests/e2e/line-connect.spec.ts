import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");
// The simulated LINE account of the demo (DEMO_LINE_CHANNEL in packages/simulator/src/simulator.ts).
const DEMO_LINE_NAME = "Tandem Demo Shop";

test("the owner connects the simulated LINE account on Settings → Channels, sets the webhook URL on LINE and sees it green with the quota", async ({
  page,
}) => {
  await signIn(page, "owner@demo.local");

  // The /simulator page's LINE tab shows the simulated account's credentials to paste.
  await mainNavigation(page).getByRole("link", { name: "Simulator", exact: true }).click();
  await page.getByRole("tab", { name: "LINE" }).click();
  await expect(page).toHaveURL(/\/simulator\?tab=line$/);
  const account = page.getByRole("complementary", { name: "Simulated LINE account" });
  await expect(account.getByRole("heading", { name: new RegExp(`^${DEMO_LINE_NAME}`) })).toBeVisible();
  await expect(account.getByTestId("line-sim-webhook")).toHaveText(/not set/);
  const channelId = await account.getByLabel("Channel ID").inputValue();
  const channelSecret = await account.getByLabel("Channel secret").inputValue();
  const channelAccessToken = await account.getByLabel("Channel access token").inputValue();
  expect(channelId).toMatch(/^\d+$/);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, "simulator-line.png") });

  await page.goto("/settings/channels");
  const line = page.getByRole("region", { name: "LINE Official Account" });
  const form = line.getByRole("form", { name: "LINE credentials" });
  await expect(form).toBeVisible();
  // Never prefilled; secrets typed into password inputs.
  await expect(form.getByLabel("Channel secret")).toHaveAttribute("type", "password");
  await expect(form.getByLabel("Channel access token")).toHaveValue("");
  await line.screenshot({ path: path.join(SCREENSHOTS, "line-connect-form.png") });

  // A malformed secret is refused before anything is sent.
  await form.getByLabel("Channel ID").fill(channelId);
  await form.getByLabel("Channel secret").fill("not-the-secret");
  await form.getByLabel("Channel access token").fill(channelAccessToken);
  await form.getByRole("button", { name: "Connect LINE" }).click();
  await expect(form.getByText(/32 hexadecimal characters/)).toBeVisible();

  await form.getByLabel("Channel secret").fill(channelSecret);
  await form.getByRole("button", { name: "Connect LINE" }).click();

  const card = line.getByRole("group", { name: DEMO_LINE_NAME });
  await expect(card).toBeVisible();
  await expect(page.getByText(`${DEMO_LINE_NAME} is connected.`)).toBeVisible();
  await expect(card.getByText("Active", { exact: true })).toBeVisible();
  await expect(card.locator("[data-line-ok]")).toHaveAttribute("data-line-ok", "true");
  await expect(card.getByText(`••••${channelAccessToken.slice(-4)}`)).toBeVisible();
  // The secrets never come back to the page.
  expect(await page.content()).not.toContain(channelSecret);
  expect(await page.content()).not.toContain(channelAccessToken);

  const webhookUrl = await card.getByLabel("Webhook URL").inputValue();
  expect(webhookUrl).toMatch(/\/api\/v1\/integrations\/line\/[^/]+\/webhook$/);
  await expect(card.getByTestId("line-webhook-view")).toHaveText(/Not set on LINE yet/);
  await card.getByRole("button", { name: "Set on LINE" }).click();
  await expect(card.getByTestId("line-webhook-view")).toHaveText(/Matches the URL set on LINE/);

  // The quota as LINE reports it: the simulated account's free plan, nothing pushed yet.
  await expect(card.getByTestId("line-quota")).toContainText("0 / 200");

  // LINE's own test posts to our URL and its verdict is shown as LINE gives it.
  await card.getByRole("button", { name: "Test", exact: true }).click();
  await expect(card.getByTestId("line-webhook-test")).toHaveText(/LINE reached the webhook|LINE's test failed/);

  // The simulated LINE now delivers to that URL.
  const endpoint = await page.request.get("/_simulator/customer/line/customers");
  const { channels } = (await endpoint.json()) as { channels: { channelId: string; webhookEndpoint: string | null }[] };
  expect(channels.find((c) => c.channelId === channelId)?.webhookEndpoint).toBe(webhookUrl);

  // The channel list shows it with the LINE type.
  const list = (await (await page.request.get("/api/v1/channels")).json()) as {
    data: { type: string; name: string }[];
  };
  expect(list.data).toEqual(expect.arrayContaining([expect.objectContaining({ type: "line", name: DEMO_LINE_NAME })]));

  await card.screenshot({ path: path.join(SCREENSHOTS, "line-card.png") });

  // The card in a phone-wide column: the app shell keeps its 240 px sidebar, so 630 px leaves the
  // settings column about 326 px — narrower than a 390 px phone screen. Nothing of the card sticks out.
  await page.setViewportSize({ width: 630, height: 900 });
  await expect(card.getByRole("button", { name: "Set on LINE" })).toBeVisible();
  expect(await card.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  const box = await card.boundingBox();
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(630);
  await card.screenshot({ path: path.join(SCREENSHOTS, "line-card-narrow.png") });
});
