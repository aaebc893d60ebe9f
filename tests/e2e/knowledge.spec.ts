import path from "node:path";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";
import { row, thread, threadHeading } from "./support/inbox.ts";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");

/** A real PDF with a text layer, printed by the test's own Chromium. */
async function makePdf(browser: Browser, title: string, body: string): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    await page.setContent(
      `<html><head><title>${title}</title></head><body style="font-family: sans-serif; font-size: 14px; margin: 40px">${body}</body></html>`,
    );
    return await page.pdf({ format: "A5" });
  } finally {
    await page.close();
  }
}

/** The page does not scroll sideways: usable on a phone. */
async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document;
    return root.documentElement.scrollWidth - (globalThis as unknown as { innerWidth: number }).innerWidth;
  });
  expect(overflow, "the page scrolls sideways").toBeLessThanOrEqual(0);
}

async function createSource(page: Page, name: string, type: "Documents" | "FAQ") {
  await page.goto("/knowledge");
  await page.getByRole("button", { name: "New source" }).click();
  const dialog = page.getByRole("dialog", { name: "New knowledge source" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("radio", { name: new RegExp(`^${type}`) }).check();
  await dialog.getByRole("button", { name: "Create source" }).click();
  await expect(page).toHaveURL(/\/knowledge\/sources\/[^/]+$/);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  return new URL(page.url()).pathname;
}

test("the owner uploads a PDF and an FAQ CSV, tests retrieval, and the inbox shows the answer's sources", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const token = Date.now().toString(36);
  const title = `quillmoor-returns-${token}`;
  const pdf = await makePdf(
    browser,
    title,
    // Short lines: no sentence wraps, so the extracted text keeps each one whole.
    `<h1>Quillmoor kettle returns</h1>
     <h2>Return window</h2>
     <p>Quillmoor kettles can be returned within 45 days.</p>
     <p>Refunds go back to the original card.</p>
     <h2>Repairs</h2>
     <p>Quillmoor repairs take ten working days.</p>`,
  );

  await signIn(page, "owner@demo.local");
  await mainNavigation(page).getByRole("link", { name: "Knowledge", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Knowledge", level: 1 })).toBeVisible();

  // A documents source, shared by every chatbot; the PDF and a fake "PDF" the server refuses by content.
  const documentsPath = await createSource(page, `Kettle handbook ${token}`, "Documents");
  await page.getByLabel("Category (optional)").fill("returns");
  await page.getByLabel("Files to upload").setInputFiles([
    { name: `${title}.pdf`, mimeType: "application/pdf", buffer: pdf },
    { name: "not-really.pdf", mimeType: "application/pdf", buffer: Buffer.from("just some words, not a PDF") },
  ]);
  const uploads = page.getByRole("list", { name: "Uploads" });
  await expect(uploads.getByTestId("upload-row").filter({ hasText: `${title}.pdf` })).toHaveAttribute(
    "data-state",
    "uploaded",
  );
  // The server's own message for a refused file is shown on its row.
  const refused = uploads.getByTestId("upload-row").filter({ hasText: "not-really.pdf" });
  await expect(refused).toHaveAttribute("data-state", "failed");
  await expect(refused.locator("p").nth(1)).not.toHaveText(/failed$/);

  // The document becomes ready live (knowledge:updated), with its passages.
  const documents = page.getByRole("list", { name: "Documents" });
  const document = documents.getByTestId("knowledge-document").filter({ hasText: title });
  await expect(document.getByTestId("knowledge-status")).toHaveAttribute("data-status", "ready", { timeout: 90_000 });
  await expect(document).toContainText("Category: returns");
  await expect(page.getByTestId("knowledge-status").first()).toHaveAttribute("data-status", "ready");
  await document.getByRole("link", { name: new RegExp(title) }).click();
  await expect(page).toHaveURL(/\/knowledge\/documents\/[^/]+$/);
  const chunks = page.getByRole("list", { name: "Passages" });
  await expect(chunks).toContainText("returned within 45 days");
  await expect(chunks.getByTestId("knowledge-chunk").first()).toContainText("tokens");
  await page.screenshot({ path: path.join(SCREENSHOTS, "knowledge-document.png"), fullPage: true });

  // An FAQ source from a CSV with one bad line: the good lines come in, the bad one is named.
  await createSource(page, `Kettle FAQ ${token}`, "FAQ");
  const csv = [
    "question,answer,category,tags",
    `Is there a warranty on the Quillmoor kettle ${token}?,Every Quillmoor kettle has a 3 year warranty.,warranty,kettle;warranty`,
    "Do you ship Quillmoor kettles abroad?,Yes: we ship to 30 countries.,shipping,",
    ",An answer without its question,,",
  ].join("\n");
  await page.getByLabel("CSV file").setInputFiles({ name: "faq.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const result = page.getByTestId("faq-import-result");
  await expect(result).toContainText("Imported 2 entries");
  await expect(result.getByRole("list", { name: "Lines with problems" })).toContainText("Line 4:");
  const entries = page.getByRole("list", { name: "FAQ entries" });
  await expect(entries.getByTestId("faq-entry")).toHaveCount(2);
  for (const status of await entries.getByTestId("knowledge-status").all()) {
    await expect(status).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
  }
  await expect(page.getByRole("link", { name: "Export CSV" })).toHaveAttribute("href", /\/faq\/export$/);

  // The sources list: both ready, with their counts.
  await page.goto("/knowledge");
  const handbook = page.getByTestId("knowledge-source").filter({ hasText: `Kettle handbook ${token}` });
  await expect(handbook.getByTestId("knowledge-status")).toHaveAttribute("data-status", "ready");
  await expect(handbook).toContainText("Shared by every chatbot");
  await expect(handbook).toContainText("1 document");

  // Retrieval testing on the default chatbot: the PDF's passage ranks first, with why.
  await mainNavigation(page).getByRole("link", { name: "Chatbots", exact: true }).click();
  await page.getByRole("link", { name: "Demo Assistant" }).first().click();
  await expect(page.getByRole("heading", { name: "Demo Assistant", level: 1 })).toBeVisible();
  await page.getByRole("tab", { name: "Knowledge" }).click();
  await expect(page).toHaveURL(/\?tab=knowledge$/);
  await expect(page.getByTestId("embedding-status")).toBeVisible();
  await page.getByLabel("Question").fill("How many days do I have to return a Quillmoor kettle?");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  const results = page.getByTestId("retrieval-results");
  await expect(results.getByTestId("retrieval-mode")).toBeVisible();
  const first = results.getByTestId("retrieval-result").first();
  await expect(first).toContainText(title);
  await expect(first).toContainText("returned within 45 days");
  await expect(first).toContainText("Full text");
  await expect(first).toContainText("Fused (RRF)");
  await results.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SCREENSHOTS, "knowledge-retrieval-testing.png") });

  // A customer on the simulated Messenger asks; the bot answers from the PDF.
  await mainNavigation(page).getByRole("link", { name: "Simulator", exact: true }).click();
  const customer = `Kanya ${token}`;
  await page.getByLabel("New customer").fill(customer);
  await page.getByRole("button", { name: "Add customer" }).click();
  const chat = page.getByRole("region", { name: `Messenger chat of ${customer}` });
  await chat.getByLabel(`Message as ${customer}`).fill("How many days do I have to return a Quillmoor kettle?");
  await chat.getByRole("button", { name: "Send", exact: true }).click();
  await expect(chat.getByRole("log", { name: "Messenger thread" }).getByText(/45 days/)).toBeVisible({
    timeout: 60_000,
  });

  // An agent sees the bot's answer in the inbox with its sources, which open to the document's name.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, "agent@demo.local");
  await row(agent, customer).click();
  await expect(threadHeading(agent, customer)).toBeVisible();
  const messages = thread(agent, customer);
  const answer = messages.locator('[data-role="BOT"]').filter({ hasText: "45 days" }).last();
  await expect(answer).toBeVisible();
  const toggle = answer.getByRole("button", { name: /^Sources \(\d+\)$/ });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await toggle.focus();
  await agent.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  const list = answer.getByRole("list", { name: "Sources of this answer" });
  await expect(list).toContainText(title);
  await expect(list).toContainText("45 days");
  await agent.screenshot({ path: path.join(SCREENSHOTS, "inbox-message-sources.png") });

  // The agent reads the knowledge base but changes nothing.
  await agent.goto("/knowledge");
  await expect(agent.getByRole("heading", { name: "Knowledge", level: 1 })).toBeVisible();
  await expect(agent.getByTestId("knowledge-source").filter({ hasText: `Kettle handbook ${token}` })).toBeVisible();
  await expect(agent.getByRole("button", { name: "New source" })).toHaveCount(0);
  await agent.goto(documentsPath);
  await expect(agent.getByText("Read-only")).toBeVisible();
  await expect(agent.getByRole("list", { name: "Documents" }).getByTestId("knowledge-document")).toHaveCount(1);
  await expect(agent.getByLabel("Files to upload")).toHaveCount(0);
  await expect(agent.getByRole("button", { name: /^(Edit|Delete|Re-ingest)/ })).toHaveCount(0);
  await expect(agent.getByRole("button", { name: "Save settings" })).toHaveCount(0);
  await expect(agent.getByRole("button", { name: "Delete source" })).toHaveCount(0);
  await agentContext.close();

  // The same pages on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const pathname of ["/knowledge", documentsPath]) {
    await page.goto(pathname);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByTestId("knowledge-status").first()).toBeVisible();
    await expectNoSidewaysScroll(page);
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, "knowledge-source-390.png"), fullPage: true });
});

test("an agent sees a chatbot's knowledge settings read-only, without retrieval testing", async ({ page }) => {
  await signIn(page, "agent@demo.local");
  await mainNavigation(page).getByRole("link", { name: "Chatbots", exact: true }).click();
  await page.getByRole("link", { name: "Demo Assistant" }).first().click();
  await page.getByRole("tab", { name: "Knowledge" }).click();
  await expect(page.getByRole("heading", { name: "What it searches" })).toBeVisible();
  await expect(page.getByLabel("Similarity threshold")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save knowledge settings" })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Retrieval testing" })).toHaveCount(0);
});
