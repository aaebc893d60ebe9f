import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { mainNavigation, signIn } from "./support/auth.ts";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");

interface LlmCall {
  seq: number;
  provider: string;
  path: string;
  body: { model?: string; messages?: { role: string; content: string }[] };
}

async function llmCalls(page: Page, since = 0): Promise<LlmCall[]> {
  const res = await page.request.get(`/_simulator/_control/llm/calls?since=${since}`);
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { data: LlmCall[] }).data;
}

/** The newest BOT message of the simulated customer's conversation, as the API reports it. */
async function latestBotMessage(page: Page, customer: string) {
  const list = await page.request.get(`/api/v1/conversations?search=${encodeURIComponent(customer)}`);
  if (!list.ok()) return null;
  const conversation = ((await list.json()) as { data: { id: string }[] }).data[0];
  if (!conversation) return null;
  const res = await page.request.get(`/api/v1/conversations/${conversation.id}/messages`);
  if (!res.ok()) return null;
  const messages = ((await res.json()) as { data: { role: string; text: string | null; provider: string | null }[] })
    .data;
  return messages.filter((m) => m.role === "BOT").at(-1) ?? null;
}

/** A new simulated Messenger customer writes `text`; resolves to their chat region. */
async function customerWrites(page: Page, customer: string, text: string) {
  await page.goto("/simulator");
  await page.getByLabel("New customer").fill(customer);
  await page.getByRole("button", { name: "Add customer" }).click();
  const chat = page.getByRole("region", { name: `Messenger chat of ${customer}` });
  await chat.getByLabel(`Message as ${customer}`).fill(text);
  await chat.getByRole("button", { name: "Send", exact: true }).click();
  return chat.getByRole("log", { name: "Messenger thread" });
}

