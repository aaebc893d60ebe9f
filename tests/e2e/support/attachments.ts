/** What the attachment specs share: the paperclip, opening a conversation, counting uploads. */
import { expect, type Page } from "@playwright/test";
import { type Customer, row } from "./inbox.ts";

export async function openConversation(page: Page, customer: Pick<Customer, "name">) {
  await row(page, customer.name).click();
  await expect(page.getByRole("heading", { name: customer.name, level: 2 })).toBeVisible();
}

export const paperclip = (page: Page) => page.getByRole("button", { name: "Attach files", exact: true });

/** Counts the uploads the page starts, to prove a refused file never leaves the browser. */
export function countUploads(page: Page) {
  const seen = { count: 0 };
  page.on("request", (req) => {
    if (req.method() === "POST" && /\/api\/v1\/conversations\/[^/]+\/attachments$/.test(req.url())) seen.count += 1;
  });
  return seen;
}
