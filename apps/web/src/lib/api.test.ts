import { describe, expect, it } from "vitest";
import { ApiError, errorMessage } from "./api";

describe("errorMessage", () => {
  it("says which field was refused and why, in the server's words", () => {
    const refused = new ApiError({
      status: 400,
      code: "invalid_input",
      message: "The request is invalid",
      details: [
        { path: "email", message: "enter an e-mail address such as name@example.com", code: "invalid_format" },
        { path: "", message: "Nothing to update", code: "custom" },
      ],
    });
    expect(errorMessage(refused)).toBe("email: enter an e-mail address such as name@example.com; Nothing to update");
  });

  it("keeps the message of other errors, and hides what is not an API error", () => {
    expect(errorMessage(new ApiError({ status: 404, code: "contact_not_found", message: "Contact not found" }))).toBe(
      "Contact not found",
    );
    expect(errorMessage(new ApiError({ status: 400, code: "invalid_input", message: "The request is invalid" }))).toBe(
      "The request is invalid",
    );
    expect(errorMessage(new TypeError("fetch failed"))).toBe("Something went wrong. Please try again.");
  });
});
