import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";
import { customerSays, newCustomer, thread } from "./support/inbox.ts";

test.use({ viewport: { width: 1280, height: 800 } });

test("an admin finds a customer's message in the log, opens it in the inbox, and exports the filtered log", async ({
  page,
  request,
}) => {
  const customer = newCustomer("Log Reader");
  const word = `ref${customer.psid}`;
  await customerSays(request, customer, `Order ${word} has not arrived, "please" check`);

  await signIn(page, "admin@demo.local");
  await mainNavigation(page).getByRole("link", { name: "Message log" }).click();
  await expect(page).toHaveURL(/\/logs$/);
  await expect(page.getByRole("heading", { name: "Message log", level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "Webhook health" })).toContainText("Last event");

  const filters = page.getByRole("form", { name: "Filters" });
  await filters.getByLabel("Role").selectOption("USER");
  await page.getByRole("searchbox", { name: "Search message text" }).fill(word);
  const messages = page.getByRole("list", { name: "Messages" });
  await expect(messages.getByRole("listitem")).toHaveCount(1, { timeout: 30_000 });
  const entry = messages.getByRole("listitem").first();
  await expect(entry).toContainText(`Order ${word} has not arrived`);
  await expect(entry).toContainText(customer.name);
  await expect(entry).toContainText("received");

  // Export CSV takes the same filters: the header and this one row.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^tandem-messages-.*\.csv$/);
  const csv = await readFile((await download.path())!, "utf8");
  expect(csv.startsWith("\uFEFFtime,message_id,conversation_id,channel_type,channel,contact,role,author,")).toBe(true);
  const lines = csv.split("\r\n");
  expect(lines).toHaveLength(3);
  expect(lines[1]).toContain(`,messenger,`);
  expect(lines[1]).toContain(
    `,${customer.name},USER,${customer.name},text,received,"Order ${word} has not arrived, ""please"" check",0,`,
  );

  // The row opens the conversation at that message.
  await entry.getByRole("link").click();
  await expect(page).toHaveURL(/\/dashboard\?c=conv_[^&]+&m=msg_/);
  await expect(thread(page, customer.name).getByText(`Order ${word} has not arrived`)).toBeVisible();
});

test("an agent does not see the message log", async ({ page }) => {
  await signIn(page, "agent@demo.local");
  await expect(mainNavigation(page).getByRole("link", { name: "Inbox", exact: true })).toBeVisible();
  await expect(mainNavigation(page).getByRole("link", { name: "Message log" })).toHaveCount(0);
  await page.goto("/logs");
  await expect(page.getByText("You don't have access to this page")).toBeVisible();
});

test("on a 390 px phone the log's filters live in the URL: opened from a link, undone with Back", async ({
  browser,
  request,
}) => {
  const customer = newCustomer("Log Sharer");
  const word = `share${customer.psid}`;
  await customerSays(request, customer, `Where is parcel ${word}?`);

  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, "admin@demo.local");
  await page.goto("/logs");
  const filters = page.getByRole("form", { name: "Filters" });
  const messages = page.getByRole("list", { name: "Messages" });

  await filters.getByLabel("Role").selectOption("USER");
  await expect(page).toHaveURL(/\/logs\?role=USER$/);
  await page.getByRole("searchbox", { name: "Search message text" }).fill(word);
  await expect(page).toHaveURL(new RegExp(`/logs\\?role=USER&text=${word}$`));
  await expect(messages.getByRole("listitem")).toHaveCount(1, { timeout: 30_000 });
  await filters.getByLabel("Status").selectOption("failed");
  await expect(page).toHaveURL(new RegExp(`/logs\\?role=USER&status=failed&text=${word}$`));
  await expect(page.getByText("No messages match these filters")).toBeVisible();

  // Back: the status filter is undone, the rest stays.
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/logs\\?role=USER&text=${word}$`));
  await expect(filters.getByLabel("Status")).toHaveValue("");
  await expect(filters.getByLabel("Role")).toHaveValue("USER");
  await expect(page.getByRole("searchbox", { name: "Search message text" })).toHaveValue(word);
  await expect(messages.getByRole("listitem")).toHaveCount(1);

  // The link, opened elsewhere, shows the same filters and rows.
  const shared = await context.newPage();
  await shared.goto(page.url());
  await expect(shared.getByRole("form", { name: "Filters" }).getByLabel("Role")).toHaveValue("USER");
  await expect(shared.getByRole("searchbox", { name: "Search message text" })).toHaveValue(word);
  await expect(shared.getByRole("list", { name: "Messages" }).getByRole("listitem")).toContainText(
    `Where is parcel ${word}?`,
  );
  // Nothing wider than the phone (the tests compile without the DOM types).
  const pageWidth = await shared.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );
  expect(pageWidth).toBeLessThanOrEqual(390);

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/logs$/);
  await expect(page.getByRole("searchbox", { name: "Search message text" })).toHaveValue("");
  await context.close();
});
