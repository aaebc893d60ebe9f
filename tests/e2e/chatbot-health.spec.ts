import { expect, type Page, test } from "@playwright/test";
import { signIn } from "./support/auth.ts";

/** The API as the signed-in owner (the page's cookie and its CSRF token). */
async function ownerApi(page: Page) {
  const me = await (await page.request.get("/api/v1/me")).json();
  const headers = { "x-csrf-token": me.csrfToken as string };
  return { post: (path: string, data?: unknown) => page.request.post(path, { data: data ?? {}, headers }) };
}

test("the chatbot page shows its health, and a failed reply among its recent errors", async ({ page }) => {
  test.setTimeout(120_000);
  const token = Date.now().toString(36);
  await signIn(page, "owner@demo.local");
  const api = await ownerApi(page);
  // An active chatbot on the simulated OpenAI-compatible LLM (the demo workspace's credential), with a key.
  const created = await api.post("/api/v1/chatbots", {
    name: `Health bot ${token}`,
    status: "active",
    provider: "OPENAI_COMPATIBLE",
    model: "llama3.3-70b-instruct",
  });
  expect(created.status()).toBe(201);
  const chatbot = await created.json();
  const key = await (await api.post(`/api/v1/chatbots/${chatbot.id}/regenerate-token`)).json();

  await page.goto(`/chatbots/${chatbot.id}`);
  const badge = page.getByRole("link", { name: /^Health: Healthy, 0 errors in the last hour/ });
  await expect(badge).toBeVisible();
  await expect(page.getByTestId("chatbot-health")).toHaveText("Healthy");
  await badge.click();
  await expect(page).toHaveURL(/\?tab=health$/);
  const panel = page.getByTestId("chatbot-health-panel");
  await expect(panel).toContainText("Health: Healthy");
  await expect(panel).toContainText("No errors in the last 24 hours.");

  // Forced failure: the provider refuses the key, so the bot hands the customer to a person.
  const fault = await page.request.post("/_simulator/_control/llm/faults", { data: { kind: "invalid_key", times: 1 } });
  expect(fault.status()).toBe(204);
  try {
    const asked = await page.request.post(`/api/v1/public/chat/${chatbot.id}/messages`, {
      headers: { "X-API-Key": key.apiKey },
      data: { sessionId: `health-${token}`, message: "Do you ship to Norway?" },
    });
    expect(asked.status()).toBe(200);
    expect((await asked.json()).handoff).toMatchObject({ reason: "provider_error" });
  } finally {
    await page.request.delete("/_simulator/_control/llm/faults");
  }

  await page.reload();
  await expect(page.getByRole("link", { name: /^Health: Healthy, 1 error in the last hour/ })).toBeVisible();
  const errors = page.getByRole("table", { name: "Recent errors" });
  await expect(errors).toContainText("Reply generation");
  await expect(errors).toContainText("provider_auth_failed");
  await expect(panel).toContainText("1 in the last hour, 1 in 24 hours");
  await expect(panel).toContainText("0 replies, 1 failed in the last hour (100% failed)");
});
