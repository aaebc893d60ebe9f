import { z } from "zod";

/**
 * Validation messages in plain words, for every schema that does not write its own: the dashboard
 * shows them beside the field and the API returns them in `error.details` — "at least 1", not
 * "Too small: expected number to be >=1". Installed once, when the contracts load (index.ts), so the
 * server and the browser speak alike. A schema's own message (`.min(1, "enter a name")`) still wins.
 */
export function plainError(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "required";
      return `must be ${article(kind(String(issue.expected)))}`;
    case "too_small": {
      const min = Number(issue.minimum);
      const or = issue.inclusive === false ? "more than" : "at least";
      if (issue.origin === "string")
        return min === 1 && issue.inclusive !== false ? "must not be empty" : `${or} ${count(min, "character")}`;
      if (issue.origin === "array" || issue.origin === "set") return `${or} ${count(min, "item")}`;
      return `must be ${issue.inclusive === false ? "more than" : "at least"} ${min.toLocaleString("en")}`;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      const or = issue.inclusive === false ? "fewer than" : "at most";
      if (issue.origin === "string") return `${or} ${count(max, "character")}`;
      if (issue.origin === "array" || issue.origin === "set") return `${or} ${count(max, "item")}`;
      return `must be ${issue.inclusive === false ? "less than" : "at most"} ${max.toLocaleString("en")}`;
    }
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return FORMATS[issue.format] ?? `is not a valid ${issue.format}`;
    case "unrecognized_keys":
      return `${issue.keys.length === 1 ? "unknown field" : "unknown fields"} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}

const FORMATS: Record<string, string> = {
  email: "enter an e-mail address such as name@example.com",
  url: "enter a full address starting with https://",
  uuid: "is not a valid id",
  datetime: "enter a date and time such as 2026-12-31T23:59:00Z",
  date: "enter a date such as 2026-12-31",
  regex: "is not in the expected format",
};

const KINDS: Record<string, string> = {
  int: "whole number",
  number: "number",
  string: "text",
  boolean: "true or false",
  array: "list",
  object: "object",
  date: "date",
};
const kind = (expected: string) => KINDS[expected] ?? expected;
const article = (noun: string) => (noun === "true or false" ? noun : `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`);
const count = (n: number, noun: string) => `${n.toLocaleString("en")} ${noun}${n === 1 ? "" : "s"}`;

z.config({ customError: plainError });
