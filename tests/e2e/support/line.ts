/** The simulated LINE account of the demo, connected as an admin does it on Settings → Channels. */
import { expect, type Page } from "@playwright/test";

// The simulated LINE account and user of the demo (packages/simulator/src/simulator.ts).
export const DEMO_LINE_NAME = "Tandem Demo Shop";
export const DEMO_LINE_USER = "Ploy Chaiyaporn";

/** Connects the simulated LINE account on Settings → Channels (unless an earlier spec did) and sets the webhook URL. */
export async function connectLine(page: Page) {
  await page.goto("/settings/channels");
  const line = page.getByRole("region", { name: "LINE Official Account" });
  const form = line.getByRole("form", { name: "LINE credentials" });
  const card = line.getByRole("group", { name: DEMO_LINE_NAME });
  await expect(form.or(card)).toBeVisible();
  if (await form.isVisible()) {
    const res = await page.request.get("/_simulator/customer/line/customers");
    const { channels, defaultChannelId } = (await res.json()) as {
      defaultChannelId: string;
      channels: { channelId: string; channelSecret: string; channelAccessToken: string }[];
    };
    const account = channels.find((c) => c.channelId === defaultChannelId)!;
    await form.getByLabel("Channel ID").fill(account.channelId);
    await form.getByLabel("Channel secret").fill(account.channelSecret);
    await form.getByLabel("Channel access token").fill(account.channelAccessToken);
    await form.getByRole("button", { name: "Connect LINE" }).click();
  }
  await expect(card).toBeVisible();
  const view = card.getByTestId("line-webhook-view");
  await expect(view).toHaveText(/Not set on LINE yet|Matches the URL set on LINE|differs/i);
  if (!/Matches the URL set on LINE/.test((await view.textContent()) ?? "")) {
    await card.getByRole("button", { name: "Set on LINE" }).click();
  }
  await expect(view).toHaveText(/Matches the URL set on LINE/);
}
