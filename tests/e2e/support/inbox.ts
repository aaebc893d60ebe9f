/** The inbox as the browser tests drive it: customers on the simulated Messenger, and the inbox's landmarks. */
import { type APIRequestContext, expect, type Page } from "@playwright/test";

/** A customer of the demo Page nobody has seen before, so each test starts with an empty thread. */
let customers = 0;
export function newCustomer(label: string) {
  // Two customers made in the same millisecond still differ (they once shared a PSID, and so a thread).
  customers = (customers + 1) % 100;
  const suffix = `${Date.now()}`.slice(-8) + `${customers}`.padStart(2, "0");
  return { psid: `72${suffix}`, name: `${label} ${suffix.slice(-4)}` };
}

export type Customer = ReturnType<typeof newCustomer>;

/** The customer writes on the simulated Messenger: a signed webhook reaches the server. */
export async function customerSays(request: APIRequestContext, customer: Customer, text: string) {
  const res = await request.post("/_simulator/customer/messenger/send", { data: { ...customer, text } });
  expect(res.ok(), `simulator send: HTTP ${res.status()}`).toBe(true);
}

export const conversationList = (page: Page) => page.getByRole("listbox", { name: "Conversations" });
export const row = (page: Page, name: string) =>
  conversationList(page).getByRole("option", { name: new RegExp(`^${name}`) });
export const threadHeading = (page: Page, name: string) => page.getByRole("heading", { name, level: 2 });
export const composer = (page: Page) => page.getByRole("textbox", { name: "Reply", exact: true });
export const thread = (page: Page, name: string) => page.getByRole("log", { name: `Messages with ${name}` });
