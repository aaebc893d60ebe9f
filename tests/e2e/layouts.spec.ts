import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { signIn } from "./support/auth.ts";
import { composer, conversationList, customerSays, newCustomer, row, thread, threadHeading } from "./support/inbox.ts";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");

const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "tablet", width: 1024, height: 768 },
  { name: "laptop", width: 1440, height: 900 },
] as const;

/** The page's DOM as far as `layoutProblems` uses it (the e2e project compiles without the DOM library). */
interface PageElement {
  tagName: string;
  id: string;
  clientWidth: number;
  scrollWidth: number;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getClientRects(): { length: number };
  getBoundingClientRect(): { left: number; right: number; width: number; height: number };
  closest(selector: string): PageElement | null;
}
interface PageWindow {
  innerWidth: number;
  document: { documentElement: PageElement; body: { querySelectorAll(selector: string): Iterable<PageElement> } };
  getComputedStyle(el: PageElement): { textOverflow: string; visibility: string; overflowX: string; clipPath: string };
}

/**
 * What is cut off or sticks out sideways: the page scrolling sideways, any box hiding content to its
 * right (text shortened with an ellipsis on purpose and tables, which scroll inside their card, aside),
 * and controls reaching past the viewport's edges.
 */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document, innerWidth: width, getComputedStyle } = globalThis as unknown as PageWindow;
    const problems: string[] = [];
    if (document.documentElement.scrollWidth > width) {
      problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px > ${width} px)`);
    }
    const name = (el: PageElement) =>
      `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} "${(el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 40)}">`;
    const inScroller = (el: PageElement) => el.closest("[data-slot=table-container]") !== null;
    for (const el of document.body.querySelectorAll("*")) {
      if (el.getClientRects().length === 0 || el.clientWidth <= 1) continue; // hidden, or for screen readers only
      if (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || inScroller(el)) continue;
      const style = getComputedStyle(el);
      // Shortened with an ellipsis on purpose; invisible; or clipped away for screen readers only (sr-only).
      if (style.textOverflow === "ellipsis" || style.visibility === "hidden" || style.clipPath !== "none") continue;
      if (style.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${name(el)} cuts off ${el.scrollWidth - el.clientWidth} px on its right`);
      }
    }
    const controls = "button, a[href], input, textarea, [role=combobox], [role=switch], h1, h2";
    for (const el of document.body.querySelectorAll(controls)) {
      const box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1 || inScroller(el) || getComputedStyle(el).visibility === "hidden") continue;
      if (box.left < -1 || box.right > width + 1) {
        problems.push(`${name(el)} reaches past the viewport (${Math.round(box.left)}–${Math.round(box.right)} px)`);
      }
    }
    return problems;
  });
}

async function expectInsideViewport(page: Page, name: string) {
  const button = page.getByRole("button", { name, exact: true });
  await expect(button).toBeVisible();
  const box = await button.boundingBox();
  const viewport = page.viewportSize()!;
  expect(box, `${name} has a box`).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
  expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
  if (viewport.width < 1024) expect(box!.height, `${name} is a touch target`).toBeGreaterThanOrEqual(40);
}

