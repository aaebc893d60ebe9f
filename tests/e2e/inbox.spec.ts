import { mkdirSync } from "node:fs";
import path from "node:path";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { signIn } from "./support/auth.ts";
import { type Customer, composer, conversationList, customerSays, newCustomer, row, thread } from "./support/inbox.ts";
import { png } from "./support/png.ts";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");
// Answers of the demo FAQ (packages/core/src/demo/seed-demo.ts), given by the offline bot.
const RETURN_POLICY_ANSWER = /return unused items within 30 days of delivery/;
const INTERNATIONAL_ANSWER = /we ship to over 40 countries/;

// The smallest laptop the inbox is designed for.
test.use({ viewport: { width: 1280, height: 800 } });

/** What the Page sent to this customer through the (simulated) Send API. */
async function sentTo(request: APIRequestContext, psid: string): Promise<string[]> {
  const res = await request.get("/_simulator/_control/graph/outbox");
  const body = (await res.json()) as { data: { kind: string; recipientId: string; message?: { text?: string } }[] };
  return body.data.filter((r) => r.kind === "message" && r.recipientId === psid).map((r) => r.message?.text ?? "");
}

const autoBot = (page: Page) => page.getByRole("switch", { name: "Auto-bot" });

/** Opens the customer's conversation from the list and returns its id (from the URL). */
async function open(page: Page, customer: Customer): Promise<string> {
  await row(page, customer.name).click();
  await expect(page).toHaveURL(/[?&]c=/);
  await expect(page.getByRole("heading", { name: customer.name, level: 2 })).toBeVisible();
  return new URL(page.url()).searchParams.get("c") ?? "";
}

test("live messages, a manual reply, reply as bot, auto-bot, and a customer asking for a human", async ({
  page,
  request,
}) => {
  const customer = newCustomer("Lena Fischer");
  await signIn(page, "owner@demo.local");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();

  // A new customer writes: the conversation appears in the list without a reload, with its unread count.
  await customerSays(request, customer, "Hello, I have a question about my order");
  await expect(row(page, customer.name)).toBeVisible({ timeout: 30_000 });
  // The row's name says what the row shows: channel, unread count, who answers, when, and the latest message.
  await expect(row(page, customer.name)).toHaveAccessibleName(
    new RegExp(`^${customer.name}, Facebook Messenger, 1 unread, (bot answers|human answers), [^:]+: `),
  );
  // They just wrote: the row marks them as active now.
  await expect(row(page, customer.name).getByRole("img", { name: "Active now" })).toBeVisible();
  await open(page, customer);
  await expect(page.getByTestId("contact-last-seen")).toHaveText("Active now");
  const messages = thread(page, customer.name);
  await expect(messages.getByText("Hello, I have a question about my order")).toBeVisible();
  // Opening the conversation reads it.
  await expect(row(page, customer.name)).not.toHaveAccessibleName(/unread/);

  // The agent replies with Enter; the simulator's Send API receives it, and a person replying pauses
  // auto-bot (whatever the bot did with the first message).
  await composer(page).fill("Hi! I'm looking into it right now.");
  await composer(page).press("Enter");
  await expect(composer(page)).toHaveValue("");
  const reply = messages.locator('[data-role="AGENT"]').filter({ hasText: "I'm looking into it right now." });
  await expect(reply).toBeVisible();
  await expect
    .poll(() => sentTo(request, customer.psid), { timeout: 30_000 })
    .toContain("Hi! I'm looking into it right now.");
  await expect(reply.getByTestId("delivery-status")).toHaveText(/Sent|Delivered|Read/, { timeout: 30_000 });
  await expect(autoBot(page)).not.toBeChecked();
  // The customer's Messenger reports the reply delivered, then read: the marks tick without a reload.
  expect((await request.post("/_simulator/customer/messenger/delivery", { data: { psid: customer.psid } })).ok()).toBe(
    true,
  );
  await expect(reply.getByTestId("delivery-status")).toHaveText(/Delivered|Read/, { timeout: 30_000 });
  expect((await request.post("/_simulator/customer/messenger/read", { data: { psid: customer.psid } })).ok()).toBe(
    true,
  );
  await expect(reply.getByTestId("delivery-status")).toHaveText("Read", { timeout: 30_000 });

  // A second message arrives in the open thread without a reload.
  await customerSays(request, customer, "What is your return policy?");
  await expect(messages.getByText("What is your return policy?")).toBeVisible({ timeout: 30_000 });

  // "Draft with AI" fills the composer with an editable draft; nothing is sent.
  await page.getByRole("button", { name: "Draft with AI" }).click();
  await expect(composer(page)).toHaveValue(RETURN_POLICY_ANSWER, { timeout: 30_000 });
  await expect(composer(page)).toBeFocused();
  expect(await sentTo(request, customer.psid)).not.toContainEqual(expect.stringMatching(RETURN_POLICY_ANSWER));
  await composer(page).fill("");

  // "Reply as bot" for this one reply: the bot's bubble appears.
  await page.getByRole("switch", { name: "Reply as bot" }).click();
  await page.getByRole("button", { name: "Ask the bot" }).click();
  const botReply = messages.locator('[data-role="BOT"]').filter({ hasText: RETURN_POLICY_ANSWER });
  await expect(botReply).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("switch", { name: "Reply as bot" })).not.toBeChecked();
  await expect
    .poll(() => sentTo(request, customer.psid), { timeout: 30_000 })
    .toContainEqual(expect.stringMatching(RETURN_POLICY_ANSWER));

  // Auto-bot on: the next customer message is answered by the bot on its own.
  await autoBot(page).click();
  await expect(autoBot(page)).toBeChecked();
  await customerSays(request, customer, "Do you ship internationally?");
  await expect(messages.getByText("Do you ship internationally?")).toBeVisible({ timeout: 30_000 });
  await expect(messages.locator('[data-role="BOT"]').filter({ hasText: INTERNATIONAL_ANSWER })).toBeVisible({
    timeout: 30_000,
  });

  mkdirSync(SCREENSHOTS, { recursive: true });
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 10_000 });
  await page.screenshot({ path: path.join(SCREENSHOTS, "inbox.png") });

  // The customer asks for a person: auto-bot turns off by itself, and the conversation says a human is needed.
  await customerSays(request, customer, "I want to talk to a human");
  await expect(autoBot(page)).not.toBeChecked({ timeout: 30_000 });
  await expect(row(page, customer.name)).toContainText("Needs human");
  await expect(messages.locator('[data-role="SYSTEM"]').last()).toBeVisible();
});

