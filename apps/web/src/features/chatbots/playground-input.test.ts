import { describe, expect, it } from "vitest";
import { EMPTY_OVERRIDES, parseSseEvent, toOverrides } from "./playground-input";

describe("toOverrides", () => {
  it("sends only the fields filled in, as numbers where numeric", () => {
    expect(toOverrides(EMPTY_OVERRIDES)).toEqual({ overrides: {} });
    expect(
      toOverrides({
        ...EMPTY_OVERRIDES,
        model: " gpt-4o ",
        temperature: "0.5",
        maxTokens: "256",
        promptVersionId: "pv_1",
      }),
    ).toEqual({ overrides: { model: "gpt-4o", temperature: 0.5, maxTokens: 256, promptVersionId: "pv_1" } });
  });

  it("refuses out-of-range or non-numeric values in plain words", () => {
    expect(toOverrides({ ...EMPTY_OVERRIDES, temperature: "3" })).toEqual({
      problem: "Temperature must be a number from 0 to 2.",
    });
    expect(toOverrides({ ...EMPTY_OVERRIDES, temperature: "warm" })).toHaveProperty("problem");
    expect(toOverrides({ ...EMPTY_OVERRIDES, maxTokens: "1.5" })).toEqual({
      problem: "Max tokens must be a whole number from 1 to 32,000.",
    });
    expect(toOverrides({ ...EMPTY_OVERRIDES, maxTokens: "0" })).toHaveProperty("problem");
  });

  it("refuses a system prompt together with a prompt version", () => {
    expect(toOverrides({ ...EMPTY_OVERRIDES, systemPrompt: "Be brief.", promptVersionId: "pv_1" })).toEqual({
      problem: "Use either a system prompt or a prompt version, not both.",
    });
  });
});

describe("parseSseEvent", () => {
  it("reads the event name and joins data lines", () => {
    expect(parseSseEvent('event: message.delta\ndata: {"text":"Hi"}')).toEqual({
      event: "message.delta",
      data: '{"text":"Hi"}',
    });
    expect(parseSseEvent("data: a\r\ndata: b")).toEqual({ event: "message", data: "a\nb" });
  });

  it("ignores comments and blocks without data", () => {
    expect(parseSseEvent(": keep-alive")).toBeNull();
    expect(parseSseEvent("event: ping")).toBeNull();
  });
});
