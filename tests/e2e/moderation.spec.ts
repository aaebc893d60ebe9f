import { expect, test } from "@playwright/test";
import { signIn } from "./support/auth.ts";
import { customerSays, newCustomer, row, thread } from "./support/inbox.ts";

/**
 * Moderation end to end: an agent flags the bot's answer from the inbox, an admin on a phone-sized
 * screen opens /moderation, sees it with the customer's question, and removes it; the agent's inbox
 * marks the answer removed without a reload.
 */

const INTERNATIONAL_ANSWER = /we ship to over 40 countries/;

test("an agent flags a bot answer; an admin removes it from /moderation; the inbox marks it removed", async ({
  browser,
  request,
}) => {
  const customer = newCustomer("Noor Haddad");
  await customerSays(request, customer, "Do you ship internationally?");

  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const agent = await agentContext.newPage();
  await signIn(agent, "agent@demo.local");
  await row(agent, customer.name).click();
  const messages = thread(agent, customer.name);
  const answer = messages.locator('[data-role="BOT"]').filter({ hasText: INTERNATIONAL_ANSWER });
  await expect(answer).toBeVisible({ timeout: 30_000 });

  // Flag it: a reason is required.
  await answer.getByRole("button", { name: "Flag this message" }).click();
  const dialog = agent.getByRole("dialog", { name: "Flag this message" });
  await dialog.getByLabel("Type").selectOption({ label: "Incorrect answer" });
  await expect(dialog.getByRole("button", { name: "Flag", exact: true })).toBeDisabled();
  await dialog.getByLabel("Reason").fill("We do not ship to every country listed");
  await dialog.getByRole("button", { name: "Flag", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(answer.getByTestId("moderation-mark")).toHaveText("Flagged");

  // The admin, on a 390 px phone, opens Moderation: the flag with the customer's question before it.
  const adminContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const admin = await adminContext.newPage();
  await signIn(admin, "admin@demo.local");
  await admin.goto("/moderation");
  await expect(admin.getByRole("heading", { name: "Moderation", level: 1 })).toBeVisible();
  await admin.getByLabel("Raised by").selectOption({ label: "Team members" });
  const card = admin
    .getByRole("list", { name: "Flagged messages" })
    .getByTestId("flag-card")
    .filter({ hasText: "We do not ship to every country listed" });
  await expect(card).toBeVisible();
  await expect(card.getByText("Do you ship internationally?")).toBeVisible();
  await expect(card.getByText(INTERNATIONAL_ANSWER)).toBeVisible();
  await expect(card.getByRole("link", { name: "Open the conversation" })).toBeVisible();
  // Nothing wider than the phone (the tests compile without the DOM types).
  const pageWidth = await admin.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );
  expect(pageWidth).toBeLessThanOrEqual(390);

  await card.getByLabel("Note (optional)").fill("Outdated country list");
  await card.getByRole("button", { name: "Remove" }).click();
  await expect(card).toBeHidden();
  await admin.getByLabel("Status").selectOption({ label: "Reviewed" });
  const reviewed = admin.getByTestId("flag-card").filter({ hasText: "We do not ship to every country listed" });
  await expect(reviewed.getByTestId("flag-review")).toContainText("Removed by");
  await expect(reviewed.getByTestId("flag-review")).toContainText("Outdated country list");

  // The agent's thread marks the answer removed, live.
  await expect(answer.getByTestId("moderation-mark")).toHaveText("Removed: hidden from the customer", {
    timeout: 30_000,
  });
  await expect(answer.getByRole("button", { name: "Flag this message" })).toHaveCount(0);

  await agentContext.close();
  await adminContext.close();
});

test("an admin keeps the shop's own contact details, which bot answers may give out", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const admin = await context.newPage();
  await signIn(admin, "admin@demo.local");
  await admin.goto("/moderation");
  const form = admin.getByRole("form", { name: "Your shop's contact details" });
  await expect(form.getByLabel("Phone numbers")).toBeEditable();

  // A bad number: a clear error, nothing saved.
  await form.getByLabel("Phone numbers").fill("call us");
  await form.getByRole("button", { name: "Save contact details" }).click();
  await expect(form.getByRole("alert")).toContainText("Could not save the contact details");

  const phone = `+66 2 ${String(Date.now()).slice(-7, -4)} ${String(Date.now()).slice(-4)}`;
  await form.getByLabel("Phone numbers").fill(`${phone}\n081-234-5678`);
  await form.getByLabel("E-mail addresses").fill("Hello@Demo-Shop.example");
  await form.getByRole("button", { name: "Save contact details" }).click();
  await expect(form.getByRole("status")).toHaveText("Contact details saved.");

  await admin.reload();
  await expect(form.getByLabel("Phone numbers")).toHaveValue(`${phone}\n081-234-5678`);
  await expect(form.getByLabel("E-mail addresses")).toHaveValue("hello@demo-shop.example");
  const pageWidth = await admin.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );
  expect(pageWidth).toBeLessThanOrEqual(390);
  await context.close();
});