test("a handoff closes the loop: the customer is told, the queue shows the wait, a reply or closing clears it", async ({
  page,
  request,
}) => {
  const waiting = newCustomer("Priya Nair");
  const closing = newCustomer("Tomás Ruiz");
  await signIn(page, "owner@demo.local");

  await customerSays(request, waiting, "Can I talk to a person please?");
  // The customer is not left in silence: the bot says a person will reply (the built-in English message).
  await expect
    .poll(async () => (await sentTo(request, waiting.psid)).join("\n"), { timeout: 30_000 })
    .toMatch(/asked a member of our team to help/);
  // The queue shows that they wait for a person, and for how long.
  await expect(row(page, waiting.name)).toContainText("Needs human", { timeout: 30_000 });
  await expect(row(page, waiting.name).getByTestId("needs-human")).toContainText("under a minute");
  await expect(row(page, waiting.name)).toHaveAccessibleName(/needs a human, waiting under a minute/);
  await open(page, waiting);
  const messages = thread(page, waiting.name);
  await expect(messages.locator('[data-role="BOT"]').filter({ hasText: "asked a member of our team" })).toBeVisible();

  // An agent's reply answers it: the conversation no longer waits for a person (and the bot stays off).
  await composer(page).fill("Hi Priya, I'm here. How can I help?");
  await composer(page).press("Enter");
  await expect(row(page, waiting.name)).not.toContainText("Needs human", { timeout: 30_000 });
  await expect(row(page, waiting.name)).toContainText("Human");
  await expect(autoBot(page)).not.toBeChecked();

  // Closing answers it too.
  await customerSays(request, closing, "I need a human");
  await expect(row(page, closing.name)).toContainText("Needs human", { timeout: 30_000 });
  const id = await open(page, closing);
  await page.getByRole("button", { name: "Close", exact: true }).click();
  await expect(page.getByRole("button", { name: "Reopen" })).toBeVisible();
  await expect
    .poll(
      async () =>
        ((await (await page.request.get(`/api/v1/conversations/${id}`)).json()) as { needsHuman: boolean }).needsHuman,
    )
    .toBe(false);
});

