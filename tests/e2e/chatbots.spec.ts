import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";

const FIXTURES = path.join(import.meta.dirname, "../fixtures/prompt-generation");
const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");

/** From Settings → AI provider to the default chatbot's page; resolves to its path. */
async function openDefaultChatbot(page: Page): Promise<string> {
  await mainNavigation(page).getByRole("link", { name: "AI provider", exact: true }).click();
  await page.getByRole("link", { name: "Prompt, history and playground" }).click();
  await expect(page).toHaveURL(/\/chatbots\/[^/?]+$/);
  await expect(page.getByRole("heading", { name: "Demo Assistant", level: 1 })).toBeVisible();
  return new URL(page.url()).pathname;
}

test("the owner writes a prompt, meets a colleague's save, generates one from a PDF, rolls back and tries the playground", async ({
  page,
  context,
}) => {
  test.setTimeout(180_000);
  await signIn(page, "owner@demo.local");
  const chatbotPath = await openDefaultChatbot(page);
  const token = Date.now().toString(36);

  // Prompt: the variables are listed, the preview fills in the brand and highlights the rest.
  await expect(page.getByTestId("prompt-variables")).toContainText("{brand_name}");
  const editor = page.getByRole("textbox", { name: "Prompt", exact: true });
  const written = `You are the assistant of {brand_name} (${token}).\nBe {tone}.\nUse only:\n{knowledge}`;
  await editor.fill(written);
  const preview = page.getByTestId("prompt-preview");
  await expect(preview).toContainText("You are the assistant of Demo Shop");
  await expect(preview.locator("mark", { hasText: "{knowledge}" })).toBeVisible();
  await page.getByLabel("Note (optional)").fill(`hand-written ${token}`);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText(/Saved as version \d+\. It is live from the next reply\./)).toBeVisible();

  // A colleague saves in another tab; this editor, still on the older version, is refused, not overwritten.
  const colleague = await context.newPage();
  await colleague.goto(chatbotPath);
  await colleague.getByRole("textbox", { name: "Prompt", exact: true }).fill(`${written}\nColleague's line ${token}.`);
  await colleague.getByRole("button", { name: "Save", exact: true }).click();
  await expect(colleague.getByText(/Saved as version \d+/)).toBeVisible();
  await colleague.close();

  await editor.fill(`${written}\nMy line ${token}.`);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const conflict = page.getByTestId("prompt-conflict");
  await expect(conflict).toContainText("Someone saved a newer version");
  await conflict.getByRole("button", { name: "Compare with mine" }).click();
  await expect(conflict.getByTestId("prompt-diff")).toContainText(`Colleague's line ${token}.`);
  await expect(conflict.getByTestId("prompt-diff")).toContainText(`My line ${token}.`);
  await conflict.getByRole("button", { name: "Reload their version" }).click();
  await expect(editor).toHaveValue(`${written}\nColleague's line ${token}.`);

  // Generate from a PDF through the offline provider, review the diff, apply the draft.
  await page.getByRole("button", { name: "Generate from files" }).click();
  const dialog = page.getByRole("dialog", { name: "Generate a prompt from files" });
  await expect(dialog).toContainText("Up to 10 files, 20 MB each");
  await dialog.getByLabel("Files").setInputFiles(path.join(FIXTURES, "spa-menu.pdf"));
  await expect(dialog.getByRole("list", { name: "Chosen files" })).toContainText("spa-menu.pdf");
  await dialog.getByLabel("What the chatbot is for (optional)").fill(`Answers guests of Lotus Spa ${token}`);
  await dialog.getByLabel("Tone (optional)").fill("warm and calm");
  await dialog.getByRole("button", { name: "Generate draft" }).click();
  const review = dialog.getByTestId("generation-review");
  await expect(review).toBeVisible({ timeout: 60_000 });
  await expect(dialog.getByTestId("generation-progress")).toContainText("spa-menu.pdf");
  await expect(review.getByTestId("prompt-diff")).toContainText(`Lotus Spa ${token}`);
  const draft = review.getByLabel("Draft");
  await expect(draft).toHaveValue(/## Role/);
  await page.screenshot({ path: path.join(SCREENSHOTS, "chatbot-generate-review.png") });
  await draft.fill(`${await draft.inputValue()}\nEdited after generation ${token}.`);
  await review.getByRole("button", { name: "Apply" }).click();
  await expect(dialog).toBeHidden();
  await expect(editor).toHaveValue(new RegExp(`Edited after generation ${token}\\.`));

  // History: the applied draft is live; roll back to the hand-written version.
  await page.getByRole("tab", { name: "History" }).click();
  await expect(page).toHaveURL(/\?tab=history$/);
  const history = page.getByTestId("prompt-history");
  const generated = history.getByRole("button").first();
  await expect(generated).toContainText("Generated from files");
  await expect(generated).toContainText("Live");
  await expect(generated).toContainText("spa-menu.pdf");
  const handWritten = history.getByRole("button").filter({ hasText: `hand-written ${token}` });
  await handWritten.click();
  await expect(page.getByTestId("prompt-diff")).toContainText(`Edited after generation ${token}.`);
  await page.getByRole("button", { name: "Roll back to this version" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Roll back" }).click();
  await expect(page.getByText(/Rolled back: version \d+ is live\./)).toBeVisible();
  const rollback = history.getByRole("button").first();
  await expect(rollback).toContainText("Rollback");
  await expect(rollback).toContainText("Live");
  await page.getByRole("tab", { name: "Prompt" }).click();
  await expect(editor).toHaveValue(written);

  // Playground: a temperature override, the answer streamed with its sources and figures.
  await page.getByRole("tab", { name: "Playground" }).click();
  await expect(page).toHaveURL(/\?tab=playground$/);
  await page.getByLabel("Temperature").fill("5");
  await page.getByLabel("Message").fill("How long does shipping take?");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("Temperature must be a number from 0 to 2.")).toBeVisible();
  await page.getByLabel("Temperature").fill("0.3");
  await page.getByRole("button", { name: "Send" }).click();
  const answer = page.getByTestId("playground-answer").first();
  await expect(answer).toContainText("Orders ship within 1 business day");
  await expect(answer.getByTestId("answer-facts")).toContainText("temperature 0.3");
  await expect(answer.getByTestId("answer-facts")).toContainText("first words after");
  await expect(answer.getByRole("list", { name: "Sources" })).toContainText("How long does shipping take?");
  await page.screenshot({ path: path.join(SCREENSHOTS, "chatbot-playground.png"), fullPage: true });

  // A new session starts over.
  await page.getByRole("button", { name: "New session" }).click();
  await expect(page.getByTestId("playground-answer")).toHaveCount(0);

  // Compare: two configurations side by side.
  await page.getByLabel("Compare two configurations").click();
  await page.getByLabel("Temperature").first().fill("0");
  await page.getByLabel("Temperature").nth(1).fill("1.5");
  await page.getByLabel("Question").fill("What are your opening hours?");
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await expect(page.getByTestId("compare-result-A")).toContainText("temperature 0 ");
  await expect(page.getByTestId("compare-result-B")).toContainText("temperature 1.5");
  await expect(page.getByTestId("compare-result-B")).toContainText("Monday to Friday");
  await page.getByRole("tab", { name: "History" }).click();
  await page.getByTestId("prompt-history").getByRole("button").nth(1).click();
  await expect(page.getByTestId("prompt-diff")).toBeVisible();
  await page.screenshot({ path: path.join(SCREENSHOTS, "chatbot-history.png"), fullPage: true });
});

interface LlmCall {
  seq: number;
  body: { model?: string; messages?: { role: string; content: string }[] };
}

async function llmCalls(page: Page, since = 0): Promise<LlmCall[]> {
  const res = await page.request.get(`/_simulator/_control/llm/calls?since=${since}`);
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { data: LlmCall[] }).data;
}

