import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "tandem-demo";
export const DEMO_MEMBERS = ["owner@demo.local", "admin@demo.local", "agent@demo.local"] as const;

/** Signs in through the /login form and waits for the dashboard. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard(?:[?#]|$)/);
}

/** The navigation that holds the "Inbox" link: the dashboard's main navigation. */
export function mainNavigation(page: Page) {
  return page.getByRole("navigation").filter({ has: page.getByRole("link", { name: "Inbox", exact: true }) });
}