test("switching conversations shows only the open customer's thread, notes included", async ({ page, request }) => {
  const first = newCustomer("Hana Kim");
  const second = newCustomer("Omar Aziz");
  await customerSays(request, first, "Where is order 1001?");
  await customerSays(request, second, "Do you sell gift cards?");
  await signIn(page, "owner@demo.local");
  await expect(row(page, first.name)).toBeVisible({ timeout: 30_000 });
  await expect(row(page, second.name)).toBeVisible({ timeout: 30_000 });

  // An internal note on the first customer's conversation: it must never show beside anyone else's.
  await open(page, first);
  await page.getByRole("button", { name: "Internal note", exact: true }).click();
  await page.getByRole("textbox", { name: "Internal note" }).fill("VIP: refund approved by Sam");
  await page.getByRole("textbox", { name: "Internal note" }).press("Enter");
  await expect(thread(page, first.name).locator('[data-kind="note"]')).toContainText("VIP: refund approved by Sam");

  // Back and forth a few times: each switch shows one thread, the open customer's, and one composer.
  for (const [shown, hidden, said] of [
    [second, first, "Do you sell gift cards?"],
    [first, second, "Where is order 1001?"],
    [second, first, "Do you sell gift cards?"],
  ] as const) {
    await open(page, shown);
    await expect(page.getByRole("log")).toHaveCount(1);
    await expect(thread(page, shown.name).getByText(said)).toBeVisible();
    await expect(thread(page, hidden.name)).toHaveCount(0);
    const hiddenText = hidden === first ? "Where is order 1001?" : "Do you sell gift cards?";
    await expect(page.getByRole("log").getByText(hiddenText)).toHaveCount(0);
    await expect(page.getByRole("textbox", { name: /^(Reply|Internal note)$/ })).toHaveCount(1);
  }
  await expect(page.getByRole("log").getByText("VIP: refund approved by Sam")).toHaveCount(0);

  // What the agent types now goes to the customer on screen, and only to them.
  await page.getByRole("button", { name: "Reply", exact: true }).click();
  await composer(page).fill("Yes, from 10 to 200 euros.");
  await composer(page).press("Enter");
  await expect.poll(() => sentTo(request, second.psid), { timeout: 30_000 }).toContain("Yes, from 10 to 200 euros.");
  expect(await sentTo(request, first.psid)).not.toContain("Yes, from 10 to 200 euros.");
});

test("search finds a Thai word inside a message and words without their accents, highlighted; a result opens at its message", async ({
  page,
  request,
}) => {
  const customer = newCustomer("Zoë Dupont");
  await customerSays(request, customer, "ขอคุยกับพนักงานเรื่องพัสดุค่ะ");
  await customerSays(request, customer, "The café order never arrived");
  for (let i = 1; i <= 4; i++) await customerSays(request, customer, `Follow-up number ${i}`);
  await signIn(page, "owner@demo.local");
  await expect(row(page, customer.name)).toBeVisible({ timeout: 30_000 });
  const search = page.getByRole("searchbox");

  // A Thai word inside a longer message: the row shows that message with the word marked.
  await search.fill("พนักงาน");
  const hit = row(page, customer.name);
  await expect(hit.getByTestId("search-match")).toContainText("ขอคุยกับพนักงานเรื่องพัสดุค่ะ", { timeout: 15_000 });
  await expect(hit.locator("mark")).toHaveText("พนักงาน");

  // Opening the result shows the thread at that message, marked.
  await hit.click();
  await expect(page).toHaveURL(/[?&]m=msg_/);
  const found = thread(page, customer.name).locator("[data-search-hit]");
  await expect(found).toContainText("ขอคุยกับพนักงานเรื่องพัสดุค่ะ");
  await expect(found).toBeInViewport();

  // Accent-insensitive, both ways: "zoe" finds "Zoë", "CAFE" finds "café".
  await search.fill("zoe dupont");
  await expect(row(page, customer.name)).toBeVisible({ timeout: 15_000 });
  await search.fill("CAFE order");
  await expect(row(page, customer.name).locator("mark")).toHaveText(["café", "order"], { timeout: 15_000 });
});

