import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { DEMO_PASSWORD, signIn } from "./support/auth.ts";

/**
 * Account basics in a real browser, with mail going over SMTP to the simulator's catcher: an
 * invitation arrives by mail, a forgotten password is reset through the mailed link, and the
 * password is changed from the profile page.
 */

/** Opens the newest mail to `to` whose subject matches, in the /simulator mailbox, and returns its link. */
async function linkFromMailbox(page: Page, to: string, subject: RegExp, linkPath: string): Promise<string> {
  await page.goto("/simulator?tab=mailbox");
  await expect(page.getByRole("heading", { name: "Simulated mailbox" })).toBeVisible();
  const item = page
    .getByRole("region", { name: "Messages" })
    .getByRole("button")
    .filter({ hasText: `To ${to}` })
    .filter({ hasText: subject })
    .first();
  await expect(item).toBeVisible({ timeout: 30_000 });
  await item.click();
  const mail = page.getByRole("article", { name: /^Mail: / });
  await expect(mail.getByRole("heading", { name: subject })).toBeVisible();
  await expect(mail.getByText(to)).toBeVisible();
  const link = mail.getByRole("link", { name: new RegExp(linkPath) }).first();
  const href = await link.getAttribute("href");
  expect(href).toContain(linkPath);
  return href!;
}

test("an invitation by mail, a forgotten password reset through the mailbox, a change from the profile page", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const email = `account.${Date.now()}@example.com`;
  const [first, second, third] = ["first-passphrase-1", "second-passphrase-2", "third-passphrase-3"];

  // The owner invites a teammate; the invitation goes out by mail.
  await signIn(page, "owner@demo.local");
  await page.goto("/settings/members");
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  await expect(dialog.getByRole("heading", { name: "Invitation sent" })).toBeVisible();
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(
    page
      .getByRole("row")
      .filter({ hasText: email })
      .getByText(/^Emailed/),
  ).toBeVisible({ timeout: 30_000 });

  const inviteLink = await linkFromMailbox(page, email, /Join .* on Tandem/, "/invite/");
  const invitee = await browser.newContext();
  const inviteePage = await invitee.newPage();
  await inviteePage.goto(inviteLink);
  await inviteePage.getByLabel("Your name").fill("Rea Set");
  await inviteePage.getByLabel("Choose a password").fill(first);
  await inviteePage.getByRole("button", { name: /^Join / }).click();
  await expect(inviteePage).toHaveURL(/\/dashboard/);

  // Later, on another device, they forgot the password.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto("/login");
  await otherPage.getByRole("link", { name: "Forgot password?" }).click();
  await expect(otherPage).toHaveURL(/\/forgot-password$/);
  await otherPage.getByLabel("Email").fill(email);
  await otherPage.getByRole("button", { name: "Send reset link" }).click();
  await expect(otherPage.getByText("Check your inbox")).toBeVisible();

  const resetLink = await linkFromMailbox(page, email, /Reset your Tandem password/, "/reset-password/");
  await otherPage.goto(resetLink);
  await expect(otherPage.getByText(email)).toBeVisible();
  await otherPage.getByLabel("New password", { exact: true }).fill(second);
  await otherPage.getByLabel("Confirm new password").fill(second);
  await otherPage.getByRole("button", { name: "Set new password" }).click();
  await expect(otherPage).toHaveURL(/\/login\?reset=1$/);
  await expect(otherPage.getByText("Your password was changed. Sign in with the new one.")).toBeVisible();
  await signIn(otherPage, email, second);

  // The reset signed out the first device, and the link works only once.
  await expectSignedOut(invitee);
  await otherPage.goto(resetLink);
  await expect(otherPage.getByText("This link no longer works")).toBeVisible();

  // The profile page: a wrong current password is refused, the right one changes it.
  await otherPage.goto("/dashboard");
  await otherPage.getByRole("button", { name: /Open the user menu/ }).click();
  await otherPage.getByRole("menuitem", { name: "Profile and password" }).click();
  await expect(otherPage).toHaveURL(/\/account$/);
  await expect(otherPage.getByRole("heading", { name: "Your account" })).toBeVisible();
  await otherPage.getByLabel("Current password").fill("not my password");
  await otherPage.getByLabel("New password", { exact: true }).fill(third);
  await otherPage.getByLabel("Confirm new password").fill(third);
  await otherPage.getByRole("button", { name: "Change password" }).click();
  await expect(otherPage.getByText("The current password is incorrect")).toBeVisible();
  await otherPage.getByLabel("Current password").fill(second);
  await otherPage.getByRole("button", { name: "Change password" }).click();
  await expect(otherPage.getByText(/Password changed\. Your other sessions were signed out/)).toBeVisible();

  // The notice reached the mailbox; the new password signs in, the old one no longer does.
  await linkFromMailbox(page, email, /Your Tandem password was changed/, "/forgot-password");
  const fresh = await browser.newContext();
  const freshPage = await fresh.newPage();
  await freshPage.goto("/login");
  await freshPage.getByLabel("Email").fill(email);
  await freshPage.getByLabel("Password").fill(second);
  await freshPage.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(freshPage.getByText("Email or password is incorrect")).toBeVisible();
  await signIn(freshPage, email, third);
  await Promise.all([invitee.close(), other.close(), fresh.close()]);
});

async function expectSignedOut(context: BrowserContext) {
  const page = context.pages()[0]!;
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);
}

test("the profile page renames me (the user menu follows) and opens my alert settings", async ({ page }) => {
  await signIn(page, "admin@demo.local");
  await page.goto("/account");
  const name = page.getByRole("textbox", { name: "Name" });
  await expect(name).toHaveValue("Adam Admin");
  await expect(page.getByRole("button", { name: "Save name" })).toBeDisabled();
  try {
    await name.fill("Adam A. Admin");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Name saved." })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("textbox", { name: "Name" })).toHaveValue("Adam A. Admin");
    await expect(page.getByText("Adam A. Admin").first()).toBeVisible();
    // A blank name is refused in plain words and changes nothing.
    await page.getByRole("textbox", { name: "Name" }).fill(" ");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "enter your name" })).toBeVisible();

    await page.getByRole("button", { name: "Alert settings" }).click();
    await expect(page.getByRole("dialog")).toContainText("Handoffs");
    await page.keyboard.press("Escape");
  } finally {
    await page.getByRole("textbox", { name: "Name" }).fill("Adam Admin");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Name saved." })).toBeVisible();
  }
});

test("an admin using Tandem at another address than APP_URL is told what the links will use", async ({
  page,
  baseURL,
}) => {
  const appUrl = new URL(baseURL!).origin;
  const elsewhere = appUrl.replace("127.0.0.1", "localhost");
  expect(elsewhere).not.toBe(appUrl);
  const notice = page.getByRole("status").filter({ hasText: "but its APP_URL is" });

  // At APP_URL itself: nothing to say.
  await signIn(page, "admin@demo.local");
  await expect(page.getByRole("heading", { name: "Inbox" }).first()).toBeVisible();
  await expect(notice).toHaveCount(0);

  await page.goto(`${elsewhere}/login`);
  await page.getByLabel("Email").fill("admin@demo.local");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard(?:[?#]|$)/);
  await expect(notice).toContainText(`You are using Tandem at ${elsewhere}, but its APP_URL is ${appUrl}`);
  await page.getByRole("button", { name: "Dismiss the address warning" }).click();
  await expect(notice).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Inbox" }).first()).toBeVisible();
  await expect(notice).toHaveCount(0);
});
