import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { DEMO_MEMBERS, mainNavigation, signIn } from "./support/auth.ts";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");
const LOGIN_URL = /\/login(?:[?#]|$)/;

test("the owner signs in, sees the members, signs out, and is locked out of the dashboard", async ({ page }) => {
  await signIn(page, "owner@demo.local");

  const nav = mainNavigation(page);
  await expect(nav.getByRole("link", { name: "Inbox", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Members", exact: true })).toBeVisible();

  await nav.getByRole("link", { name: "Members", exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/members(?:[?#]|$)/);
  for (const email of DEMO_MEMBERS) {
    await expect(page.getByRole("row").filter({ hasText: email })).toHaveCount(1);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, "members.png"), fullPage: true });

  await page.getByRole("button", { name: /user menu/i }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(LOGIN_URL);
  await expect(page.getByLabel("Email")).toBeVisible();

  await page.goto("/dashboard");
  await expect(page).toHaveURL(LOGIN_URL);
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
});

test("an agent does not see Members in the navigation", async ({ page }) => {
  await signIn(page, "agent@demo.local");

  const nav = mainNavigation(page);
  await expect(nav.getByRole("link", { name: "Inbox", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Members", exact: true })).toHaveCount(0);
  // Typing the address does not help: the page says so, and shows no member.
  await page.goto("/settings/members");
  await expect(page.getByText("You don't have access to this page")).toBeVisible();
  await expect(page.getByText("owner@demo.local")).toHaveCount(0);
});