test("bulk actions: select several conversations to tag, assign, mark unread and close at once", async ({
  page,
  request,
}) => {
  const customers = [newCustomer("Bulk Ada"), newCustomer("Bulk Ben"), newCustomer("Bulk Cy")];
  for (const customer of customers) await customerSays(request, customer, "Is my order shipped?");
  await signIn(page, "owner@demo.local");
  const [ada, ben, cy] = customers as [Customer, Customer, Customer];
  for (const customer of customers) await expect(row(page, customer.name)).toBeVisible({ timeout: 30_000 });

  // Opening a conversation reads it; the bulk "Mark unread" brings the count back.
  await row(page, cy.name).click();
  await expect(row(page, cy.name)).not.toHaveAccessibleName(/unread/);
  await page.getByRole("button", { name: "Select", exact: true }).click();
  await row(page, cy.name).click();
  await page.getByRole("button", { name: "Mark unread", exact: true }).click();
  await expect(page.getByText("Marked 1 conversation unread")).toBeVisible();
  await expect(row(page, cy.name)).toHaveAccessibleName(/1 unread/);

  await page.getByRole("button", { name: "Select", exact: true }).click();
  const toolbar = page.getByRole("toolbar", { name: "Bulk actions" });
  await expect(toolbar).toContainText("0 selected");
  // Clicking a row checks it instead of opening it.
  await row(page, ada.name).click();
  await row(page, ben.name).click();
  await expect(toolbar).toContainText("2 selected");
  await expect(row(page, ada.name)).toHaveAttribute("aria-selected", "true");
  await expect(row(page, cy.name)).toHaveAttribute("aria-selected", "false");

  await page.getByRole("button", { name: "Tag", exact: true }).click();
  await page.getByLabel("Tag to add").fill("Wholesale");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByText("Tagged 2 conversations “wholesale”")).toBeVisible();
  await expect(row(page, ada.name)).toContainText("wholesale");
  await expect(row(page, ben.name)).toContainText("wholesale");
  await expect(row(page, cy.name)).not.toContainText("wholesale");

  // Selection mode ended with the action; select again, assign, then mark unread and close.
  await page.getByRole("button", { name: "Select", exact: true }).click();
  await row(page, ada.name).click();
  await row(page, ben.name).click();
  await page.getByRole("button", { name: "Assign", exact: true }).click();
  await page.getByRole("menuitem", { name: "Adam Admin" }).click();
  await expect(page.getByText("Assigned 2 conversations to Adam Admin")).toBeVisible();

  await page.getByRole("button", { name: "Select", exact: true }).click();
  await row(page, ada.name).click();
  await row(page, ben.name).click();
  await page.getByRole("button", { name: "Close", exact: true }).click();
  await expect(page.getByText("Closed 2 conversations")).toBeVisible();
  await expect(row(page, ada.name)).toHaveCount(0);
  await expect(row(page, ben.name)).toHaveCount(0);
  await expect(row(page, cy.name)).toBeVisible();
  await page.getByRole("button", { name: "Closed", exact: true }).click();
  await expect(row(page, ada.name)).toBeVisible();
  await expect(row(page, ben.name)).toBeVisible();
});

test("assignment: Mine / Unassigned / All views with counts, replying assigns to me, the row shows who owns it", async ({
  page,
  request,
}) => {
  const customer = newCustomer("Ines Duarte");
  await customerSays(request, customer, "Can someone help me with an exchange?");
  await signIn(page, "owner@demo.local");
  const views = page.getByRole("group", { name: "View" });
  await expect(views.getByRole("button", { name: /^All \d+$/ })).toHaveAttribute("aria-pressed", "true");
  await views.getByRole("button", { name: /^Unassigned/ }).click();
  await expect(page).toHaveURL(/assignee=none/);
  await expect(row(page, customer.name)).toBeVisible({ timeout: 30_000 });
  await expect(row(page, customer.name).getByTestId("assignee-avatar")).toHaveCount(0);
  const mineBefore = Number(await page.getByTestId("view-count-mine").textContent());

  // Replying to an unassigned conversation makes it mine (the workspace's default).
  await open(page, customer);
  await composer(page).fill("Of course, I'll handle it.");
  await composer(page).press("Enter");
  await expect(row(page, customer.name).getByTestId("assignee-avatar")).toHaveText("OO");
  await expect(row(page, customer.name)).toHaveAccessibleName(/assigned to Olivia Owner/);
  await expect(page.getByTestId("view-count-mine")).toHaveText(String(mineBefore + 1));
  await views.getByRole("button", { name: /^Mine/ }).click();
  await expect(row(page, customer.name)).toBeVisible();

  // Turned off in Settings → Inbox settings: a reply leaves the next conversation unassigned.
  await page.goto("/settings/inbox");
  const assignOnReply = page.getByRole("switch", { name: "Assign on reply" });
  await expect(assignOnReply).toBeChecked();
  await assignOnReply.click();
  await expect(page.getByRole("status").filter({ hasText: "Inbox settings saved." })).toBeVisible();
  try {
    const second = newCustomer("Jonas Berg");
    await customerSays(request, second, "Hello?");
    await page.goto("/dashboard?assignee=none");
    await open(page, second);
    await composer(page).fill("Hi Jonas!");
    await composer(page).press("Enter");
    await expect(thread(page, second.name).getByText("Hi Jonas!")).toBeVisible();
    await page.reload();
    await expect(row(page, second.name)).toBeVisible();
    await expect(row(page, second.name).getByTestId("assignee-avatar")).toHaveCount(0);
  } finally {
    // The server is shared with the other tests: put the default back.
    await page.goto("/settings/inbox");
    await page.getByRole("switch", { name: "Assign on reply" }).click();
    await expect(page.getByRole("switch", { name: "Assign on reply" })).toBeChecked();
  }
});

