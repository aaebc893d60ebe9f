import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { countUploads, openConversation, paperclip } from "./support/attachments.ts";
import { signIn } from "./support/auth.ts";
import { composer, customerSays, newCustomer, thread } from "./support/inbox.ts";
import { png } from "./support/png.ts";

const SCREENSHOTS = path.join(import.meta.dirname, "screenshots");

test.use({ viewport: { width: 1280, height: 800 } });

/** The files the Page uploaded to this customer with the (simulated) Send API: "kind name type". */
async function filesSentTo(request: APIRequestContext, psid: string): Promise<string[]> {
  const res = await request.get("/_simulator/_control/graph/outbox");
  const body = (await res.json()) as {
    data: {
      kind: string;
      recipientId: string;
      message?: { attachment?: { type?: string } };
      upload?: { name: string; contentType: string };
    }[];
  };
  return body.data
    .filter((r) => r.kind === "message" && r.recipientId === psid && r.upload)
    .map((r) => `${r.message?.attachment?.type} ${r.upload?.name} ${r.upload?.contentType}`);
}

const chips = (page: Page) => page.getByRole("list", { name: "Attachments" }).getByTestId("attachment-chip");
const sendButton = (page: Page) => page.getByRole("button", { name: "Send", exact: true });

/** Chooses files through the paperclip's own file picker. */
async function attach(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[] | string) {
  const chooser = page.waitForEvent("filechooser");
  await paperclip(page).click();
  await (await chooser).setFiles(files);
}

/** The browser's classes these tests build events with (the tests compile without the DOM types). */
interface BrowserGlobals {
  DataTransfer: new () => { items: { add(file: File): void } };
  ClipboardEvent: new (
    type: string,
    init: { clipboardData: unknown; bubbles: boolean; cancelable: boolean },
  ) => unknown;
}

/** A DataTransfer in the page holding one file, as a drop or a paste carries it. */
function transferOf(page: Page, file: { name: string; mimeType: string; bytes: number[] }) {
  return page.evaluateHandle(({ name, mimeType, bytes }) => {
    const transfer = new (globalThis as unknown as BrowserGlobals).DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], name, { type: mimeType }));
    return transfer;
  }, file);
}

test("agent sends an image that reaches the simulated Messenger", async ({ page, request }) => {
  const customer = newCustomer("Ines Moreau");
  await customerSays(request, customer, "Which label do I print for the return?");
  await signIn(page, "agent@demo.local");
  await openConversation(page, customer);

  // The paperclip states Messenger's limits.
  await expect(paperclip(page)).toHaveAccessibleDescription(/^Facebook Messenger takes images \(.*\) up to 25 MB/);

  // The upload is held until the chip has shown its progress: Send waits for it.
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(/\/api\/v1\/conversations\/[^/]+\/attachments$/, async (route) => {
    await held;
    await route.continue();
  });
  await attach(page, [{ name: "return-label.png", mimeType: "image/png", buffer: png(400, 300) }]);
  const chip = chips(page).filter({ hasText: "return-label.png" });
  await expect(chip).toHaveAttribute("data-state", "uploading");
  await expect(chip.getByRole("progressbar", { name: "Uploading return-label.png" })).toBeVisible();
  await expect(chip.locator("img")).toBeVisible(); // the thumbnail, from the file itself
  await expect(sendButton(page)).toBeDisabled();
  release();
  await expect(chip).toHaveAttribute("data-state", "uploaded");
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, "composer-attachment.png") });

  // No text is needed to send an image.
  await expect(composer(page)).toHaveValue("");
  await expect(sendButton(page)).toBeEnabled();
  await sendButton(page).click();
  await expect(chips(page)).toHaveCount(0);

  const bubble = thread(page, customer.name)
    .locator('[data-role="AGENT"]')
    .filter({ has: page.getByRole("img", { name: "return-label.png" }) });
  await expect(bubble).toBeVisible();
  await expect(bubble).toHaveAttribute("data-status", /sent|delivered|read/, { timeout: 30_000 });
  // Drawn at its own 4:3 proportions (from the size the server measured).
  const box = await bubble.getByRole("img", { name: "return-label.png" }).boundingBox();
  expect(box && Math.round((box.height / box.width) * 100)).toBe(75);

  // The customer's Messenger received an image.
  await expect
    .poll(() => filesSentTo(request, customer.psid), { timeout: 30_000 })
    .toEqual(["image return-label.png image/png"]);
});

