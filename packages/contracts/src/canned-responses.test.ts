import { describe, expect, it } from "vitest";
import { CreateCannedResponseInput, fillCannedResponse, unknownCannedVariables } from "./canned-responses.ts";

describe("fillCannedResponse", () => {
  const text = "Hi {contact_name} ({contact_first_name}), {agent_name} here.";

  it("fills in the contact's name, first name and the agent's name", () => {
    expect(fillCannedResponse(text, { contactName: "Somchai Jaidee", agentName: "Ann" })).toBe(
      "Hi Somchai Jaidee (Somchai), Ann here.",
    );
  });

  it("unknown or blank names become the fallbacks", () => {
    expect(fillCannedResponse(text, {})).toBe("Hi there (there), our team here.");
    expect(fillCannedResponse(text, { contactName: "   ", agentName: null })).toBe("Hi there (there), our team here.");
  });

  it("fills every occurrence, trims names and leaves other braces alone", () => {
    expect(
      fillCannedResponse("{contact_name}, {contact_name}! {unknown} { contact_name } {}", { contactName: " Zoë " }),
    ).toBe("Zoë, Zoë! {unknown} { contact_name } {}");
  });

  it("a name holding `{agent_name}` is not filled in again", () => {
    expect(fillCannedResponse("{contact_name} / {agent_name}", { contactName: "{agent_name}", agentName: "Ann" })).toBe(
      "{agent_name} / Ann",
    );
  });
});

describe("unknownCannedVariables", () => {
  it("lists each unknown name once, in order; known ones and non-variables are not listed", () => {
    expect(unknownCannedVariables("{b} {contact_name} {a} {b} { spaced } {} {agent_name}")).toEqual(["b", "a"]);
    expect(unknownCannedVariables("{Contact_Name}")).toEqual(["Contact_Name"]);
    expect(unknownCannedVariables("plain text")).toEqual([]);
  });

  it("the create schema refuses them on `text`", () => {
    const result = CreateCannedResponseInput.safeParse({ shortcut: "hi", title: "Hi", text: "Hi {name}" });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["text", "Unknown variable {name}: use {contact_name}, {contact_first_name}, {agent_name}"],
    ]);
  });
});