test("round-robin assignment: a customer handed to a person is assigned to a member with the inbox open", async ({
  page,
  request,
}) => {
  await signIn(page, "owner@demo.local");
  await page.goto("/settings/inbox");
  const roundRobin = page.getByRole("switch", { name: "Round-robin assignment" });
  await expect(roundRobin).not.toBeChecked();
  await roundRobin.click();
  await expect(page.getByRole("status").filter({ hasText: "Inbox settings saved." })).toBeVisible();
  try {
    // The owner has the inbox open: online, so the handed-off conversation comes to them.
    await page.goto("/dashboard");
    await expect(conversationList(page)).toBeVisible();
    const customer = newCustomer("Mara Lind");
    await customerSays(request, customer, "I want to talk to a human please");
    await expect(row(page, customer.name)).toBeVisible({ timeout: 30_000 });
    await expect(row(page, customer.name).getByTestId("assignee-avatar")).toHaveText("OO", { timeout: 30_000 });
  } finally {
    await page.goto("/settings/inbox");
    await page.getByRole("switch", { name: "Round-robin assignment" }).click();
    await expect(page.getByRole("switch", { name: "Round-robin assignment" })).not.toBeChecked();
  }
});

test("contact details: an agent records e-mail, phone and attributes; the contacts page finds and opens them", async ({
  page,
  request,
}) => {
  const customer = newCustomer("Noor Haddad");
  await customerSays(request, customer, "Hi, I ordered a lamp last week");
  await signIn(page, "agent@demo.local");
  await expect(row(page, customer.name)).toBeVisible({ timeout: 30_000 });
  await open(page, customer);
  const panel = page.getByRole("complementary", { name: "Contact" });
  await panel.getByRole("button", { name: "Edit details" }).click();
  const form = panel.getByRole("form", { name: "Edit contact" });
  const email = `noor.${customer.psid}@example.com`;
  // A bad address is refused with the server's reason, and nothing is saved.
  await form.getByLabel("E-mail").fill("not-an-address");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByRole("alert")).toContainText("e-mail");
  await form.getByLabel("E-mail").fill(email);
  await form.getByLabel("Phone").fill("+971 50 123 4567");
  await form.getByRole("button", { name: "Add attribute" }).click();
  await form.getByLabel("Attribute 1 name").fill("plan");
  await form.getByLabel("Attribute 1 value").fill("gold");
  await form.getByRole("button", { name: "Save" }).click();
  const fields = panel.getByTestId("contact-fields");
  await expect(fields).toContainText(email);
  await expect(fields).toContainText("+971 50 123 4567");
  await expect(fields).toContainText("plangold");

  await page.getByRole("link", { name: "Contacts", exact: true }).click();
  await page.getByRole("searchbox", { name: "Search contacts" }).fill(email);
  const contacts = page.getByRole("list", { name: "Contacts" });
  await expect(contacts.getByRole("listitem")).toHaveCount(1);
  await expect(contacts).toContainText(customer.name);
  await contacts.getByRole("link", { name: `Open ${customer.name}'s conversation` }).click();
  await expect(page.getByRole("heading", { name: customer.name, level: 2 })).toBeVisible();
});

test("an image attachment keeps its own room in the thread, before and after it loads", async ({ page, request }) => {
  const customer = newCustomer("Priya Shah");
  // A real, large photo that arrives late, as over a slow connection: the thread is laid out first.
  const imageUrl = `https://images.example.test/parcel-${customer.psid}.png`;
  let release = () => {};
  const arrived = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(imageUrl, async (route) => {
    await arrived;
    await route.fulfill({ status: 200, contentType: "image/png", body: png(1200, 1600) });
  });
  await customerSays(request, customer, "My parcel arrived damaged");
  const sent = await request.post("/_simulator/customer/messenger/send", {
    data: { ...customer, attachmentUrl: imageUrl },
  });
  expect(sent.ok()).toBe(true);
  await customerSays(request, customer, "Can you send a replacement?");
  await signIn(page, "owner@demo.local");
  await expect(row(page, customer.name)).toBeVisible({ timeout: 30_000 });
  await open(page, customer);

  const messages = thread(page, customer.name);
  const image = messages.getByRole("img", { name: "Image from the conversation" });
  const next = messages.locator("[data-message-id]").filter({ hasText: "Can you send a replacement?" });
  await expect(next).toBeVisible();
  const noOverlap = async () => {
    const [a, b] = [await image.boundingBox(), await next.boundingBox()];
    expect(a && b, "both on screen").toBeTruthy();
    expect(a!.height).toBeGreaterThan(100);
    expect(a!.y + a!.height).toBeLessThanOrEqual(b!.y + 1);
  };
  await noOverlap();

  // Loaded, it is drawn whole, at its own proportions (taller than the placeholder's 4:3), and the
  // messages below it have moved down to make room.
  release();
  await expect
    .poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
    .toBe(1200);
  await expect
    .poll(async () => {
      const box = await image.boundingBox();
      return box ? Math.round((box.height / box.width) * 100) : 0;
    })
    .toBe(133);
  await noOverlap();
  // The message after the image stays readable: nothing is drawn over it (a trial click checks
  // that the message itself would receive the pointer, not something covering it).
  await next.click({ trial: true, timeout: 5_000 });
});

