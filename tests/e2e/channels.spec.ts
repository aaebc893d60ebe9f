import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");
// The demo workspace's simulated Page (packages/core/src/demo/seed-demo.ts).
const DEMO_PAGE_CARD = /^Demo Shop/;
const DEMO_PAGE_ID = "1000000000000001";

/** One channel's card on Settings → Channels, found by its name. */
const channelCard = (page: Page, name: string | RegExp) => page.getByRole("group", { name });

test("the owner opens Settings → Channels, sees the demo Page active, unsubscribes and subscribes again", async ({
  page,
}) => {
  await signIn(page, "owner@demo.local");
  await mainNavigation(page).getByRole("link", { name: "Channels", exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/channels(?:[?#]|$)/);
  await expect(page.getByRole("heading", { name: "Channels", level: 1 })).toBeVisible();

  const card = channelCard(page, DEMO_PAGE_CARD);
  await expect(card).toBeVisible();
  await expect(card.getByText("Active", { exact: true })).toBeVisible();
  await expect(card.getByText("Facebook Messenger")).toBeVisible();
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, "channels.png") });

  await card.getByRole("button", { name: /^Unsubscribe / }).click();
  const confirm = page.getByRole("alertdialog");
  await confirm.getByRole("button", { name: "Unsubscribe", exact: true }).click();
  await expect(confirm).toHaveCount(0);
  await expect(card.getByText("Not subscribed", { exact: true })).toBeVisible();
  await expect(card.getByRole("button", { name: /^Subscribe / })).toBeVisible();

  // The state is the server's, not just the screen's.
  await page.reload();
  await expect(card.getByRole("button", { name: /^Subscribe / })).toBeVisible();

  await card.getByRole("button", { name: /^Subscribe / }).click();
  await expect(card.getByRole("button", { name: /^Unsubscribe / })).toBeVisible();
  await expect(card.getByText("Not subscribed", { exact: true })).toHaveCount(0);
  await expect(page.getByText(/is subscribed: its messages come to Tandem/)).toBeVisible();
});

test("the owner connects a simulated Page with Facebook Login and its webhook turns green after an event", async ({
  page,
}) => {
  const suffix = Date.now().toString().slice(-8);
  const pageId = `1098765${suffix}`;
  const pageName = `E2E Bakery ${suffix}`;
  // A second Page the simulator's Facebook Login user manages.
  const added = await page.request.post("/_simulator/_control/graph/pages", {
    data: { id: pageId, name: pageName, accessToken: `EAASIMe2ePageToken${suffix}` },
  });
  expect(added.status()).toBe(201);

  await signIn(page, "owner@demo.local");
  await page.goto("/settings/channels");
  await page.getByRole("button", { name: "Continue with Facebook" }).click();
  // The simulator's Login dialog approves at once and comes back with the Login result.
  await expect(page).toHaveURL(/\/settings\/channels\?oauth=/);

  const picker = page.getByRole("dialog", { name: "Choose the Pages to connect" });
  const ours = picker.getByRole("checkbox", { name: pageName });
  // New Pages are preselected; Pages connected already are not.
  await expect(ours).toBeChecked();
  await expect(picker.getByRole("checkbox", { name: /^Demo Shop/ })).not.toBeChecked();
  // Only ours, whatever else the simulator's login user manages on a reused server.
  for (const box of await picker.getByRole("checkbox").all()) {
    if ((await box.getAttribute("id")) !== `oauth-page-${pageId}`) await box.uncheck();
  }
  await picker.getByRole("button", { name: "Connect 1 Page" }).click();
  await expect(picker).toHaveCount(0);
  await expect(page).toHaveURL(/\/settings\/channels$/);

  const card = channelCard(page, pageName);
  await expect(card.getByText("Active", { exact: true })).toBeVisible();
  await expect(card.getByText("No events received yet")).toBeVisible();

  // A customer writes to the new Page: the list is polled, so the status turns green without a reload.
  const sent = await page.request.post("/_simulator/customer/messenger/send", {
    data: { psid: `71${suffix}`, name: "Green Check", pageId, text: "Is the webhook working?" },
  });
  expect(sent.ok()).toBe(true);
  await expect(card.getByText("Receiving events")).toBeVisible({ timeout: 30_000 });
  await expect(card.locator('[data-webhook-ok="true"]')).toHaveCount(1);

  // Verify the webhook: the server plays Meta's hub.challenge handshake against its callback URL.
  const webhookPanel = page.getByRole("group", { name: "Facebook webhook" });
  await webhookPanel.getByRole("button", { name: "Test verification" }).click();
  await expect(webhookPanel.getByText(/^Verification passed: .* answered the challenge/)).toBeVisible();
  await expect(webhookPanel.getByTestId("webhook-last-verified")).toContainText("Last verified");
  await page.screenshot({ path: path.join(SCREENSHOTS, "channels-verified.png") });

  // Leave the workspace as it was.
  await card.getByRole("button", { name: `Disconnect ${pageName}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Disconnect", exact: true }).click();
  await expect(card).toHaveCount(0);
});

test("anonymous calls cannot change what the page shows: forged webhooks and refused handshakes are notes, not states", async ({
  page,
}) => {
  // A customer writes to the demo Page: a signed event from Facebook (the simulator).
  const suffix = Date.now().toString().slice(-8);
  const sent = await page.request.post("/_simulator/customer/messenger/send", {
    data: { psid: `74${suffix}`, name: "Signed Sender", pageId: DEMO_PAGE_ID, text: "Signed and delivered" },
  });
  expect(sent.ok()).toBe(true);
  await signIn(page, "owner@demo.local");
  await page.goto("/settings/channels");
  const card = channelCard(page, DEMO_PAGE_CARD);
  await expect(card.getByText("Receiving events")).toBeVisible({ timeout: 30_000 });
  const panel = page.getByRole("group", { name: "Facebook webhook" });
  await panel.getByRole("button", { name: "Test verification" }).click();
  await expect(panel.getByText(/^Verification passed: /)).toBeVisible();

  // Anyone on the internet: bodies naming the Page with a made-up signature, handshakes with a guessed token.
  const forged = JSON.stringify({ object: "page", entry: [{ id: DEMO_PAGE_ID, time: Date.now(), messaging: [] }] });
  const posts = await Promise.all(
    Array.from({ length: 50 }, () =>
      page.request.post("/api/webhooks/messenger", {
        headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
        data: forged,
      }),
    ),
  );
  expect(posts.map((r) => r.status())).toEqual(posts.map(() => 401));
  await new Promise((r) => setTimeout(r, 1_100)); // past the once-a-second recording of handshakes
  const guesses = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      page.request.get(`/api/webhooks/messenger?hub.mode=subscribe&hub.verify_token=guess-${i}&hub.challenge=${i}`),
    ),
  );
  expect(guesses.map((r) => r.status())).toEqual(guesses.map(() => 403));

  // The states still say what signed events and passed handshakes proved; the rest is a note beside them.
  await page.reload();
  await expect(card.getByText("Receiving events")).toBeVisible();
  await expect(card.locator('[data-webhook-ok="true"]')).toHaveCount(1);
  await expect(card.getByTestId("webhook-note")).toContainText("Anyone can send such calls");
  await expect(panel.getByTestId("webhook-last-verified")).toContainText("Last verified");
  await expect(panel.getByTestId("webhook-refused-attempt")).toContainText("Anyone can call this URL");
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, "channels-anonymous-calls.png") });
});

test("a bad Page token is refused with Facebook's reason", async ({ page }) => {
  await signIn(page, "owner@demo.local");
  await page.goto("/settings/channels");
  await page.getByRole("button", { name: "Connect manually" }).click();
  const dialog = page.getByRole("dialog", { name: "Connect a Page manually" });
  await dialog.getByLabel("Page ID").fill("109876543219999");
  await dialog.getByLabel("Page access token").fill("EAAnot-a-real-page-token");
  await dialog.getByRole("button", { name: "Connect Page" }).click();
  await expect(dialog.getByRole("alert")).toContainText("Facebook rejected this Page access token");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(channelCard(page, /109876543219999/)).toHaveCount(0);
});

test("an agent has no Channels link and sees no access on the page", async ({ page }) => {
  await signIn(page, "agent@demo.local");
  await expect(mainNavigation(page).getByRole("link", { name: "Channels", exact: true })).toHaveCount(0);
  await page.goto("/settings/channels");
  await expect(page.getByText("You don't have access to this page")).toBeVisible();
  await expect(page.getByRole("button", { name: "Continue with Facebook" })).toHaveCount(0);
});

test("a Page that writes before anyone connects it is listed; once connected, a revoked token shows the reconnect banner until a new one is pasted", async ({
  page,
}) => {
  const suffix = Date.now().toString().slice(-8);
  const pageId = `1097000${suffix}`;
  const pageName = `E2E Florist ${suffix}`;
  const token = `EAASIMe2eFloristToken${suffix}`;
  const addPage = (accessToken: string) =>
    page.request.post("/_simulator/_control/graph/pages", { data: { id: pageId, name: pageName, accessToken } });
  expect((await addPage(token)).status()).toBe(201);
  // A customer writes to it: Facebook delivers the event, but no workspace has the Page.
  const sent = await page.request.post("/_simulator/customer/messenger/send", {
    data: { psid: `73${suffix}`, name: "Early Bird", pageId, text: "Hello?" },
  });
  expect(sent.ok()).toBe(true);

  await signIn(page, "owner@demo.local");
  await page.goto("/settings/channels");
  const panel = page.getByRole("group", { name: "Facebook webhook" });
  await expect(panel.getByLabel("Callback URL")).toHaveValue(/\/api\/webhooks\/messenger$/);
  const stray = panel.getByRole("listitem").filter({ hasText: pageId });
  await expect(stray).toContainText("1 event");

  // Connect it from there: the Page id is filled in, the token pasted.
  await stray.getByRole("button", { name: "Connect this Page" }).click();
  const dialog = page.getByRole("dialog", { name: "Connect a Page manually" });
  await expect(dialog.getByLabel("Page ID")).toHaveValue(pageId);
  await dialog.getByLabel("Page access token").fill(token);
  await dialog.getByRole("button", { name: "Connect Page" }).click();
  await expect(dialog).toHaveCount(0);
  const card = channelCard(page, pageName);
  await expect(card.getByText("Active", { exact: true })).toBeVisible();
  await expect(panel.getByRole("listitem").filter({ hasText: pageId })).toHaveCount(0, { timeout: 15_000 });

  // Facebook revokes the token (the Page's password changed): the next Graph call is refused with 190.
  expect((await addPage(`${token}Rotated`)).status()).toBe(201);
  await card.getByRole("button", { name: `Unsubscribe ${pageName}` }).click();
  const confirm = page.getByRole("alertdialog");
  await confirm.getByRole("button", { name: "Unsubscribe", exact: true }).click();
  await expect(confirm.getByRole("alert")).toContainText(/Facebook rejected the Page token/);
  await confirm.getByRole("button", { name: "Cancel" }).click();

  const banner = page.getByRole("alert").filter({ hasText: `Reconnect needed: ${pageName}` });
  await expect(banner).toBeVisible();
  await expect(card.getByText("Reconnect needed", { exact: true })).toBeVisible();
  await expect(card.getByText("Token rejected")).toBeVisible();
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, "channels-reconnect.png") });

  // Paste the new token: the banner goes, the Page works again.
  await banner.getByRole("button", { name: "Paste a new token" }).click();
  const reconnect = page.getByRole("dialog", { name: `Reconnect ${pageName}` });
  await expect(reconnect.getByLabel("Page ID")).toHaveValue(pageId);
  await reconnect.getByLabel("Page access token").fill(`${token}Rotated`);
  await reconnect.getByRole("button", { name: "Reconnect Page" }).click();
  await expect(reconnect).toHaveCount(0);
  await expect(banner).toHaveCount(0);
  await expect(card.getByText("Active", { exact: true })).toBeVisible();

  // Leave the workspace as it was.
  await card.getByRole("button", { name: `Disconnect ${pageName}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Disconnect", exact: true }).click();
  await expect(card).toHaveCount(0);
});