test("the owner creates a second chatbot, gives it a key, points the simulated Page at it, and a customer gets its answer", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const token = Date.now().toString(36);
  const name = `Spa bot ${token}`;
  await signIn(page, "owner@demo.local");
  await mainNavigation(page).getByRole("link", { name: "Chatbots", exact: true }).click();
  await expect(page).toHaveURL(/\/chatbots$/);
  const list = page.getByTestId("chatbot-list");
  await expect(list).toContainText("Demo Assistant");
  await expect(list).toContainText("Demo Shop (simulated Page)");

  // Create: a name is required, in plain words.
  await page.getByRole("button", { name: "New chatbot" }).click();
  const create = page.getByRole("dialog", { name: "New chatbot" });
  await create.getByRole("button", { name: "Create chatbot" }).click();
  await expect(create.getByText("Name: enter a name")).toBeVisible();
  await create.getByLabel("Name").fill(name);
  await create.getByRole("button", { name: "Create chatbot" }).click();
  await expect(page).toHaveURL(/\/chatbots\/[^/?]+\?tab=settings$/);
  const chatbotPath = new URL(page.url()).pathname;
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(page.getByTestId("chatbot-status")).toHaveText("Testing");

  // Settings: a bad temperature is refused in plain words; then active, on the simulated OpenAI-compatible LLM.
  await page.getByLabel("Temperature").fill("3");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Temperature must be between 0 and 2")).toBeVisible();
  await page.getByLabel("Temperature").fill("0.4");
  await page.getByLabel("Status").selectOption("active");
  await page.getByLabel("Provider").selectOption("OPENAI_COMPATIBLE");
  await page.getByLabel("Model").fill("llama3.3-70b-instruct");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Saved. The next reply uses these settings.")).toBeVisible();
  await page.screenshot({ path: path.join(SCREENSHOTS, "chatbot-settings.png"), fullPage: true });
  await expect(page.getByTestId("chatbot-status")).toHaveText("Active");

  // A Thai override: what Thai customers are told at a handoff, listed with the chatbot.
  await page.getByRole("button", { name: "Add a language" }).click();
  const language = page.getByRole("form", { name: "Language overrides" });
  await language.getByLabel("Language code").fill("th");
  await language.getByLabel("Handoff message").fill("รอสักครู่นะคะ เจ้าหน้าที่กำลังมา");
  await language.getByRole("button", { name: "Save language" }).click();
  await expect(page.getByRole("list", { name: "Languages" })).toContainText("handoff message");
  const saved = await (await page.request.get(`/api/v1${chatbotPath}`)).json();
  expect(saved.translations).toEqual([
    expect.objectContaining({ languageCode: "th", handoffMessage: "รอสักครู่นะคะ เจ้าหน้าที่กำลังมา" }),
  ]);

  // Its own prompt.
  await page.getByRole("tab", { name: "Prompt" }).click();
  await page
    .getByRole("textbox", { name: "Prompt", exact: true })
    .fill(`You are the spa bot ${token} of {brand_name}.`);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText(/Saved as version \d+/)).toBeVisible();

  // API key: generated after a confirmation, shown once.
  await page.getByRole("tab", { name: "API key" }).click();
  await expect(page.getByTestId("api-key-hint")).toHaveText("No key yet.");
  await page.getByRole("button", { name: "Generate key" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Generate key" }).click();
  const key = page.getByLabel("New API key");
  await expect(key).toHaveValue(/^ck_[A-Za-z0-9_-]{43}$/);
  const hint = (await key.inputValue()).slice(-8);
  await expect(page.getByTestId("api-key-hint")).toContainText(hint);

  // Settings → Channels: the simulated Page is answered by the new chatbot.
  await page.goto("/settings/channels");
  const select = page.getByLabel("Chatbot of Demo Shop (simulated Page)");
  await select.selectOption({ label: name });
  await expect(
    page.getByText(`Demo Shop (simulated Page) is answered by ${name} from its next conversation.`),
  ).toBeVisible();
  await page.goto(`${chatbotPath}?tab=channels`);
  await expect(page.getByTestId("chatbot-channels")).toContainText("Demo Shop (simulated Page)");
  await page.goto("/chatbots");
  await expect(page.getByTestId("chatbot-list")).toContainText(name);
  await page.screenshot({ path: path.join(SCREENSHOTS, "chatbots-list.png"), fullPage: true });

  // It cannot be deleted while it answers the Page: the reason names the channel.
  await page.goto(`${chatbotPath}?tab=settings`);
  await page.getByRole("button", { name: "Delete…" }).click();
  await page.getByRole("button", { name: "Delete chatbot" }).click();
  await expect(page.getByText(/still answers on .*Demo Shop \(simulated Page\)/)).toBeVisible();

  try {
    // A new customer on the simulated Page gets the new chatbot's answer, written with its prompt.
    const reply = `Spa bot answer ${token}: vouchers are valid for a year.`;
    const scripted = await page.request.post("/_simulator/_control/llm/replies", {
      data: { reply, match: `spa-${token}`, provider: "openai" },
    });
    expect(scripted.status()).toBe(204);
    const before = (await llmCalls(page)).at(-1)?.seq ?? 0;
    const customer = `Spa customer ${token}`;
    await page.goto("/simulator");
    await page.getByLabel("New customer").fill(customer);
    await page.getByRole("button", { name: "Add customer" }).click();
    const chat = page.getByRole("region", { name: `Messenger chat of ${customer}` });
    await chat.getByLabel(`Message as ${customer}`).fill(`Do you sell spa-${token} vouchers?`);
    await chat.getByRole("button", { name: "Send", exact: true }).click();
    await expect(chat.getByRole("log", { name: "Messenger thread" }).getByText(reply)).toBeVisible({ timeout: 30_000 });
    const calls = (await llmCalls(page, before)).filter((c) =>
      c.body.messages?.some((m) => m.content.includes(`spa-${token}`)),
    );
    expect(calls[0]?.body.messages?.[0]?.content).toContain(`You are the spa bot ${token} of`);
  } finally {
    // The Page goes back to the demo's chatbot for the other specs.
    await page.goto("/settings/channels");
    await page.getByLabel("Chatbot of Demo Shop (simulated Page)").selectOption({ label: "Demo Assistant" });
    await expect(page.getByText("Demo Shop (simulated Page) is answered by Demo Assistant")).toBeVisible();
  }

  // Serving nothing now, it can be deleted: gone from the list, its conversations kept.
  await page.goto(`${chatbotPath}?tab=settings`);
  await page.getByRole("button", { name: "Delete…" }).click();
  await page.getByRole("button", { name: "Delete chatbot" }).click();
  await expect(page).toHaveURL(/\/chatbots$/);
  await expect(page.getByTestId("chatbot-list")).toContainText("Demo Assistant");
  await expect(page.getByTestId("chatbot-list")).not.toContainText(name);
});