test("a failed send shows the platform's reason, and Retry sends it", async ({ page, request }) => {
  const customer = newCustomer("Tomás Ruiz");
  await signIn(page, "owner@demo.local");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  await customerSays(request, customer, "Can someone call me back?");
  await open(page, customer);
  const messages = thread(page, customer.name);
  await expect(messages.getByText("Can someone call me back?")).toBeVisible();

  // Facebook refuses the next message to this customer (a non-retryable error).
  const fault = await request.put(`/_simulator/_control/graph/faults/${customer.psid}`, {
    data: { kind: "user_unavailable" },
  });
  expect(fault.status()).toBe(204);

  await composer(page).fill("Sure, what is your number?");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const bubble = messages.locator('[data-role="AGENT"]').filter({ hasText: "Sure, what is your number?" });
  await expect(bubble).toHaveAttribute("data-status", "failed", { timeout: 30_000 });
  await expect(bubble.getByRole("alert")).toContainText("This person isn't available right now");
  expect(await sentTo(request, customer.psid)).not.toContain("Sure, what is your number?");

  // The fault was for one send: the retry goes through.
  await bubble.getByRole("button", { name: "Retry" }).click();
  await expect(bubble).toHaveAttribute("data-status", /sent|delivered|read/, { timeout: 30_000 });
  await expect(bubble.getByRole("alert")).toHaveCount(0);
  await expect.poll(() => sentTo(request, customer.psid), { timeout: 30_000 }).toContain("Sure, what is your number?");
});

test("the same conversation open in two browsers stays in sync", async ({ page, browser, request }) => {
  const customer = newCustomer("Aiko Tanaka");
  await signIn(page, "owner@demo.local");
  await customerSays(request, customer, "Is my parcel on its way?");
  const id = await open(page, customer);

  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const agent = await agentContext.newPage();
  await signIn(agent, "agent@demo.local");
  await agent.goto(`/dashboard?c=${id}`);
  await expect(agent.getByRole("heading", { name: customer.name, level: 2 })).toBeVisible();

  // Each sees the other online, and in this conversation: the collision warning.
  await expect(page.getByRole("button", { name: /^Online now: .*Alex Agent/ })).toBeVisible();
  await expect(agent.getByRole("button", { name: /^Online now: .*Olivia Owner/ })).toBeVisible();
  await expect(page.getByTestId("collision-notice")).toHaveText("Alex Agent is also viewing this conversation");
  await expect(agent.getByTestId("collision-notice")).toHaveText("Olivia Owner is also viewing this conversation");
  // The agent types: the owner is warned; sending (or clearing) ends it.
  await composer(agent).fill("Let me look");
  await composer(agent).press("End");
  await composer(agent).pressSequentially(" at it");
  await expect(page.getByTestId("collision-notice")).toHaveText("Alex Agent is typing a reply here…");
  await composer(agent).fill("");
  await expect(page.getByTestId("collision-notice")).toHaveText("Alex Agent is also viewing this conversation");

  // The agent switches auto-bot; the owner's switch follows at once.
  const ownerSwitch = autoBot(page);
  const before = await ownerSwitch.isChecked();
  await autoBot(agent).click();
  await expect(ownerSwitch).toBeChecked({ checked: !before });

  // The agent takes the conversation; the owner sees the assignee change.
  await agent.getByRole("combobox", { name: "Assignee" }).click();
  await agent.getByRole("option", { name: /Alex Agent \(you\)/ }).click();
  await expect(page.getByRole("combobox", { name: "Assignee" })).toHaveText(/Alex Agent/);

  // The owner writes an internal note and a reply; both appear in the agent's thread.
  await page.getByRole("button", { name: "Internal note", exact: true }).click();
  await page.getByRole("textbox", { name: "Internal note" }).fill("Parcel is at the depot, checking with the courier.");
  await page.getByRole("textbox", { name: "Internal note" }).press("Enter");
  const agentThread = thread(agent, customer.name);
  await expect(agentThread.locator('[data-kind="note"]')).toContainText("Parcel is at the depot");
  await page.getByRole("button", { name: "Reply", exact: true }).click();
  await composer(page).fill("It left the depot this morning.");
  await composer(page).press("Enter");
  await expect(agentThread.getByText("It left the depot this morning.")).toBeVisible();

  // A new customer message shows in both threads.
  await customerSays(request, customer, "Great, thank you!");
  await expect(thread(page, customer.name).getByText("Great, thank you!")).toBeVisible({ timeout: 30_000 });
  await expect(agentThread.getByText("Great, thank you!")).toBeVisible({ timeout: 30_000 });

  // The owner closes the conversation; the agent's toolbar offers to reopen it.
  await page.getByRole("button", { name: "Close", exact: true }).click();
  await expect(agent.getByRole("button", { name: "Reopen" })).toBeVisible();
  await agentContext.close();
});

