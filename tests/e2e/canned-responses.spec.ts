import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { signIn } from "./support/auth.ts";
import { composer, customerSays, newCustomer, row, thread } from "./support/inbox.ts";

/**
 * Canned responses end to end: an admin saves one with `{contact_name}`, an agent inserts it by
 * typing "/ret" in the composer and choosing it with the keyboard, and the customer on the
 * simulated Messenger receives it with their name filled in. The agent sees the library read-only,
 * on a phone-sized screen. An agent @mentions a teammate in a note, and the teammate is told.
 */

test.use({ viewport: { width: 1280, height: 800 } });

async function sentTo(request: APIRequestContext, psid: string): Promise<string[]> {
  const res = await request.get("/_simulator/_control/graph/outbox");
  const body = (await res.json()) as { data: { kind: string; recipientId: string; message?: { text?: string } }[] };
  return body.data.filter((r) => r.kind === "message" && r.recipientId === psid).map((r) => r.message?.text ?? "");
}

const picker = (page: Page) => page.getByRole("listbox", { name: "Canned responses" });

test("an admin saves a canned response; an agent inserts it with / and the customer receives it", async ({
  browser,
  request,
}) => {
  const suffix = `${Date.now()}`.slice(-6);
  const shortcut = `ret${suffix}`;
  const title = `Return policy ${suffix}`;

  // The admin adds it from Settings → Canned responses; an unknown variable is refused first.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, "admin@demo.local");
  await admin.getByRole("link", { name: "Canned responses" }).first().click();
  await expect(admin).toHaveURL(/\/settings\/canned-responses$/);
  await admin.getByRole("button", { name: "New canned response" }).click();
  const dialog = admin.getByRole("dialog", { name: "New canned response" });
  await dialog.getByLabel("Shortcut").fill(shortcut);
  await dialog.getByLabel("Title").fill(title);
  await dialog.getByLabel("Text").fill("Hi {name}, returns are free within 30 days.");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByText(/Unknown variable \{name\}/)).toBeVisible();
  await dialog.getByLabel("Text").fill("Hi {contact_name}, returns are free within 30 days.");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog).toBeHidden();
  const list = admin.getByRole("list", { name: "Canned responses" });
  await expect(list.getByText(`/${shortcut}`)).toBeVisible();

  // A second one with the same shortcut is refused, naming the field.
  await admin.getByRole("button", { name: "New canned response" }).click();
  await dialog.getByLabel("Shortcut").fill(shortcut);
  await dialog.getByLabel("Title").fill("Duplicate");
  await dialog.getByLabel("Text").fill("Another text");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByText(`“/${shortcut}” is already used by another canned response`)).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // A customer writes on Messenger; the agent opens the conversation.
  const customer = newCustomer("Mia Keller");
  await customerSays(request, customer, "Can I send my shoes back?");
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, "agent@demo.local");
  await row(agent, customer.name).click();
  await expect(thread(agent, customer.name).getByText("Can I send my shoes back?")).toBeVisible();

  // "/" opens the picker; Escape closes it and leaves the text as typed.
  const box = composer(agent);
  await box.click();
  await box.pressSequentially("/ret");
  await expect(picker(agent)).toBeVisible();
  await expect(agent.getByRole("combobox", { name: "Message with canned responses" })).toHaveAttribute(
    "aria-expanded",
    "true",
  );
  await box.press("Escape");
  await expect(picker(agent)).toBeHidden();
  await expect(box).toHaveValue("/ret");
  await box.fill("");

  // Typed again: the arrows move through the matches (the textbox names the active one), Enter inserts.
  await box.pressSequentially("/ret");
  const option = picker(agent)
    .getByRole("option")
    .filter({ hasText: `/${shortcut}` });
  await expect(option).toBeVisible();
  for (let i = 0; i < 8 && (await option.getAttribute("aria-selected")) !== "true"; i++) await box.press("ArrowDown");
  await expect(option).toHaveAttribute("aria-selected", "true");
  await expect(box).toHaveAttribute("aria-activedescendant", (await option.getAttribute("id")) ?? "");
  await box.press("Enter");
  const filled = `Hi ${customer.name}, returns are free within 30 days.`;
  await expect(box).toHaveValue(filled);
  await expect(picker(agent)).toBeHidden();

  // Enter now sends it; the customer receives the filled-in text.
  await box.press("Enter");
  await expect(box).toHaveValue("");
  await expect(thread(agent, customer.name).locator('[data-role="AGENT"]').filter({ hasText: filled })).toBeVisible();
  await expect.poll(() => sentTo(request, customer.psid), { timeout: 30_000 }).toContain(filled);

  // A click (or a tap) inserts too, after text already typed.
  await box.pressSequentially(`Thanks! /${shortcut.slice(0, 4)}`);
  await option.click();
  await expect(box).toHaveValue(`Thanks! ${filled}`);
  await box.fill("");

  // The agent reads the library on a phone, without the controls to change it.
  await agent.setViewportSize({ width: 390, height: 844 });
  await agent.goto("/settings/canned-responses");
  await expect(agent.getByRole("heading", { name: "Canned responses" })).toBeVisible();
  await agent.getByRole("searchbox", { name: "Search canned responses" }).fill(suffix);
  await expect(agent.getByRole("list", { name: "Canned responses" }).getByText(title)).toBeVisible();
  await expect(agent.getByRole("button", { name: "New canned response" })).toHaveCount(0);
  await expect(agent.getByRole("button", { name: `Edit /${shortcut}` })).toHaveCount(0);
  const pageWidth = await agent.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );
  expect(pageWidth).toBeLessThanOrEqual(390);

  // The admin deletes it.
  await admin.getByRole("button", { name: `Delete /${shortcut}` }).click();
  await admin.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await expect(list.getByText(`/${shortcut}`)).toHaveCount(0);

  await adminContext.close();
  await agentContext.close();
});

