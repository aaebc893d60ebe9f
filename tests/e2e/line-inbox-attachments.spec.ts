/**
 * LINE and the paperclip. After line-connect.spec.ts (files run in name order on one server): that
 * spec needs the demo LINE account unconnected, and this one connects it.
 */
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { countUploads, openConversation, paperclip } from "./support/attachments.ts";
import { signIn } from "./support/auth.ts";
import { connectLine } from "./support/line.ts";

test.use({ viewport: { width: 1280, height: 800 } });

test("on LINE, which fetches images by URL, nothing can be attached while APP_URL is not public https", async ({
  page,
  request,
}) => {
  // The test server's APP_URL is http://127.0.0.1:…, which LINE could not fetch from.
  await signIn(page, "owner@demo.local");
  await connectLine(page);
  // A LINE customer of their own (the demo's LINE user belongs to line-inbox.spec.ts).
  const name = `Nok ${Date.now() % 10_000}`;
  const sent = await request.post("/_simulator/customer/line/send", {
    data: {
      userId: `U${randomBytes(16).toString("hex")}`,
      name,
      event: { type: "text", text: "Is my order on its way?" },
    },
  });
  expect(sent.ok(), `simulator send: HTTP ${sent.status()}`).toBe(true);

  await page.goto("/dashboard");
  await openConversation(page, { name });
  const reason = "LINE fetches images from this server, so APP_URL must be its public https address";
  await expect(paperclip(page)).toHaveAttribute("aria-disabled", "true");
  await expect(paperclip(page)).toHaveAccessibleDescription(reason);
  const uploads = countUploads(page);
  await paperclip(page).press("Enter");
  await expect(page.getByTestId("attachment-refusals")).toHaveText(reason);
  expect(uploads.count).toBe(0);
});