test("after a dropped connection the inbox catches up with what it missed", async ({ page, context, request }) => {
  const customer = newCustomer("Jonas Berg");
  await signIn(page, "owner@demo.local");
  await customerSays(request, customer, "Are you open on Sunday?");
  await open(page, customer);
  const live = page.getByRole("status").filter({ hasText: /^(Live|Connecting…|Reconnecting…)$/ });
  await expect(live).toHaveText("Live");

  await context.setOffline(true);
  await expect(live).toHaveText("Reconnecting…");
  // Said while this browser is offline: no socket event reaches it.
  await customerSays(request, customer, "Hello? Anyone?");
  await context.setOffline(false);
  await expect(live).toHaveText("Live", { timeout: 30_000 });
  await expect(thread(page, customer.name).getByText("Hello? Anyone?")).toBeVisible();
});

test("outside Messenger's messaging window the composer says why instead of sending", async ({ page, request }) => {
  const customer = newCustomer("Mateo Silva");
  await customerSays(request, customer, "Thanks for the help!");
  const DAY = 24 * 60 * 60_000;

  // Two days after the customer's last message (the browser's clock): a person may answer, the bot may not.
  await page.clock.setFixedTime(Date.now() + 2 * DAY);
  await signIn(page, "owner@demo.local");
  const id = await open(page, customer);
  await expect(page.getByRole("button", { name: "Send", exact: true })).toBeDisabled();
  await composer(page).fill("Following up on your order");
  await expect(page.getByRole("button", { name: "Send", exact: true })).toBeEnabled();
  await page.getByRole("switch", { name: "Reply as bot" }).click();
  await expect(page.getByText(/The bot may answer only within 24 hours/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Ask the bot" })).toBeDisabled();

  // Eight days after: nobody may answer until the customer writes again.
  await page.clock.setFixedTime(Date.now() + 8 * DAY);
  await page.goto(`/dashboard?c=${id}`);
  await expect(page.getByText(/more than 7 days old: no reply is allowed/)).toBeVisible();
  await composer(page).fill("Are you still there?");
  await expect(page.getByRole("button", { name: "Send", exact: true })).toBeDisabled();
  await composer(page).press("Enter");
  await expect(composer(page)).toHaveValue("Are you still there?");
});

test("the arrow keys move a cursor without opening, Enter opens; the filters survive a reload", async ({
  page,
  request,
}) => {
  // Two unread conversations at the top of Open, in either order (the bot may answer one after the other).
  const customers = [newCustomer("Noor Haddad"), newCustomer("Ravi Menon")];
  for (const customer of customers) await customerSays(request, customer, "Hi there");
  await signIn(page, "owner@demo.local");
  const list = conversationList(page);
  const unreadName = /, 1 unread, /;
  for (const customer of customers) await expect(row(page, customer.name)).toHaveAccessibleName(unreadName);

  // Focused, the list's cursor stands on the first row; the arrow keys move it and open nothing:
  // no conversation in the URL, no thread, the unread counts stay.
  await list.focus();
  const cursor = list.locator("[role=option][data-active]");
  await expect(cursor).toHaveAttribute("id", (await list.getByRole("option").first().getAttribute("id")) ?? "");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  await expect(list.getByRole("option").nth(1)).toHaveAttribute("data-active", "true");
  const rowId = (await cursor.getAttribute("id")) ?? "";
  await expect(list).toHaveAttribute("aria-activedescendant", rowId);
  const label = (await cursor.getAttribute("aria-label")) ?? "";
  const [chosen, other] = label.startsWith(customers[0]!.name) ? customers : [...customers].reverse();
  await expect(row(page, chosen!.name)).toHaveAttribute("id", rowId);
  await expect(list.getByRole("option", { selected: true })).toHaveCount(0);
  expect(new URL(page.url()).searchParams.has("c")).toBe(false);
  await expect(thread(page, chosen!.name)).toHaveCount(0);
  for (const customer of customers) await expect(row(page, customer.name)).toHaveAccessibleName(unreadName);

  // Enter opens the row under the cursor, which reads it; Enter again moves on to the composer.
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/[?&]c=conv_/);
  await expect(page.getByRole("heading", { name: chosen!.name, level: 2 })).toBeVisible();
  await expect(row(page, chosen!.name)).toHaveAttribute("aria-selected", "true");
  await expect(row(page, chosen!.name)).not.toHaveAccessibleName(/unread/);
  await expect(row(page, other!.name)).toHaveAccessibleName(unreadName);
  await page.keyboard.press("Enter");
  await expect(composer(page)).toBeFocused();

  // The filters are in the URL (defaults left out): a reload keeps them, and the open conversation.
  const unread = page.getByRole("button", { name: "Unread", exact: true });
  await unread.click();
  await expect(page).toHaveURL(/[?&]unread=1(&|$)/);
  await page.reload();
  await expect(unread).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("heading", { name: chosen!.name, level: 2 })).toBeVisible();
  await expect(row(page, other!.name)).toBeVisible();
  // Read now, so the server leaves it out of the unread list.
  await expect(row(page, chosen!.name)).toHaveCount(0);
  await unread.click();
  await expect(page).not.toHaveURL(/unread=/);

  const statusFilter = (name: string) => page.getByRole("group", { name: "Status" }).getByRole("button", { name });
  await statusFilter("Closed").click();
  await expect(list.getByRole("option", { name: /^Website visitor/ })).toBeVisible();
  await statusFilter("Snoozed").click();
  await expect(page).toHaveURL(/[?&]status=snoozed(&|$)/);
  await page.reload();
  await expect(statusFilter("Snoozed")).toHaveAttribute("aria-pressed", "true");
  await expect(list.getByRole("option", { name: /^Somchai Prasert/ })).toBeVisible();
});