test("the owner switches the bot to the simulated OpenAI-compatible LLM and back to offline", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "owner@demo.local");
  await mainNavigation(page).getByRole("link", { name: "AI provider", exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/provider$/);
  await expect(page.getByRole("heading", { name: "AI provider" })).toBeVisible();
  await expect(page.getByRole("radio", { name: /Offline/ })).toBeChecked();

  // The demo's OpenAI-compatible credential points at the in-process simulator: no key needed.
  await page.getByRole("radio", { name: /OpenAI-compatible server/ }).check();
  await expect(page.getByLabel("Base URL")).toHaveValue(/\/_simulator\/llm\/openai\/v1$/);
  await page.getByLabel("Model", { exact: true }).fill("llama3.3-70b-instruct");

  const before = (await llmCalls(page)).at(-1)?.seq ?? 0;
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText("Connected: llama3.3-70b-instruct answered in")).toBeVisible();
  const testCalls = await llmCalls(page, before);
  expect(testCalls).toHaveLength(1);
  expect(testCalls[0]).toMatchObject({ provider: "openai", path: "/v1/chat/completions" });

  await page.getByLabel("Temperature").fill("0.2");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Saved. The next reply is written by OpenAI-compatible server")).toBeVisible();
  await expect(page.getByRole("radio", { name: /OpenAI-compatible server/ })).toBeChecked();

  await page.setViewportSize({ width: 1280, height: 1900 });
  await page.screenshot({ path: path.join(SCREENSHOTS, "provider-settings.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });

  // The next customer message is answered by the simulated LLM (a scripted reply proves which one).
  const token = Date.now().toString(36);
  const reply = `Simulated LLM answer ${token}: our shop ships worldwide.`;
  const scripted = await page.request.post("/_simulator/_control/llm/replies", {
    data: { reply, match: `shipping-${token}`, provider: "openai" },
  });
  expect(scripted.status()).toBe(204);
  const llmCustomer = `LLM customer ${token}`;
  const thread = await customerWrites(page, llmCustomer, `Do you offer shipping-${token} to Chiang Mai?`);
  await expect(thread.getByText(reply)).toBeVisible({ timeout: 30_000 });
  await expect
    .poll(async () => (await latestBotMessage(page, llmCustomer))?.provider ?? "none", { timeout: 15_000 })
    .toBe("OPENAI_COMPATIBLE");
  const replyCalls = (await llmCalls(page, before)).filter((c) =>
    c.body.messages?.some((m) => m.content.includes(`shipping-${token}`)),
  );
  expect(replyCalls.length).toBeGreaterThanOrEqual(1);
  expect(replyCalls[0]?.body.model).toBe("llama3.3-70b-instruct");

  // Back to the offline provider: the FAQ answers again, with no call to the LLM.
  await page.goto("/settings/provider");
  await page.getByRole("radio", { name: /Offline/ }).check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Saved. The next reply is written by Offline (FAQ)")).toBeVisible();
  const settings = await (await page.request.get("/api/v1/settings/provider")).json();
  expect(settings).toMatchObject({ provider: "OFFLINE", model: "offline-faq" });

  const afterSwitch = (await llmCalls(page)).at(-1)?.seq ?? 0;
  const offlineCustomer = `Offline customer ${token}`;
  const offlineThread = await customerWrites(page, offlineCustomer, "What is your return policy?");
  await expect(offlineThread.getByText(/return unused items within 30 days/)).toBeVisible({ timeout: 30_000 });
  await expect
    .poll(async () => (await latestBotMessage(page, offlineCustomer))?.provider ?? "none", { timeout: 15_000 })
    .toBe("OFFLINE");
  expect(await llmCalls(page, afterSwitch)).toHaveLength(0);
});

test("the owner sets the bot's brand, a rule and its handover limit; they hold after a reload", async ({ page }) => {
  await signIn(page, "owner@demo.local");
  await page.goto("/settings/provider");
  const behaviour = page.getByRole("form", { name: "Bot behaviour" });
  // The demo chatbot's brand comes from the seed.
  await expect(behaviour.getByLabel("Brand name", { exact: true })).toHaveValue("Demo Shop");
  await behaviour.getByLabel("Brand name", { exact: true }).fill("Demo Shop Bangkok");
  await behaviour.getByLabel("Don't", { exact: true }).fill("Promise delivery dates\nDiscuss competitors");
  await behaviour.getByLabel("Bot replies in a row", { exact: true }).fill("5");
  await behaviour.getByRole("button", { name: "Save bot behaviour" }).click();
  await expect(page.getByText("Bot behaviour saved. The next reply follows it.")).toBeVisible();

  await page.reload();
  await expect(behaviour.getByLabel("Brand name", { exact: true })).toHaveValue("Demo Shop Bangkok");
  await expect(behaviour.getByLabel("Don't", { exact: true })).toHaveValue(
    "Promise delivery dates\nDiscuss competitors",
  );
  const saved = await (await page.request.get("/api/v1/settings/bot")).json();
  expect(saved).toMatchObject({
    promptVariables: { brandName: "Demo Shop Bangkok", dontList: ["Promise delivery dates", "Discuss competitors"] },
    guardrails: { maxConsecutiveBotReplies: 5 },
  });

  // A value out of range is refused with the reason, and nothing changes.
  await behaviour.getByLabel("Recent turns", { exact: true }).fill("0");
  await behaviour.getByRole("button", { name: "Save bot behaviour" }).click();
  await expect(behaviour.getByText(/greater than or equal to 1|>=1|at least 1/i)).toBeVisible();
  expect((await (await page.request.get("/api/v1/settings/bot")).json()).memory.lastNMessages).toBe(10);

  // Leave the demo as it was.
  await page.reload();
  await behaviour.getByLabel("Brand name", { exact: true }).fill("Demo Shop");
  await behaviour.getByLabel("Don't", { exact: true }).fill("");
  await behaviour.getByLabel("Bot replies in a row", { exact: true }).fill("3");
  await behaviour.getByRole("button", { name: "Save bot behaviour" }).click();
  await expect(page.getByText("Bot behaviour saved. The next reply follows it.")).toBeVisible();
});

test("an agent has no provider settings: no link, and the page says so", async ({ page }) => {
  await signIn(page, "agent@demo.local");
  await expect(mainNavigation(page).getByRole("link", { name: "AI provider", exact: true })).toHaveCount(0);
  await page.goto("/settings/provider");
  await expect(page.getByText("You don't have access to this page")).toBeVisible();
  await expect(page.getByLabel("API key")).toHaveCount(0);
  expect((await page.request.get("/api/v1/settings/provider")).status()).toBe(403);
});

test("the owner keeps named provider credentials: add one, test it, rename it, delete it", async ({ page }) => {
  const token = Date.now().toString(36);
  const name = `Local LLM ${token}`;
  await signIn(page, "owner@demo.local");
  await page.goto("/settings/provider");
  const section = page.getByRole("region", { name: "Provider credentials" });
  await section.getByRole("button", { name: "Add credential" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  await dialog.getByLabel("Provider", { exact: true }).click();
  await page.getByRole("option", { name: "OpenAI-compatible server" }).click();
  // Bad input is refused with the field's reason, and nothing is added.
  await dialog.getByLabel("Base URL", { exact: true }).fill("not a url");
  await dialog.getByRole("button", { name: "Add credential" }).click();
  await expect(dialog.getByText("must be an http:// or https:// URL")).toBeVisible();
  const origin = new URL(page.url()).origin;
  await dialog.getByLabel("Base URL", { exact: true }).fill(`${origin}/_simulator/llm/openai/v1`);
  await dialog.getByLabel("Default model", { exact: true }).fill("llama3.3-70b-instruct");
  await dialog.getByRole("button", { name: "Add credential" }).click();
  await expect(dialog).toHaveCount(0);

  const card = section.getByRole("listitem").filter({ hasText: name });
  await expect(card).toContainText("OpenAI-compatible server");
  await expect(card).toContainText("no chatbot");
  await card.getByRole("button", { name: "Test" }).click();
  await expect(card.getByRole("status")).toHaveText("Connection works.");

  await card.getByRole("button", { name: "Edit" }).click();
  await dialog.getByLabel("Name", { exact: true }).fill(`${name} (renamed)`);
  await dialog.getByRole("button", { name: "Save" }).click();
  const renamed = section.getByRole("listitem").filter({ hasText: `${name} (renamed)` });
  await expect(renamed).toBeVisible();

  await renamed.getByRole("button", { name: "Delete" }).click();
  await renamed.getByRole("button", { name: "Delete credential" }).click();
  await expect(section.getByRole("listitem").filter({ hasText: name })).toHaveCount(0);
  const left = (await (await page.request.get("/api/v1/providers/credentials")).json()) as { data: { name: string }[] };
  expect(left.data.map((c) => c.name)).not.toContain(`${name} (renamed)`);
});

test("unsaved changes: leaving asks first, and an old error goes away with the provider it was about", async ({
  page,
}) => {
  await signIn(page, "owner@demo.local");
  await page.goto("/settings/provider");
  const behaviour = page.getByRole("form", { name: "Bot behaviour" });
  const brand = behaviour.getByLabel("Brand name", { exact: true });
  const original = await brand.inputValue();
  await brand.fill(`${original} (draft)`);

  // A link to another page asks; "Cancel" keeps the edit here.
  const asked: string[] = [];
  page.once("dialog", (dialog) => {
    asked.push(dialog.message());
    void dialog.dismiss();
  });
  await mainNavigation(page).getByRole("link", { name: "Members", exact: true }).click();
  await expect.poll(() => asked).toEqual(["You have unsaved changes on this page. Leave without saving them?"]);
  await expect(page).toHaveURL(/\/settings\/provider$/);
  await expect(brand).toHaveValue(`${original} (draft)`);

  // Undoing the edit means nothing to lose: no question.
  await brand.fill(original);
  await mainNavigation(page).getByRole("link", { name: "Members", exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/members$/);

  // A refused save's banner belongs to that provider's settings: switching provider clears it.
  await page.goto("/settings/provider");
  await page.getByRole("radio", { name: /OpenAI-compatible server/ }).check();
  await page.getByLabel("Temperature").fill("9");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const banner = page.getByText("Some settings need fixing: see the highlighted fields.");
  await expect(banner).toBeVisible();
  await page.getByRole("radio", { name: /Offline/ }).check();
  await expect(banner).toBeHidden();
  // Back to the saved settings, with nothing left to lose: leaving asks nothing.
  const discard = page.getByRole("button", { name: "Discard changes" });
  if (await discard.isEnabled()) await discard.click();
  await expect(page.getByText("You have unsaved changes.")).toHaveCount(0);
  await mainNavigation(page).getByRole("link", { name: "Members", exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/members$/);
});
