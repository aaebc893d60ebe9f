import { expect, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";
test("owner must fail the agent assertion", async ({ page }) => {
  await signIn(page, "owner@demo.local");
  const nav = mainNavigation(page);
  await expect(nav.getByRole("link", { name: "Inbox", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Members", exact: true })).toHaveCount(0, { timeout: 3000 });
});
test("wrong password stays on login", async ({ page }) => {
  await signIn(page, "owner@demo.local", "wrong-password");
});