test("an agent sees the chatbots, their prompt, history, settings, key and health read-only", async ({
  page,
  browser,
}) => {
  // Two sign-ins and eight views: more than the default minute on a busy machine.
  test.setTimeout(120_000);
  // The agent has no AI provider link: find the chatbot's id as the owner first.
  const ownerContext = await browser.newContext();
  const ownerPage = await ownerContext.newPage();
  await signIn(ownerPage, "owner@demo.local");
  const chatbotPath = await openDefaultChatbot(ownerPage);
  await ownerContext.close();

  await signIn(page, "agent@demo.local");
  await page.goto(chatbotPath);
  await expect(page.getByText("Read-only")).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Prompt", exact: true })).toHaveAttribute("readonly", "");
  await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Generate from files" })).toHaveCount(0);
  await expect(page.getByRole("tab", { name: "Playground" })).toHaveCount(0);
  await page.getByRole("tab", { name: "History" }).click();
  await page.getByTestId("prompt-history").getByRole("button").last().click();
  await expect(page.getByRole("heading", { name: /^Version \d+$/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Roll back to this version" })).toHaveCount(0);
  await page.getByRole("tab", { name: "Settings" }).click();
  await expect(page.getByLabel("Name")).toBeDisabled();
  await expect(page.getByLabel("Temperature")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save settings" })).toHaveCount(0);
  await page.getByRole("tab", { name: "API key" }).click();
  await expect(page.getByTestId("api-key-hint")).toBeVisible();
  await expect(page.getByRole("button", { name: /Generate key|Regenerate key/ })).toHaveCount(0);
  // Health is every member's to read.
  await page.getByRole("tab", { name: "Health" }).click();
  await expect(page.getByTestId("chatbot-health-panel")).toContainText("AI provider");
  // The list too: no "New chatbot".
  await page.goto("/chatbots");
  await expect(page.getByTestId("chatbot-list")).toContainText("Demo Assistant");
  await expect(page.getByRole("button", { name: "New chatbot" })).toHaveCount(0);
  // The playground stays closed even by URL.
  await page.goto(`${chatbotPath}?tab=playground`);
  await expect(page.getByRole("tab", { name: "Prompt" })).toHaveAttribute("aria-selected", "true");
});

test("the chatbot pages fit a 390 px phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "owner@demo.local");
  const scrollWidth = () =>
    page.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
          .scrollWidth,
    );
  await page.goto("/chatbots");
  await expect(page.getByTestId("chatbot-list")).toBeVisible();
  expect(await scrollWidth(), "the list scrolls sideways").toBeLessThanOrEqual(390);
  await page.getByRole("link", { name: "Demo Assistant" }).click();
  await expect(page.getByTestId("prompt-variables")).toBeVisible();
  await page.screenshot({ path: path.join(SCREENSHOTS, "chatbot-prompt-390.png"), fullPage: true });
  for (const tab of ["Prompt", "History", "Playground", "Settings", "API key", "Channels", "Health"]) {
    const trigger = page.getByRole("tab", { name: tab });
    await trigger.scrollIntoViewIfNeeded();
    await trigger.click();
    await expect(trigger).toHaveAttribute("aria-selected", "true");
    expect(await scrollWidth(), `${tab} scrolls sideways`).toBeLessThanOrEqual(390);
  }

  // A product question on the demo store: the answer shows the card its reply would carry, and still fits.
  await page.getByRole("tab", { name: "Playground" }).click();
  await page.getByLabel("Message").fill("Do you have the linen shirt in M?");
  await page.getByRole("button", { name: "Send" }).click();
  const answer = page.getByTestId("playground-answer").first();
  await expect(answer).toContainText("Linen Shirt in M is in stock at ฿1,290.00");
  const productCard = answer.getByRole("list", { name: "Products recommended" }).getByTestId("product-card");
  await expect(productCard).toHaveCount(1);
  await expect(productCard).toContainText("Linen Shirt");
  await expect(productCard).toContainText("฿1,290.00");
  await expect(productCard.getByRole("link", { name: "View Linen Shirt (opens in a new tab)" })).toBeVisible();
  expect(await scrollWidth(), "the playground with a product card scrolls sideways").toBeLessThanOrEqual(390);
  await page.screenshot({ path: path.join(SCREENSHOTS, "chatbot-playground-product-390.png"), fullPage: true });
});