test("snoozing puts a conversation under Snoozed until it wakes; a customer message wakes it at once", async ({
  page,
  request,
}) => {
  const customer = newCustomer("Ines Moreau");
  await customerSays(request, customer, "I'll come back to this later");
  await signIn(page, "owner@demo.local");
  await expect(row(page, customer.name)).toBeVisible({ timeout: 30_000 });
  await open(page, customer);

  // The thread's header, beside the customer's name, holds Snooze and Close.
  const header = page.locator("header").filter({ has: page.getByRole("heading", { name: customer.name, level: 2 }) });
  const statusFilter = (name: string) => page.getByRole("group", { name: "Status" }).getByRole("button", { name });
  await header.getByRole("button", { name: "Snooze", exact: true }).click();
  await page.getByRole("menuitem", { name: "For 4 hours" }).click();
  await expect(header.getByRole("button", { name: "Snoozed", exact: true })).toBeVisible();
  // The open conversation's row stays while you work on it; back in the inbox it is gone from Open,
  // and listed under Snoozed.
  await page.goto("/dashboard");
  await expect(statusFilter("Open")).toHaveAttribute("aria-pressed", "true");
  await expect(conversationList(page).getByRole("option").first()).toBeVisible();
  await expect(row(page, customer.name)).toHaveCount(0);
  await statusFilter("Snoozed").click();
  await expect(row(page, customer.name)).toBeVisible();

  // The customer writes again: the conversation wakes, live — it leaves Snoozed and is Open again.
  await customerSays(request, customer, "Actually, one more question");
  await expect(row(page, customer.name)).toHaveCount(0, { timeout: 30_000 });
  await statusFilter("Open").click();
  await expect(row(page, customer.name)).toBeVisible();
});

test("the composer counts near its limit and says when the channel splits a long reply", async ({ page, request }) => {
  const customer = newCustomer("Pia Kowalski");
  await customerSays(request, customer, "Can you send me the full care instructions?");
  await signIn(page, "owner@demo.local");
  await open(page, customer);
  const split = page.getByTestId("composer-split");
  const counter = page.getByTestId("composer-counter");

  await composer(page).fill("Short answer.");
  await expect(split).toHaveCount(0);
  await composer(page).fill("Wash cold, dry flat. ".repeat(220)); // 4,620 characters
  await expect(split).toHaveText(
    "Facebook Messenger takes 2,000 characters a message: this reply goes out as about 3 messages.",
  );
  await expect(counter).toHaveCount(0);
  await composer(page).fill("x".repeat(8_500));
  await expect(counter).toHaveText("8,500 / 10,000");
  // A note is never sent to the customer: nothing is split.
  await page.getByRole("button", { name: "Internal note", exact: true }).click();
  await page.getByRole("textbox", { name: "Internal note" }).fill("y".repeat(8_100));
  await expect(counter).toHaveText("8,100 / 10,000");
  await expect(split).toBeEmpty();
});
