import { rm } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";
import { REPO_ROOT, startServer } from "./support/server.ts";

test("the owner invites a member, who joins; the owner changes their role and removes them", async ({
  page,
  browser,
}) => {
  const email = `new.agent.${Date.now()}@example.com`;
  await signIn(page, "owner@demo.local");
  await page.goto("/settings/members");

  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  const link = await dialog.getByLabel("Invitation link").inputValue();
  expect(link).toContain("/invite/");
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("row").filter({ hasText: email })).toHaveCount(1);

  // The invitee opens the link in their own browser and joins as an agent.
  const invitee = await browser.newContext();
  const inviteePage = await invitee.newPage();
  await inviteePage.goto(link);
  await inviteePage.getByLabel("Your name").fill("Nia New");
  await inviteePage.getByLabel("Choose a password").fill("a-strong-password");
  await inviteePage.getByRole("button", { name: /^Join / }).click();
  await expect(inviteePage).toHaveURL(/\/dashboard/);
  const nav = mainNavigation(inviteePage);
  await expect(nav.getByRole("link", { name: "Members", exact: true })).toHaveCount(0);
  await invitee.close();

  // The owner sees the new member, promotes them to admin, then removes them.
  await page.reload();
  const row = page.getByRole("row").filter({ hasText: "Nia New" });
  await expect(row).toHaveCount(1);
  await row.getByRole("combobox", { name: "Role of Nia New" }).click();
  await page.getByRole("option", { name: "Admin" }).click();
  await expect(row.getByRole("combobox", { name: "Role of Nia New" })).toHaveText("Admin");
  await page.reload();
  await expect(page.getByRole("row").filter({ hasText: "Nia New" }).getByRole("combobox")).toHaveText("Admin");

  await page.getByRole("button", { name: "Remove Nia New" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Remove member" }).click();
  await expect(page.getByRole("row").filter({ hasText: "Nia New" })).toHaveCount(0);
});

test("a restart keeps the data", async ({ browser }) => {
  test.setTimeout(240_000);
  const logFile = path.join(REPO_ROOT, "test-results/e2e/restart-server.log");
  const first = await startServer({ keepDataDir: true, logFile });
  const dataDir = first.dataDir;
  const email = `kept.${Date.now()}@example.com`;
  try {
    const context = await browser.newContext({ baseURL: first.url });
    const page = await context.newPage();
    await signIn(page, "admin@demo.local");
    await page.goto("/settings/members");
    await page.getByRole("button", { name: "Invite member" }).click();
    await page.getByRole("dialog").getByLabel("Email").fill(email);
    await page.getByRole("dialog").getByRole("button", { name: "Create invitation" }).click();
    await expect(page.getByRole("dialog").getByLabel("Invitation link")).toBeVisible();
    await context.close();
    await first.stop();

    const second = await startServer({ dataDir, logFile });
    try {
      // Seeding did not run twice, and the invitation made before the restart is still pending.
      expect(second.output()).not.toContain("seeded the demo workspace");
      const again = await browser.newContext({ baseURL: second.url });
      const page2 = await again.newPage();
      await signIn(page2, "admin@demo.local");
      await page2.goto("/settings/members");
      await expect(page2.getByRole("row").filter({ hasText: email })).toHaveCount(1);
      await expect(page2.getByRole("row").filter({ hasText: "owner@demo.local" })).toHaveCount(1);
      await again.close();
    } finally {
      await second.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
