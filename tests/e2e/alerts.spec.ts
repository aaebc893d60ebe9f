import { expect, type Page, test } from "@playwright/test";
import { signIn } from "./support/auth.ts";
import { customerSays, newCustomer, row, thread, threadHeading } from "./support/inbox.ts";

test.use({ viewport: { width: 1280, height: 800 } });

interface Recorded {
  title: string;
  body: string;
}

/**
 * The browser's Notification, recorded: every notification the page constructs lands in
 * `window.__notifications` (clickable through its `onclick`), and `permission` reads "default" until
 * the page asks — so the test sees that nothing is asked on load. The answer comes from the browser
 * context's real permission (granted by the test). `window.__chimes` counts the sounds played.
 */
async function recordAlerts(page: Page) {
  await page.addInitScript(() => {
    const scope = globalThis as unknown as Record<string, unknown> & {
      Notification: { permission: string; requestPermission(): Promise<string> };
      AudioContext: { prototype: { createOscillator(): unknown } };
    };
    const Real = scope.Notification;
    const shown: unknown[] = [];
    let asked = 0;
    class RecordedNotification {
      onclick: (() => void) | null = null;
      title: string;
      body: string;
      static get permission() {
        return asked > 0 ? Real.permission : "default";
      }
      static requestPermission() {
        asked++;
        return Real.requestPermission();
      }
      constructor(title: string, options?: { body?: string }) {
        this.title = title;
        this.body = options?.body ?? "";
        shown.push(this);
      }
      close() {}
    }
    scope.Notification = RecordedNotification;
    scope.__notifications = shown;
    scope.__permissionRequests = () => asked;
    let chimes = 0;
    const createOscillator = scope.AudioContext.prototype.createOscillator;
    scope.AudioContext.prototype.createOscillator = function (this: unknown) {
      chimes++;
      return createOscillator.call(this);
    };
    scope.__chimes = () => chimes;
  });
}

const notifications = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { __notifications: Recorded[] }).__notifications.map(({ title, body }) => ({
      title,
      body,
    })),
  );
const titles = async (page: Page) => (await notifications(page)).map((n) => n.title);

/**
 * The unread count the inbox puts in the tab title, or -1 while the title is another page's (just
 * after navigating back to the inbox): a value `expect.poll` keeps polling on, where a throw would end it.
 */
async function unreadInTitle(page: Page): Promise<number> {
  const match = /^(?:\((\d+)\) )?Inbox · Tandem$/.exec(await page.title());
  return match ? Number(match[1] ?? 0) : -1;
}

async function openAlertSettings(page: Page) {
  await page.getByRole("button", { name: /Open the user menu/ }).click();
  await page.getByRole("menuitem", { name: "Alerts and notifications" }).click();
  return page.getByRole("dialog", { name: "Alerts" });
}

