import { describe, expect, it } from "vitest";
import { shopifyWebhookUrl, shopifyWebhookUrlProblem } from "./shopify-deps.ts";

describe("the webhook address Shopify is given", () => {
  it("is APP_URL/api/webhooks/shopify, refused with a readable reason unless https (or the simulator)", () => {
    expect(shopifyWebhookUrl("https://tandem.example.com")).toBe("https://tandem.example.com/api/webhooks/shopify");
    expect(shopifyWebhookUrlProblem({ shopifyApiUrl: undefined, appUrl: "https://tandem.example.com" })).toBeNull();
    const problem = shopifyWebhookUrlProblem({ shopifyApiUrl: undefined, appUrl: "http://localhost:3000" });
    expect(problem).toContain("https");
    expect(problem).toContain("http://localhost:3000");
    expect(
      shopifyWebhookUrlProblem({ shopifyApiUrl: "http://127.0.0.1:4010/shopify", appUrl: "http://localhost:3000" }),
    ).toBeNull();
  });
});