test("an agent @mentions a teammate in a note; the teammate is notified live", async ({ browser, request }) => {
  const customer = newCustomer("Noah Weber");
  await customerSays(request, customer, "My parcel arrived damaged");

  // The admin is in the inbox, another conversation or none open.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, "admin@demo.local");
  await expect(admin.getByText("Live", { exact: true })).toBeVisible();

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, "agent@demo.local");
  await row(agent, customer.name).click();
  await expect(thread(agent, customer.name).getByText("My parcel arrived damaged")).toBeVisible();
  await agent.getByRole("button", { name: "Internal note", exact: true }).click();
  const note = agent.getByRole("textbox", { name: "Internal note" });
  await note.click();
  await note.pressSequentially("@ada");
  const teammates = agent.getByRole("listbox", { name: "Teammates" });
  await expect(teammates.getByRole("option").first()).toContainText("Adam Admin");
  await note.press("Enter");
  await expect(note).toHaveValue("@Adam Admin ");
  await note.pressSequentially("can we refund this one?");
  await note.press("Enter");
  await expect(note).toHaveValue("");
  await expect(
    thread(agent, customer.name).getByText("@Adam Admin can we refund this one?", { exact: false }),
  ).toBeVisible();

  // The admin gets a toast saying who mentioned them, with the note; "Open" goes to the conversation.
  const toast = admin.locator("[data-sonner-toast]").filter({ hasText: "Alex Agent mentioned you in a note" });
  await expect(toast).toBeVisible({ timeout: 30_000 });
  await expect(toast).toContainText("can we refund this one?");
  await toast.getByRole("button", { name: "Open" }).click();
  await expect(admin.getByRole("heading", { name: customer.name, level: 2 })).toBeVisible();

  // Opening it read the mention: none is left unread.
  await expect
    .poll(async () => {
      const res = await admin.request.get("/api/v1/notifications");
      return ((await res.json()) as { unreadCount: number }).unreadCount;
    })
    .toBe(0);

  await adminContext.close();
  await agentContext.close();
});