test("the title counts unread conversations; desktop notifications for new conversations, my conversations and handoffs", async ({
  page,
  context,
  request,
}) => {
  await context.grantPermissions(["notifications"]);
  await recordAlerts(page);
  const customer = newCustomer("Lucía Gómez");
  const other = newCustomer("Tariq Aziz");
  await customerSays(request, other, "Do you ship internationally?");
  await signIn(page, "owner@demo.local");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  await expect(row(page, other.name)).toBeVisible({ timeout: 30_000 });

  // The title counts the conversations with unread messages; a new customer adds one, live.
  await expect.poll(() => unreadInTitle(page)).toBeGreaterThan(0);
  const before = await unreadInTitle(page);
  expect(before).toBeGreaterThan(0);
  await customerSays(request, customer, "Hi, is the blue jacket back in stock?");
  await expect(row(page, customer.name)).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => unreadInTitle(page)).toBe(before + 1);
  // Away in the settings the title is the page's own; back in the inbox the count returns.
  await page.getByRole("link", { name: "Members", exact: true }).click();
  await expect(page).toHaveTitle("Members · Tandem");
  await page.getByRole("link", { name: "Inbox", exact: true }).click();
  await expect.poll(() => unreadInTitle(page)).toBe(before + 1);
  // Nothing was asked on page load, so nothing was shown.
  expect(
    await page.evaluate(() => (globalThis as unknown as { __permissionRequests(): number }).__permissionRequests()),
  ).toBe(0);
  expect(await notifications(page)).toEqual([]);

  // Notifications are allowed from the user menu.
  const settings = await openAlertSettings(page);
  await settings.getByRole("button", { name: "Allow desktop notifications" }).click();
  await expect(settings.getByText("On in this browser.")).toBeVisible();
  await settings.getByRole("switch", { name: "Play a sound" }).click();
  await page.keyboard.press("Escape");
  const chimes = () => page.evaluate(() => (globalThis as unknown as { __chimes(): number }).__chimes());
  const chimesBefore = await chimes();

  // A new conversation.
  const third = newCustomer("Anna Nowak");
  await customerSays(request, third, "What are your opening hours?");
  await expect
    .poll(() => notifications(page), { timeout: 30_000 })
    .toContainEqual({ title: `New conversation: ${third.name}`, body: "What are your opening hours?" });
  expect(await chimes()).toBeGreaterThan(chimesBefore);

  // Opening a conversation reads it: one fewer in the title. Assigned to me, it is "mine".
  await row(page, customer.name).click();
  await expect(threadHeading(page, customer.name)).toBeVisible();
  await expect.poll(() => unreadInTitle(page)).toBe(before + 1); // read one, the new one added one
  await page.getByRole("combobox", { name: "Assignee" }).click();
  await page.getByRole("option", { name: /Olivia Owner \(you\)/ }).click();
  await expect(page.getByRole("combobox", { name: "Assignee" })).toHaveText(/Olivia Owner/);

  // While I look at it in this focused tab, a message there is no notification…
  const focused = () =>
    page.evaluate(() => (globalThis as unknown as { document: { hasFocus(): boolean } }).document.hasFocus());
  expect(await focused()).toBe(true);
  await customerSays(request, customer, "Size M, please");
  await expect(thread(page, customer.name).getByText("Size M, please")).toBeVisible({
    timeout: 30_000,
  });
  // …but once I am in another conversation, it is.
  await row(page, other.name).click();
  await expect(threadHeading(page, other.name)).toBeVisible();
  await customerSays(request, customer, "And in green?");
  await expect
    .poll(() => notifications(page), { timeout: 30_000 })
    .toContainEqual({ title: `${customer.name} wrote`, body: "And in green?" });
  expect((await notifications(page)).filter((n) => n.body === "Size M, please")).toEqual([]);

  // Clicking the notification opens its conversation.
  await page.evaluate((title) => {
    const shown = (globalThis as unknown as { __notifications: { title: string; onclick: () => void }[] })
      .__notifications;
    shown.find((n) => n.title === title)!.onclick();
  }, `${customer.name} wrote`);
  await expect(threadHeading(page, customer.name)).toBeVisible();
  // A history entry like any opening: Back returns to the conversation before.
  await page.goBack();
  await expect(threadHeading(page, other.name)).toBeVisible();

  // A handoff in the conversation I am looking at: no notification (the row says it, live).
  await expect(row(page, other.name)).not.toContainText("Needs human");
  await customerSays(request, other, "I want to talk to a human");
  await expect(row(page, other.name)).toContainText("Needs human", { timeout: 30_000 });
  expect(await titles(page)).not.toContain(`${other.name} needs a human`);
  // A handoff elsewhere notifies.
  const fourth = newCustomer("Ken Ito");
  await customerSays(request, fourth, "How long does shipping take?");
  await expect(row(page, fourth.name)).toBeVisible({ timeout: 30_000 });
  await customerSays(request, fourth, "I want to talk to a human");
  await expect.poll(() => titles(page), { timeout: 30_000 }).toContain(`${fourth.name} needs a human`);
});

test("each kind of alert can be turned off, per person", async ({ page, context, request }) => {
  await context.grantPermissions(["notifications"]);
  await recordAlerts(page);
  await signIn(page, "admin@demo.local");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  const settings = await openAlertSettings(page);
  await settings.getByRole("button", { name: "Allow desktop notifications" }).click();
  const newConversations = settings.getByRole("switch", { name: "New conversations" });
  await expect(newConversations).toBeChecked();
  await newConversations.click();
  await expect(newConversations).not.toBeChecked();
  await page.keyboard.press("Escape");

  // No notification for a new conversation now; a handoff still notifies.
  const quiet = newCustomer("Pedro Alves");
  await customerSays(request, quiet, "Which payment methods do you accept?");
  await expect(row(page, quiet.name)).toBeVisible({ timeout: 30_000 });
  await customerSays(request, quiet, "I want to talk to a human");
  await expect.poll(() => titles(page), { timeout: 30_000 }).toContain(`${quiet.name} needs a human`);
  expect(await titles(page)).not.toContain(`New conversation: ${quiet.name}`);

  // The choice is kept for this person (after a reload), and is not another person's.
  await page.reload();
  await expect(
    await openAlertSettings(page).then((d) => d.getByRole("switch", { name: "New conversations" })),
  ).not.toBeChecked();
  const ownerContext = await context.browser()!.newContext({ viewport: { width: 1280, height: 800 } });
  const owner = await ownerContext.newPage();
  await signIn(owner, "owner@demo.local");
  await expect((await openAlertSettings(owner)).getByRole("switch", { name: "New conversations" })).toBeChecked();
  await ownerContext.close();
});
