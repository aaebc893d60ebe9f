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
