import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { signIn } from "./support/auth.ts";

/**
 * Analytics end to end on the demo workspace: an admin opens /analytics from the navigation, sees the
 * KPI cards, changes the period, filters by the demo chatbot and downloads the daily trend as CSV;
 * an agent has no such entry and is refused the page.
 */

test("an admin opens analytics, changes the period, filters by chatbot and exports CSV", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, "admin@demo.local");
  await page.getByRole("link", { name: "Analytics" }).first().click();
  await expect(page).toHaveURL(/\/analytics$/);
  await expect(page.getByRole("heading", { name: "Analytics", level: 1 })).toBeVisible();

  const kpis = page.getByRole("region", { name: "Key numbers" });
  await expect(kpis.getByText("Conversations", { exact: true })).toBeVisible();
  await expect(kpis.getByText("Deflection rate")).toBeVisible();

  // Last 7 days: seven rows in the daily table.
  const report = page.waitForResponse((r) => r.url().includes("/api/v1/analytics?period=7d") && r.ok());
  await page.getByLabel("Period").selectOption("7d");
  await report;
  await page.getByText("Show the numbers as a table").click();
  const daily = page.getByRole("table", { name: "Daily trend" });
  await expect(daily.getByRole("row")).toHaveCount(8);

  // The demo chatbot's numbers only.
  const filtered = page.waitForResponse((r) => /\/api\/v1\/analytics\?period=7d&chatbotId=/.test(r.url()) && r.ok());
  await page.getByLabel("Chatbot").selectOption({ label: "Demo Assistant" });
  const body = (await (await filtered).json()) as { summary: { totalConversations: number } };
  await expect(kpis.getByText(String(body.summary.totalConversations), { exact: true }).first()).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^analytics-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile((await file.path())!, "utf8");
  const lines = csv.trim().split("\r\n");
  expect(lines[0]).toBe("date,conversations,messages,unique_users,bot_responses,handoffs,deflected,failed_generations");
  expect(lines).toHaveLength(8);
  await context.close();
});

test("an agent has no analytics", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, "agent@demo.local");
  await page.goto("/analytics");
  await expect(page.getByText("You don't have access to this page")).toBeVisible();
  await context.close();
});