for (const viewport of VIEWPORTS) {
  test.describe(`at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });

    test("the inbox, a thread and the settings fit the screen", async ({ page, request }) => {
      const customer = newCustomer("Maya Lindqvist");
      await customerSays(request, customer, "Hi! Can I still change the delivery address of order #4411?");
      await signIn(page, "owner@demo.local");
      const phone = viewport.width < 1024;

      // The list: on a phone it is the only pane, without the app's sidebar (a menu button opens it).
      await expect(row(page, customer.name)).toBeVisible({ timeout: 30_000 });
      expect(await layoutProblems(page)).toEqual([]);
      await expect(page.getByRole("button", { name: "Open the menu" })).toBeVisible({ visible: phone });
      await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible({ visible: !phone });

      // The thread: header with Close inside the screen, a composer wide enough to write in, and Send.
      await row(page, customer.name).click();
      await expect(threadHeading(page, customer.name)).toBeVisible();
      const messages = thread(page, customer.name);
      await expect(messages.getByText("Can I still change the delivery address")).toBeVisible();
      await composer(page).fill("Yes — send me the new address and I'll update it.");
      await expectInsideViewport(page, "Close");
      await expectInsideViewport(page, "Send");
      const composerBox = (await composer(page).boundingBox())!;
      expect(composerBox.width).toBeGreaterThanOrEqual(Math.min(320, viewport.width - 48));
      // Phones do not zoom into the fields (iOS zooms into text under 16 px).
      if (phone) await expect(composer(page)).toHaveCSS("font-size", "16px");
      await expect(conversationList(page)).toBeVisible({ visible: !phone });
      expect(await layoutProblems(page)).toEqual([]);
      await page.screenshot({ path: path.join(SCREENSHOTS, `inbox-${viewport.width}.png`) });

      // The contact: beside the thread on a wide screen, one tap away below 1,280 px.
      if (viewport.width < 1280) {
        await page.getByRole("button", { name: "Contact details" }).click();
        await expect(page.getByRole("heading", { name: "Contact", exact: true })).toBeVisible();
        expect(await layoutProblems(page)).toEqual([]);
      }
      // A toast (here: notes saved) never covers the composer's Send button.
      await page.getByRole("textbox", { name: "Conversation notes" }).fill(`Address change asked (${viewport.width})`);
      await page.getByRole("button", { name: "Save notes" }).click();
      if (viewport.width < 1280) await page.getByRole("button", { name: "Back to the conversation" }).click();
      await expect(threadHeading(page, customer.name)).toBeVisible();
      const toast = page.locator("[data-sonner-toast]").filter({ hasText: "Notes saved" });
      await expect(toast).toBeVisible();
      const toastBox = (await toast.boundingBox())!;
      const sendBox = (await page.getByRole("button", { name: "Send", exact: true }).boundingBox())!;
      const overlaps =
        toastBox.x < sendBox.x + sendBox.width &&
        sendBox.x < toastBox.x + toastBox.width &&
        toastBox.y < sendBox.y + sendBox.height &&
        sendBox.y < toastBox.y + toastBox.height;
      expect(overlaps, "the toast covers Send").toBe(false);

      // Two settings pages: a table (Members) and a long form (AI provider).
      for (const [link, loaded] of [
        ["Members", page.getByRole("table").first()],
        ["AI provider", page.getByRole("radio", { name: /Offline/ })],
      ] as const) {
        if (phone) await page.getByRole("button", { name: "Open the menu" }).click();
        await page.getByRole("link", { name: link, exact: true }).click();
        await expect(page.getByRole("heading", { name: link, level: 1 })).toBeVisible();
        await expect(page.getByRole("dialog")).toHaveCount(0);
        await expect(loaded).toBeVisible();
        expect(await layoutProblems(page)).toEqual([]);
        await page.screenshot({
          path: path.join(SCREENSHOTS, `settings-${link === "Members" ? "members" : "provider"}-${viewport.width}.png`),
        });
      }
    });
  });
}

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("one pane at a time: the back buttons and the browser's Back walk list → thread → contact", async ({
    page,
    request,
  }) => {
    const first = newCustomer("Emeka Obi");
    const second = newCustomer("Sofia Costa");
    await customerSays(request, first, "Where is my parcel?");
    await customerSays(request, second, "Do you ship to Portugal?");
    await signIn(page, "owner@demo.local");
    const list = conversationList(page);
    await expect(row(page, first.name)).toBeVisible({ timeout: 30_000 });

    // List → thread; the thread's back button returns to the list.
    await row(page, first.name).click();
    await expect(threadHeading(page, first.name)).toBeVisible();
    await expect(list).toBeHidden();
    await page.getByRole("button", { name: "Back to conversations" }).click();
    await expect(list).toBeVisible();
    await expect(threadHeading(page, first.name)).toBeHidden();
    expect(new URL(page.url()).searchParams.has("c")).toBe(false);

    // Thread → contact → the browser's Back → thread → Back → list; Forward opens the thread again.
    await row(page, second.name).click();
    await expect(threadHeading(page, second.name)).toBeVisible();
    await page.getByRole("button", { name: "Contact details" }).click();
    await expect(page.getByRole("heading", { name: "Contact", exact: true })).toBeVisible();
    await expect(threadHeading(page, second.name)).toBeHidden();
    await page.goBack();
    await expect(threadHeading(page, second.name)).toBeVisible();
    await expect(page.getByRole("heading", { name: "Contact", exact: true })).toBeHidden();
    await page.goBack();
    await expect(list).toBeVisible();
    await page.goForward();
    await expect(threadHeading(page, second.name)).toBeVisible();

    // A shared link straight to a thread: the back button still leads to the list, not out of the inbox.
    const address = page.url();
    await page.goto("/settings/tokens");
    await page.goto(address);
    await expect(threadHeading(page, second.name)).toBeVisible();
    await page.getByRole("button", { name: "Back to conversations" }).click();
    await expect(list).toBeVisible();
    await expect(page).toHaveURL(/\/dashboard$/);

    // The menu drawer holds the navigation; following a link closes it.
    await page.getByRole("button", { name: "Open the menu" }).click();
    const drawer = page.getByRole("dialog", { name: "Menu" });
    await drawer.getByRole("link", { name: "Simulator" }).click();
    await expect(drawer).toBeHidden();
    await expect(page).toHaveURL(/\/simulator/);
    // The simulator's chat is usable on a phone too.
    await expect(page.getByRole("textbox").last()).toBeVisible();
    expect(await layoutProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "simulator-390.png") });
  });
});

test("opening a conversation is a history entry: Back returns to the previous one", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const first = newCustomer("Hana Kim");
  const second = newCustomer("Omar Farouk");
  await customerSays(request, first, "Hello from Seoul");
  await customerSays(request, second, "Hello from Cairo");
  await signIn(page, "owner@demo.local");
  await expect(row(page, second.name)).toBeVisible({ timeout: 30_000 });

  await row(page, first.name).click();
  await expect(threadHeading(page, first.name)).toBeVisible();
  await row(page, second.name).click();
  await expect(threadHeading(page, second.name)).toBeVisible();
  // Filters change the address without a history entry.
  await page.getByRole("button", { name: "Unread", exact: true }).click();
  await expect(page).toHaveURL(/[?&]unread=1/);
  await page.getByRole("button", { name: "Unread", exact: true }).click();
  await expect(page).not.toHaveURL(/unread=/);

  await page.goBack();
  await expect(threadHeading(page, first.name)).toBeVisible();
  await expect(row(page, first.name)).toHaveAttribute("aria-selected", "true");
  await page.goBack();
  await expect(page.getByText("Select a conversation")).toBeVisible();
  expect(new URL(page.url()).searchParams.has("c")).toBe(false);
});