test("a file over the channel's limit is refused before uploading, naming the limit; notes take none", async ({
  page,
  request,
}) => {
  const customer = newCustomer("Kofi Mensah");
  await customerSays(request, customer, "Can you send me the full catalogue?");
  await signIn(page, "agent@demo.local");
  await openConversation(page, customer);
  const uploads = countUploads(page);

  // From a file on disk: handing the browser 26 MB through the protocol is slow on a busy machine.
  const big = path.join(mkdtempSync(path.join(tmpdir(), "tandem-e2e-")), "catalogue.zip");
  writeFileSync(big, Buffer.alloc(26 * 1024 * 1024, 1));
  await attach(page, big);
  await expect(page.getByRole("alert").filter({ hasText: "catalogue.zip" })).toHaveText(
    /catalogue\.zip is too large \(26 MB\): Facebook Messenger takes .* other files up to 25 MB/,
  );
  await expect(chips(page)).toHaveCount(0);
  await expect(sendButton(page)).toBeDisabled();
  expect(uploads.count).toBe(0);

  // A file that only claims to be an image passes the check here; the server reads its bytes and
  // refuses it: the chip says why, and Send waits until it is removed.
  await attach(page, [{ name: "not-a-photo.png", mimeType: "image/png", buffer: Buffer.from("plain text") }]);
  const refused = chips(page).filter({ hasText: "not-a-photo.png" });
  await expect(refused).toHaveAttribute("data-state", "failed");
  await expect(refused.getByRole("alert")).not.toBeEmpty();
  expect(uploads.count).toBe(1);
  await composer(page).fill("Here it is");
  await expect(sendButton(page)).toBeDisabled();
  await refused.getByRole("button", { name: "Remove not-a-photo.png" }).click();
  await expect(chips(page)).toHaveCount(0);
  await expect(sendButton(page)).toBeEnabled();
  await composer(page).fill("");

  // An internal note takes no attachments: the paperclip says so, and pressing it shows why.
  await page.getByRole("button", { name: "Internal note", exact: true }).click();
  await expect(paperclip(page)).toHaveAttribute("aria-disabled", "true");
  await expect(paperclip(page)).toHaveAccessibleDescription("Internal notes take no attachments");
  await paperclip(page).press("Enter");
  await expect(page.getByTestId("attachment-refusals")).toHaveText("Internal notes take no attachments");
  expect(uploads.count).toBe(1); // only the file the server refused
});

test("the composer at 390 px still fits with a file attached", async ({ page, request }) => {
  const customer = newCustomer("Aiko Tanaka");
  await customerSays(request, customer, "Do you have the size chart as a PDF?");
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "agent@demo.local");
  await openConversation(page, customer);

  // A PDF dropped on the composer, then a screenshot pasted into the text: two chips.
  const name = "size-chart-for-all-autumn-collections-2026.pdf";
  const pdf = [...Buffer.from("%PDF-1.4\n%%EOF\n")];
  const box = page
    .getByRole("form", { name: "Composer" })
    .locator(":scope > div")
    .filter({ has: composer(page) });
  await box.dispatchEvent("dragover", {
    dataTransfer: await transferOf(page, { name, mimeType: "application/pdf", bytes: pdf }),
  });
  await box.dispatchEvent("drop", {
    dataTransfer: await transferOf(page, { name, mimeType: "application/pdf", bytes: pdf }),
  });
  const chip = chips(page).filter({ hasText: name });
  const screenshot = await transferOf(page, { name: "image.png", mimeType: "image/png", bytes: [...png(120, 80)] });
  await composer(page).evaluate((textarea, clipboardData) => {
    const { ClipboardEvent } = globalThis as unknown as BrowserGlobals;
    (textarea as unknown as { dispatchEvent(event: unknown): boolean }).dispatchEvent(
      new ClipboardEvent("paste", { clipboardData, bubbles: true, cancelable: true }),
    );
  }, screenshot);
  await expect(chips(page).filter({ hasText: "image.png" })).toHaveAttribute("data-state", "uploaded");
  await expect(chip).toHaveAttribute("data-state", "uploaded");
  await expect(chip).toContainText("15 bytes");
  await expect(chip.getByRole("button", { name: `Remove ${name}` })).toBeVisible();

  const scrollWidth = await page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );
  expect(scrollWidth, "the inbox scrolls sideways").toBeLessThanOrEqual(390);
  for (const part of [chip, sendButton(page), composer(page)]) {
    const box = await part.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390, "inside the screen").toBe(true);
  }

  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, "composer-attachment-390.png") });

  // Remove is reachable from the keyboard: the files go one by one, and then nothing is left to send.
  await chip.getByRole("button", { name: `Remove ${name}` }).focus();
  await page.keyboard.press("Enter");
  await expect(chips(page)).toHaveCount(1);
  await expect(sendButton(page)).toBeEnabled();
  await chips(page).getByRole("button", { name: "Remove image.png" }).focus();
  await page.keyboard.press("Enter");
  await expect(chips(page)).toHaveCount(0);
  await expect(sendButton(page)).toBeDisabled();
});
