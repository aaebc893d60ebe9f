import { describe, expect, it } from "vitest";
import { DEFAULT_FILTERS, filtersFromParams, type InboxFilters, writeFiltersToParams } from "./filters";

const toQuery = (filters: InboxFilters, base = "") => {
  const params = new URLSearchParams(base);
  writeFiltersToParams(filters, params);
  return params.toString();
};

describe("inbox filters in the URL", () => {
  it("leaves the defaults out", () => {
    expect(toQuery(DEFAULT_FILTERS)).toBe("");
    expect(filtersFromParams(new URLSearchParams())).toEqual(DEFAULT_FILTERS);
  });

  it("round-trips every filter and keeps the open conversation", () => {
    const filters: InboxFilters = {
      status: "SNOOZED",
      unread: true,
      needsHuman: true,
      channelType: "messenger",
      channelId: "ch_1",
      tag: "vip",
      assignee: "none",
      search: "Zoë Müller",
    };
    const query = toQuery(filters, "c=conv_1");
    expect(query).toBe(
      "c=conv_1&status=snoozed&unread=1&needsHuman=1&channel=messenger&page=ch_1&tag=vip&assignee=none&q=Zo%C3%AB+M%C3%BCller",
    );
    expect(filtersFromParams(new URLSearchParams(query))).toEqual(filters);
  });

  it("drops a filter set back to its default", () => {
    expect(toQuery(DEFAULT_FILTERS, "c=conv_1&status=closed&unread=1&tag=vip")).toBe("c=conv_1");
  });

  it("falls back to the default for values that make no sense", () => {
    expect(filtersFromParams(new URLSearchParams("status=archived&channel=fax&unread=yes"))).toEqual(DEFAULT_FILTERS);
  });
});
