import { expect, type Page, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";

/**
 * The audit log end to end: an admin changes a setting (renames a canned response), opens Settings →
 * Audit log, filters by that action, expands the row and reads the before / after with the changed
 * field marked; the same page works on a phone-sized screen, and an agent has no link to it.
 */

test.use({ viewport: { width: 1280, height: 800 } });

const pageWidth = (page: Page) =>
  page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );

test("an admin changes a setting, filters the audit log by its action and reads the diff", async ({ browser }) => {
  const suffix = `${Date.now()}`.slice(-6);
  const shortcut = `aud${suffix}`;
  const oldTitle = `Opening hours ${suffix}`;
  const newTitle = `Hours and holidays ${suffix}`;

  const context = await browser.newContext();
  const admin = await context.newPage();
  await signIn(admin, "admin@demo.local");

  // The change: a canned response is created, then renamed.
  await admin.goto("/settings/canned-responses");
  await admin.getByRole("button", { name: "New canned response" }).click();
  const dialog = admin.getByRole("dialog", { name: "New canned response" });
  await dialog.getByLabel("Shortcut").fill(shortcut);
  await dialog.getByLabel("Title").fill(oldTitle);
  await dialog.getByLabel("Text").fill("We open at 8 and close at 18.");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog).toBeHidden();
  await admin.getByRole("button", { name: `Edit /${shortcut}` }).click();
  const edit = admin.getByRole("dialog", { name: `Edit “/${shortcut}”` });
  await edit.getByLabel("Title").fill(newTitle);
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();

  // The audit log, from the sidebar.
  await mainNavigation(admin).getByRole("link", { name: "Audit log" }).click();
  await expect(admin).toHaveURL(/\/settings\/audit-log$/);
  await expect(admin.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await admin.getByLabel("Action").selectOption("canned_response.update");
  const rows = admin.getByRole("list", { name: "Audit log" }).getByTestId("audit-row");
  await expect(rows.first()).toBeVisible();
  for (const action of await rows.locator("code").allTextContents()) expect(action).toBe("canned_response.update");

  // The newest row is the rename: who, and its before / after with the title marked as changed.
  const row = rows.first();
  await expect(row).toContainText(/admin/i);
  await row.getByRole("button").first().click();
  await expect(row.getByRole("button").first()).toHaveAttribute("aria-expanded", "true");
  const changes = row.getByRole("list", { name: "Changes" });
  const title = changes.getByRole("listitem").filter({ hasText: /^title/ });
  await expect(title).toHaveAttribute("data-changed", "true");
  await expect(title).toContainText(oldTitle);
  await expect(title).toContainText(newTitle);
  await expect(title).toContainText("changed");
  const text = changes.getByRole("listitem").filter({ hasText: /^text/ });
  if ((await text.count()) > 0) await expect(text).not.toHaveAttribute("data-changed", "true");
  await expect(row).toContainText("IP address");

  // Sign-ins are there too; a filter that matches nothing says so.
  await admin.getByLabel("Action").selectOption("user.sign_in");
  await expect(rows.first().locator("code")).toHaveText("user.sign_in");
  await admin.getByLabel("Entity id").fill("nothing_has_this_id");
  await expect(admin.getByText("Nothing matches these filters")).toBeVisible();
  await admin.getByRole("button", { name: "Clear filters" }).click();
  await expect(rows.first()).toBeVisible();

  // Phone-sized: the rows and the diff fit the screen.
  await admin.setViewportSize({ width: 390, height: 844 });
  await admin.reload();
  await admin.getByLabel("Action").selectOption("canned_response.update");
  await expect(rows.first()).toBeVisible();
  await rows.first().getByRole("button").first().click();
  await expect(rows.first().getByRole("list", { name: "Changes" })).toBeVisible();
  expect(await pageWidth(admin)).toBeLessThanOrEqual(390);
  await context.close();

  // An agent has no link to it, and the page itself refuses them.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, "agent@demo.local");
  await expect(mainNavigation(agent).getByRole("link", { name: "Audit log" })).toHaveCount(0);
  await agent.goto("/settings/audit-log");
  await expect(agent.getByText("You don't have access to this page")).toBeVisible();
  await agentContext.close();
});
