import { describe, expect, it } from "vitest";
import { authorLabel, EMPTY_FILTERS, filtersFromSearchParams, inboxHref, logSearchParams } from "./filters";

describe("logSearchParams", () => {
  it("sends only the filters that are set, times as ISO and the text trimmed", () => {
    const params = logSearchParams({
      ...EMPTY_FILTERS,
      role: "BOT",
      status: "failed",
      from: "2026-11-01T09:00",
      to: "not a time",
      text: "  พนักงาน ",
    });
    expect(params.get("role")).toBe("BOT");
    expect(params.get("status")).toBe("failed");
    expect(params.get("from")).toBe(new Date("2026-11-01T09:00").toISOString());
    expect(params.has("to")).toBe(false);
    expect(params.get("text")).toBe("พนักงาน");
    expect(params.has("channelId")).toBe(false);
  });
});

describe("filtersFromSearchParams", () => {
  it("reads back what logSearchParams wrote, so a link shows the same filters", () => {
    const filters = {
      ...EMPTY_FILTERS,
      channelId: "ch_1",
      channelType: "line" as const,
      role: "USER" as const,
      status: "failed" as const,
      from: "2026-11-01T09:00",
      to: "2026-11-02T18:30",
      text: "refund",
    };
    expect(filtersFromSearchParams(logSearchParams(filters))).toEqual(filters);
    expect(filtersFromSearchParams(new URLSearchParams())).toEqual(EMPTY_FILTERS);
  });

  it("ignores values that are not a choice, and times that are not times", () => {
    const params = new URLSearchParams({ role: "ROBOT", status: "lost", channelType: "fax", from: "yesterday" });
    expect(filtersFromSearchParams(params)).toEqual(EMPTY_FILTERS);
  });
});

describe("row labels", () => {
  it("opens the conversation at the message", () => {
    expect(inboxHref({ conversationId: "conv_1", id: "msg_2" })).toBe("/dashboard?c=conv_1&m=msg_2");
  });

  it("names the author by kind", () => {
    expect(authorLabel({ author: { type: "bot", id: "bot_1", name: "Bakery" } })).toBe("Bakery (bot)");
    expect(authorLabel({ author: { type: "agent", id: null, name: null } })).toBe("Agent (outside Tandem)");
    expect(authorLabel({ author: { type: "system", id: null, name: null } })).toBe("System");
  });
});
